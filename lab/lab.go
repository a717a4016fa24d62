// Package lab keeps the exercises of Orchard's curation lab: exercise sets that a facilitator
// (a librarian) builds from catalog records, classes that learners join with a short code and
// a display name, and their answers, each graded at once with an explanation drawn from the
// license knowledge base. Grading is pure (Grade); the store keeps sets, classes and learners in
// a bounded workers.Docs bucket.
package lab

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// Kind is what a question asks.
type Kind string

const (
	KindLicense     Kind = "license"     // which license exactly
	KindMay         Kind = "may"         // may I share, adapt, use commercially, share an adaptation under X
	KindAttribution Kind = "attribution" // write the attribution
	KindCombine     Kind = "combine"     // is this combination legal, and under which license may the result go
	KindFind        Kind = "find"        // find a resource that …
)

// Title names a kind as the set form and pages show it.
func (k Kind) Title() string {
	switch k {
	case KindLicense:
		return "Which license exactly"
	case KindMay:
		return "May I …"
	case KindAttribution:
		return "Write the attribution"
	case KindCombine:
		return "Is this combination legal, under which license"
	case KindFind:
		return "Find a resource that …"
	}
	return string(k)
}

// Kinds lists the question kinds in the order the certificate's units meet them.
var Kinds = []Kind{KindLicense, KindMay, KindAttribution, KindCombine, KindFind}

// Action is what a "may I" question asks about.
type Action string

const (
	ActionShare        Action = "share"
	ActionAdapt        Action = "adapt"
	ActionCommercial   Action = "commercial"
	ActionShareAdapted Action = "share-adapted" // share an adaptation under Question.License
)

// Limits that keep sets, classes and learners small documents.
const (
	MaxQuestions  = 30
	MaxCombine    = 8 // works in one combination question
	MaxTitle      = 200
	MaxPrompt     = 1000
	MaxName       = 60   // a learner's display name
	MaxText       = 4096 // an answer's text, such as an attribution
	MaxLearners   = 200  // per class
	MaxAnswers    = 300  // answers per learner, over all questions
	MaxSets       = 500
	MaxClasses    = 1000
	maxListValues = 10
)

// Set is an exercise set.
type Set struct {
	ID          string     `json:"id" yaml:"-"`
	Title       string     `json:"title" yaml:"title"`
	Description string     `json:"description,omitempty" yaml:"description,omitempty"`
	Questions   []Question `json:"questions" yaml:"questions"`
	By          string     `json:"by,omitempty" yaml:"-"`
	Created     time.Time  `json:"created" yaml:"-"`
}

// Question is one exercise. It names its records by id (Records) or by a query that picks
// them when a class opens (Picks), so that a shared set works on any catalog.
type Question struct {
	Kind    Kind     `json:"kind" yaml:"kind"`
	Prompt  string   `json:"prompt,omitempty" yaml:"prompt,omitempty"`
	Records []string `json:"records,omitempty" yaml:"records,omitempty"`
	Picks   []Pick   `json:"picks,omitempty" yaml:"picks,omitempty"`
	Action  Action   `json:"action,omitempty" yaml:"action,omitempty"`   // may
	License string   `json:"license,omitempty" yaml:"license,omitempty"` // may share-adapted: the license X
	Adapted bool     `json:"adapted,omitempty" yaml:"adapted,omitempty"` // attribution of an adaptation
	Find    *Find    `json:"find,omitempty" yaml:"find,omitempty"`
}

// Pick chooses a record by search when a class opens: "a CC BY-NC-SA record in German".
type Pick struct {
	Describe    string   `json:"describe,omitempty" yaml:"describe,omitempty"`
	Query       string   `json:"query,omitempty" yaml:"query,omitempty"`
	Licenses    []string `json:"licenses,omitempty" yaml:"licenses,omitempty"`
	Families    []string `json:"families,omitempty" yaml:"families,omitempty"`
	Languages   []string `json:"languages,omitempty" yaml:"languages,omitempty"`
	Types       []string `json:"types,omitempty" yaml:"types,omitempty"`
	Commercial  *bool    `json:"commercial,omitempty" yaml:"commercial,omitempty"`
	Derivatives *bool    `json:"derivatives,omitempty" yaml:"derivatives,omitempty"`
}

// Request is the search that picks the record: the first visible hit by title.
func (p Pick) Request() catalog.SearchRequest {
	return catalog.SearchRequest{
		Query: p.Query,
		Filter: catalog.Filter{
			Licenses: p.Licenses, Families: p.Families, Languages: p.Languages, Types: p.Types,
			Commercial: p.Commercial, Derivatives: p.Derivatives,
			Statuses: []catalog.Status{catalog.StatusOpen, catalog.StatusClosed},
		},
		Sort: catalog.SortTitle, Page: 1, PerPage: 1,
	}
}

// Find is what a resource found by a learner must be. Every criterion set must hold; within
// Languages, Types and Families any one value is enough.
type Find struct {
	Languages   []string `json:"languages,omitempty" yaml:"languages,omitempty"`
	Types       []string `json:"types,omitempty" yaml:"types,omitempty"`
	Families    []string `json:"families,omitempty" yaml:"families,omitempty"`
	Commercial  bool     `json:"commercial,omitempty" yaml:"commercial,omitempty"`   // its license allows commercial use
	Derivatives bool     `json:"derivatives,omitempty" yaml:"derivatives,omitempty"` // and adaptations
	Open        bool     `json:"open,omitempty" yaml:"open,omitempty"`               // a free-culture license
}

