// Package attribution grades a learner's attribution of a work against the record it credits:
// title, author, source, license and, for an adaptation, the notice that the work was changed.
//
// It sits beside normalizer/license rather than inside it. The license package reads one rights
// statement at a time on the harvest path, tuned to allocate nothing; grading reads a whole
// learner-written document (text, HTML or Markdown, which needs an HTML parser) and asks the
// license package only to name the tools it finds. Keeping the two apart keeps the harvest path
// free of the grader's dependencies, and the grader free to be tolerant where the parser is strict.
// Like the rest of normalizer it is pure: no I/O.
package attribution

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/orchard-oer/orchard/normalizer/license"
)

// MaxSize bounds an attribution: a longer text is refused rather than read.
const MaxSize = 64 << 10

var (
	// ErrTooLarge is returned for an attribution over MaxSize bytes.
	ErrTooLarge = errors.New("attribution too large")
	// ErrInvalid is returned when the expected facts cannot be graded against (an unknown license).
	ErrInvalid = errors.New("invalid expected work")
)

// Expected is what the record says about the work.
type Expected struct {
	Title     string
	Authors   []string
	SourceURL string
	License   string // a license id (CC-BY-SA-4.0) or anything license.Parse reads
	Adapted   bool   // the learner adapted the work, so a modification notice is due
}

// Element is the grade of one part of an attribution.
type Element struct {
	Present bool   // the attribution says something for it
	Correct bool   // and what it says fits the record
	Found   string // what was read, when anything was
	Problem string // what is wrong and how to fix it, one line; "" when correct
}

// State is the element's grade in one word: "correct", "wrong" or "missing".
func (e Element) State() string {
	switch {
	case e.Correct:
		return "correct"
	case e.Present:
		return "wrong"
	}
	return "missing"
}

// Named is an element with its name, for listing a result.
type Named struct {
	Name string // title, author, source, license, modified
	Element
}

// Elements lists the graded elements in order; "modified" only for an adaptation.
func (r Result) Elements() []Named {
	out := []Named{{"title", r.Title}, {"author", r.Author}, {"source", r.Source}, {"license", r.License}}
	if r.Modified != nil {
		out = append(out, Named{"modified", *r.Modified})
	}
	return out
}

// Result is the grade of one attribution.
type Result struct {
	OK       bool
	Format   Format
	Title    Element
	Author   Element
	Source   Element
	License  Element
	Modified *Element // nil unless the work was adapted
	General  []string // problems of the whole rather than of one element
	Problems []string // every problem: the elements' in their order, then the general ones
}

// Check grades an attribution (plain text, HTML or Markdown, detected) against the expected
// work. It is tolerant of form (quotes of any kind, italics, "by / von / par / de", a link on the
// title instead of a printed URL, a short license name or a deed link in any language) and strict
// on substance (the license's elements, version and port, its link, the record's authors). A fact
// the record lacks (no title, no creators, no URL) is not asked for.
func Check(want Expected, attribution string) (Result, error) {
	if len(attribution) > MaxSize {
		return Result{}, fmt.Errorf("check attribution: %w: %d bytes, at most %d", ErrTooLarge, len(attribution), MaxSize)
	}
	tool, ok := license.Lookup(strings.TrimSpace(want.License))
	if !ok {
		tool = license.Parse(want.License).Tool
	}
	if !tool.Known() || tool.IsFamily() || tool.URL == "" {
		return Result{}, fmt.Errorf("check attribution: %w: license %q is not a known license with a version", ErrInvalid, want.License)
	}
	d := parseDocument(attribution)
	plain := printedURLRe.ReplaceAllString(d.text, " ")
	text := fold(plain)
	res := Result{Format: d.format}
	res.Title = checkTitle(d, text, want.Title)
	res.Author = checkAuthor(plain, text, want.Authors)
	res.Source = checkSource(d, want.SourceURL)
	lic := d.withoutOwn(ownSentences(d.text, want))
	res.License = checkLicense(lic, printedURLRe.ReplaceAllString(lic.text, " "), tool)
	if want.Adapted {
		m := checkModified(text)
		res.Modified = &m
		if !tool.Derivatives {
			res.General = append(res.General, tool.Label+" does not allow adaptations to be shared: share the work unchanged or adapt another work")
		}
	}
	for _, el := range res.Elements() {
		if el.Problem != "" {
			res.Problems = append(res.Problems, el.Problem)
		}
	}
	res.Problems = append(res.Problems, res.General...)
	res.OK = len(res.Problems) == 0
	return res, nil
}

