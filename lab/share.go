package lab

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/orchard-oer/orchard/normalizer/lang"
)

// StarterID names the starter set that ships with Orchard.
const StarterID = "starter"

// MaxYAML bounds an imported set.
const MaxYAML = 256 << 10

//go:embed starter.yaml
var starterYAML []byte

// Starter is the set that follows the certificate's units; it picks its records by query
// when a class opens, so it works on any catalog.
func Starter() (*Set, error) {
	s, err := ParseYAML(starterYAML)
	if err != nil {
		return nil, fmt.Errorf("starter set: %w", err)
	}
	s.ID, s.By = StarterID, "Orchard"
	return s, nil
}

// YAML writes a set in the form institutions share: without its id, author and dates.
func (s *Set) YAML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# An Orchard exercise set: import it with `orchard lab import` or on the lab page.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("write set as YAML: %w", err)
	}
	return b.Bytes(), enc.Close()
}

// ParseYAML reads a shared set strictly (an unknown key is an error) and validates it.
func ParseYAML(b []byte) (*Set, error) {
	if len(b) > MaxYAML {
		return nil, &FieldError{"yaml", fmt.Sprintf("a set is at most %d KiB", MaxYAML>>10)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s Set
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{"yaml", "the file is empty"}
		}
		return nil, &FieldError{"yaml", err.Error()}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// prompt is the question a class asks, from the facilitator's prompt or written from the facts.
func prompt(q Question, facts []Facts) string {
	if q.Prompt != "" {
		return q.Prompt
	}
	title := func(i int) string { return "“" + facts[i].Title + "”" }
	switch q.Kind {
	case KindLicense:
		return fmt.Sprintf("Which license exactly does %s carry? Give its name with version and port, e.g. CC BY-SA 3.0 DE.", title(0))
	case KindMay:
		switch q.Action {
		case ActionAdapt:
			return fmt.Sprintf("May you adapt %s (translate, remix, build on it) and share the result?", title(0))
		case ActionCommercial:
			return fmt.Sprintf("May you use %s commercially, for example in a course you sell?", title(0))
		case ActionShareAdapted:
			return fmt.Sprintf("May you share an adaptation of %s under %s?", title(0), labelOf(q.License))
		}
		return fmt.Sprintf("May you copy %s and share it with your class as it is?", title(0))
	case KindAttribution:
		if q.Adapted {
			return fmt.Sprintf("You translated %s. Write the attribution for your translation.", title(0))
		}
		return fmt.Sprintf("Write the attribution for %s.", title(0))
	case KindCombine:
		ts := make([]string, len(facts))
		for i := range facts {
			ts[i] = title(i)
		}
		return fmt.Sprintf("May %s be combined into one adaptation that you share? If so, under which license may it go?", strings.Join(ts, " and "))
	case KindFind:
		return "Find a resource in the catalog " + q.Find.Describe() + ". Give its id or the address of its page."
	}
	return ""
}

// Describe says what a find question asks for, in words.
func (f *Find) Describe() string {
	var parts []string
	if len(f.Types) > 0 {
		parts = append(parts, "that is a "+names(f.Types, nil))
	}
	if len(f.Languages) > 0 {
		parts = append(parts, "in "+names(f.Languages, lang.Name))
	}
	if len(f.Families) > 0 {
		parts = append(parts, "under "+names(f.Families, labelOf))
	}
	var may []string
	if f.Derivatives {
		may = append(may, "adapt")
	}
	if f.Commercial {
		may = append(may, "use commercially")
	}
	if len(may) > 0 {
		parts = append(parts, "that you may "+strings.Join(may, " and "))
	}
	if f.Open {
		parts = append(parts, "under an open license")
	}
	return strings.Join(parts, ", ")
}

// WriteCSV writes a class's table: a row per learner, a column per question (1 right, 0
// wrong, empty when not answered), then the number right.
func WriteCSV(w io.Writer, c *Class, learners []Learner) error {
	cw := csv.NewWriter(w)
	head := []string{"learner", "joined"}
	for _, it := range c.Items {
		head = append(head, fmt.Sprintf("q%d %s", it.N, it.Question.Kind))
	}
	if err := cw.Write(append(head, "correct")); err != nil {
		return err
	}
	for _, l := range learners {
		row := []string{spreadsheetSafe(l.Name), l.Joined.Format("2006-01-02 15:04")}
		for _, it := range c.Items {
			cell := ""
			if a, ok := l.Last(it.N); ok {
				cell = "0"
				if a.Result.Correct {
					cell = "1"
				}
			}
			row = append(row, cell)
		}
		if err := cw.Write(append(row, strconv.Itoa(l.Correct()))); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// spreadsheetSafe keeps a learner's name from being read as a formula by a spreadsheet.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