func (f *Find) empty() bool {
	return len(f.Languages)+len(f.Types)+len(f.Families) == 0 && !f.Commercial && !f.Derivatives && !f.Open
}

// FieldError says which value was refused and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

var (
	// ErrNotFound is returned for an unknown set, class code or learner.
	ErrNotFound = errors.New("not found")
	// ErrClosed is returned for an answer or a join after the facilitator closed the class.
	ErrClosed = errors.New("this class is closed: it takes no more answers")
	// ErrFull is returned when a class or a learner's answers reached their bound.
	ErrFull = errors.New("limit reached")
	// ErrKey is returned for a learner key that does not fit.
	ErrKey = errors.New("wrong learner key: join the class again")
	// ErrGone is returned when a record a set names is no longer in the catalog.
	ErrGone = errors.New("no longer in the catalog")
)

// records is how many records a question of each kind works on: at least lo, at most hi.
func (k Kind) records() (lo, hi int) {
	switch k {
	case KindCombine:
		return 2, MaxCombine
	case KindFind:
		return 0, 0
	default:
		return 1, 1
	}
}

// Validate checks a set before it is stored or imported.
func (s *Set) Validate() error {
	s.Title = strings.TrimSpace(s.Title)
	switch {
	case s.Title == "" || len(s.Title) > MaxTitle:
		return &FieldError{"title", fmt.Sprintf("must be 1 to %d bytes", MaxTitle)}
	case len(s.Description) > MaxPrompt:
		return &FieldError{"description", fmt.Sprintf("must be at most %d bytes", MaxPrompt)}
	case len(s.Questions) == 0 || len(s.Questions) > MaxQuestions:
		return &FieldError{"questions", fmt.Sprintf("a set has 1 to %d questions", MaxQuestions)}
	}
	for i := range s.Questions {
		if err := s.Questions[i].validate(); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return &FieldError{fmt.Sprintf("questions[%d].%s", i+1, fe.Field), fe.Reason}
			}
			return err
		}
	}
	return nil
}

func (q *Question) validate() error {
	if !slices.Contains(Kinds, q.Kind) {
		return &FieldError{"kind", "must be one of license, may, attribution, combine, find"}
	}
	if len(q.Prompt) > MaxPrompt {
		return &FieldError{"prompt", fmt.Sprintf("must be at most %d bytes", MaxPrompt)}
	}
	lo, hi := q.Kind.records()
	n := len(q.Records) + len(q.Picks)
	switch {
	case len(q.Records) > 0 && len(q.Picks) > 0:
		return &FieldError{"records", "name records or picks, not both"}
	case n < lo || n > hi:
		if hi == 0 {
			return &FieldError{"records", "a find question names no record: the learner finds one"}
		}
		return &FieldError{"records", fmt.Sprintf("a %s question works on %d to %d records", q.Kind, lo, hi)}
	}
	for _, id := range q.Records {
		if !catalog.ValidID(id) {
			return &FieldError{"records", fmt.Sprintf("%q is not a record id", id)}
		}
	}
	for _, p := range q.Picks {
		if err := p.validate(); err != nil {
			return err
		}
	}
	if q.Kind == KindMay {
		switch q.Action {
		case ActionShare, ActionAdapt, ActionCommercial:
		case ActionShareAdapted:
			if t, ok := license.Lookup(q.License); !ok || t.IsFamily() {
				return &FieldError{"license", "name the license of the adaptation by its id with version, e.g. CC-BY-SA-4.0"}
			}
		default:
			return &FieldError{"action", "must be share, adapt, commercial or share-adapted"}
		}
	}
	if q.Kind == KindFind {
		if q.Find == nil || q.Find.empty() {
			return &FieldError{"find", "say what the resource must be: languages, types, families, commercial, derivatives or open"}
		}
		if err := q.Find.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (p Pick) validate() error {
	lists := [][]string{p.Licenses, p.Families, p.Languages, p.Types}
	if slices.ContainsFunc(lists, func(l []string) bool { return len(l) > maxListValues }) || len(p.Query) > catalog.MaxQueryBytes || len(p.Describe) > MaxPrompt {
		return &FieldError{"picks", "a pick is a short query with a few filter values"}
	}
	for _, id := range append(slices.Clone(p.Licenses), p.Families...) {
		if _, ok := license.Lookup(id); !ok {
			return &FieldError{"picks", fmt.Sprintf("unknown license %q", id)}
		}
	}
	return nil
}

func (f *Find) validate() error {
	if len(f.Languages) > maxListValues || len(f.Types) > maxListValues || len(f.Families) > maxListValues {
		return &FieldError{"find", "a find question lists a few values of each kind"}
	}
	for _, id := range f.Families {
		if t, ok := license.Lookup(id); !ok || !t.IsFamily() {
			return &FieldError{"find", fmt.Sprintf("%q is not a license family such as CC-BY-SA", id)}
		}
	}
	return nil
}

// cleanName checks a learner's display name.
func cleanName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > MaxName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", &FieldError{"name", fmt.Sprintf("a display name has 1 to %d characters", MaxName)}
	}
	return name, nil
}