// titleSeparators cut a subtitle off, which attributions often leave out.
var titleSeparators = regexp.MustCompile(`\s*(?::|\s[-–—|]\s)\s*`)

func checkTitle(d document, text, title string) Element {
	want := fold(title)
	if want == "" {
		return Element{Present: true, Correct: true}
	}
	if containsWords(text, want) {
		return Element{Present: true, Correct: true, Found: title}
	}
	if main := titleSeparators.Split(title, 2)[0]; main != title {
		if m := fold(main); len(m) >= 8 && containsWords(text, m) {
			return Element{Present: true, Correct: true, Found: main}
		}
	}
	for _, s := range d.spans {
		f := fold(s)
		if f == "" || strings.Contains(s, "://") || license.Parse(s).Tool.Known() {
			continue
		}
		return Element{Present: true, Found: s, Problem: fmt.Sprintf("the title reads %q, but the work is called %q", strings.TrimSpace(s), title)}
	}
	return Element{Problem: fmt.Sprintf("the title is missing: name the work, %q", title)}
}

// etAl are the ways of saying "and others" after the first creator.
var etAl = []string{"et al", "u a", "und andere", "and others", "et autres", "y otros", "y col", "et coll"}

// creatorRe finds a name introduced as a creator, to tell a wrong author from a missing one.
var creatorRe = regexp.MustCompile(`(?:\b(?:[Bb]y|BY|[Vv]on|[Pp]ar|[Dd]e|[Aa]ut(?:hor|or|eur|ora)|[Cc]reator|[Uu]rheber(?:in)?|[Ff]oto|[Pp]hoto)\s*:?|©|\([Cc]\))\s+(\p{Lu}[\p{L}'’.-]*(?:\s+(?:\p{Lu}[\p{L}'’.-]*|van|von|de|del|da|di|la|le)){0,4})`)

func checkAuthor(plain, text string, authors []string) Element {
	var names []string
	for _, a := range authors {
		if a = strings.TrimSpace(a); a != "" {
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		return Element{Present: true, Correct: true}
	}
	var found, missing []string
	for _, a := range names {
		if authorNamed(text, a) {
			found = append(found, a)
		} else {
			missing = append(missing, a)
		}
	}
	switch {
	case len(missing) == 0:
		return Element{Present: true, Correct: true, Found: strings.Join(found, ", ")}
	case len(found) > 0 && hasPhrase(text, etAl):
		return Element{Present: true, Correct: true, Found: found[0] + " et al."}
	case len(found) > 0:
		return Element{Present: true, Found: strings.Join(found, ", "),
			Problem: "not every creator is named: add " + strings.Join(missing, ", ") + ", or write et al. after " + found[0]}
	}
	for _, m := range creatorRe.FindAllStringSubmatch(plain, -1) {
		cand := strings.TrimRight(m[1], ".,;:")
		if f := fold(cand); f == "" || license.Parse(cand).Tool.Known() || strings.HasPrefix(f, "creative commons") {
			continue
		}
		return Element{Present: true, Found: cand,
			Problem: fmt.Sprintf("%q is not the work's author: credit %s", cand, strings.Join(names, ", "))}
	}
	return Element{Problem: "the author is missing: credit " + strings.Join(names, ", ")}
}

// authorNamed accepts a name as written, turned round ("Lovelace, Ada" for "Ada Lovelace" and
// back), and an initial for the given names ("A. Lovelace").
func authorNamed(text, name string) bool {
	forms := []string{name}
	if last, first, ok := strings.Cut(name, ","); ok && !strings.Contains(first, ",") {
		name = first + " " + last
		forms = append(forms, name)
	}
	if parts := strings.Fields(name); len(parts) >= 2 {
		last := len(parts) - 1
		forms = append(forms, string([]rune(parts[0])[:1])+" "+strings.Join(parts[1:], " "),
			parts[last]+" "+strings.Join(parts[:last], " "))
	}
	for _, f := range forms {
		if containsWords(text, fold(f)) {
			return true
		}
	}
	return false
}

func hasPhrase(text string, phrases []string) bool {
	for _, p := range phrases {
		if containsWords(text, p) {
			return true
		}
	}
	return false
}

func checkSource(d document, source string) Element {
	want := normalURL(source)
	if want == "" {
		return Element{Present: true, Correct: true}
	}
	var other string
	for _, l := range d.links {
		if isLicenseLink(l.href) || license.Parse(withScheme(l.href)).Tool.Known() {
			continue
		}
		if normalURL(l.href) == want {
			return Element{Present: true, Correct: true, Found: l.href}
		}
		if other == "" {
			other = l.href
		}
	}
	if other != "" {
		return Element{Present: true, Found: other, Problem: "the link " + other + " does not lead to the work: link to " + source}
	}
	if d.format == FormatText {
		return Element{Problem: "the source is missing: print the work's URL " + source}
	}
	return Element{Problem: "the source is missing: link the title to " + source}
}

// normalURL compares URLs as a reader would: scheme, "www.", letter case, a trailing slash and a
// fragment make no difference.
func normalURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if u == "" {
		return ""
	}
	for _, p := range []string{"https://", "http://", "//"} {
		u = strings.TrimPrefix(u, p)
	}
	u = strings.TrimPrefix(u, "www.")
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	return strings.TrimRight(u, "/")
}

// Stems of the words that say a work was changed, and of those that say it was not, in the four
// languages; the ND license names ("No Derivatives", "Keine Bearbeitungen") are removed first.
var (
	changedStems = []string{"adapt", "modif", "chang", "remix", "crop", "translat", "edit", "derivative",
		"derived", "based on", "excerpt", "abridg", "shorten", "recolo", "cut", "bearbeit", "verander",
		"geander", "angepasst", "ubersetz", "gekurzt", "basierend auf", "zugeschnitten", "abgewandelt",
		"verkurzt", "tradui", "d apres", "recadr", "remani", "derive", "raccourc", "traduc", "traduj",
		"recort", "basado en", "basada en", "a partir de", "deriva", "remezcl", "cambi"}
	unchangedPhrases = []string{"unmodified", "unchanged", "not modified", "not changed", "without changes",
		"no changes", "unverandert", "nicht verandert", "ohne anderungen", "sans modification",
		"non modifie", "sin modificar", "sin cambios", "sin modificaciones", "no modificado"}
	ndNames = regexp.MustCompile(`no derivative works|no derivatives|no derivs|noderivatives|noderivs|keine bearbeitungen?|pas de modification|sin obras? derivadas?|sin derivadas|sinderivadas`)
)

func checkModified(text string) Element {
	text = ndNames.ReplaceAllString(text, " ")
	if hasPhrase(text, unchangedPhrases) {
		return Element{Present: true, Problem: "the notice says the work is unchanged, but it was adapted: say what you changed"}
	}
	if hasPrefixWord(text, changedStems) {
		return Element{Present: true, Correct: true}
	}
	return Element{Problem: "the modification notice is missing: say that you changed the work (e.g. \"adapted from\", \"translated by\")"}
}

// Verdict is the short form of a Result that the CLI and the API print; its JSON keys are a
// contract. Modified is null unless the work was adapted.
type Verdict struct {
	OK       bool     `json:"ok"`
	Title    bool     `json:"title"`
	Author   bool     `json:"author"`
	Source   bool     `json:"source"`
	License  bool     `json:"license"`
	Modified *bool    `json:"modified"`
	Problems []string `json:"problems"`
}

// Verdict sums the result up.
func (r Result) Verdict() Verdict {
	v := Verdict{OK: r.OK, Title: r.Title.Correct, Author: r.Author.Correct, Source: r.Source.Correct,
		License: r.License.Correct, Problems: r.Problems}
	if r.Modified != nil {
		v.Modified = &r.Modified.Correct
	}
	if v.Problems == nil {
		v.Problems = []string{}
	}
	return v
}
