package lab

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/attribution"
	"github.com/orchard-oer/orchard/normalizer/lang"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/normalizer/remix"
)

// Facts are what grading needs to know of a record, kept in the class when it opens so that
// answers are graded against the record the class was given.
type Facts struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	URL       string   `json:"url,omitempty"`
	Creators  []string `json:"creators,omitempty"`
	License   string   `json:"license,omitempty"` // id; "" when unknown
	Languages []string `json:"languages,omitempty"`
	Types     []string `json:"types,omitempty"`
	Hidden    bool     `json:"hidden,omitempty"`
	Unclear   bool     `json:"unclear,omitempty"` // its license statements conflict
}

// FactsOf takes the facts of a catalog record.
func FactsOf(r catalog.Record) Facts {
	return Facts{
		ID: r.ID, Title: r.Title, URL: r.URL, Creators: r.Creators, License: r.License.ID,
		Languages: r.Languages, Types: r.ResourceTypes, Hidden: r.Withheld() || r.Deleted, Unclear: r.License.Conflict,
	}
}

// Answer is a learner's answer; which fields count depends on the question's kind.
type Answer struct {
	Choice  string `json:"choice,omitempty"`  // "yes" or "no": may, combine
	License string `json:"license,omitempty"` // license; combine: the license of the result
	Text    string `json:"text,omitempty"`    // attribution
	Record  string `json:"record,omitempty"`  // find: a record id or the address of its page
}

// Result is a graded answer with its explanation.
type Result struct {
	Correct     bool                 `json:"correct"`
	Summary     string               `json:"summary"`
	Explanation []string             `json:"explanation"`
	Attribution *attribution.Verdict `json:"attribution,omitempty"`
}

// Grade grades an answer to a question whose records have the facts given (in the question's
// order); found holds the facts of the record a learner submitted to a find question. An
// answer that cannot be graded (empty, too long, a malformed choice) is a *FieldError, and
// nothing should be kept of it.
func Grade(q Question, facts []Facts, a Answer, found *Facts) (Result, error) {
	lo, hi := q.Kind.records()
	if len(facts) < lo || len(facts) > hi {
		return Result{}, fmt.Errorf("grade %s question: %d records: %w", q.Kind, len(facts), ErrNotFound)
	}
	switch q.Kind {
	case KindLicense:
		return gradeLicense(facts[0], a)
	case KindMay:
		return gradeMay(q, facts[0], a)
	case KindAttribution:
		return gradeAttribution(q, facts[0], a)
	case KindCombine:
		return gradeCombine(facts, a)
	case KindFind:
		return gradeFind(*q.Find, found)
	}
	return Result{}, &FieldError{"kind", fmt.Sprintf("unknown question kind %q", q.Kind)}
}

// readLicense reads a learner's license answer: an id, a short name or a deed link.
func readLicense(s string) (license.Tool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return license.Tool{}, &FieldError{"license", "name a license, e.g. CC BY-SA 4.0"}
	}
	if len(s) > MaxPrompt {
		return license.Tool{}, &FieldError{"license", fmt.Sprintf("a license name is at most %d bytes", MaxPrompt)}
	}
	if t, ok := license.Lookup(s); ok {
		return t, nil
	}
	return license.Parse(s).Tool, nil
}

func labelOf(id string) string {
	if t, ok := license.Lookup(id); ok {
		return t.Label
	}
	if id == "" {
		return "unknown"
	}
	return id
}

// explain is the knowledge base's plain-language account of a license, a line per point.
func explain(id string) []string {
	e, ok := license.Explain(id)
	if !ok {
		return []string{"The record's license could not be read: treat the work as all rights reserved until the rights holder says otherwise."}
	}
	out := []string{fmt.Sprintf("%s (%s): %s", labelOf(id), e.Title, e.Summary)}
	for _, part := range []struct {
		head  string
		lines []string
	}{{"You may", e.May}, {"You must", e.Must}, {"You must not", e.MustNot}, {"Note", e.Notes}} {
		for _, l := range part.lines {
			out = append(out, part.head+": "+lowerFirst(l))
		}
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "CC") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func gradeLicense(f Facts, a Answer) (Result, error) {
	got, err := readLicense(a.License)
	if err != nil {
		return Result{}, err
	}
	want, _ := license.Lookup(f.License)
	r := Result{Correct: got.ID != "" && got.ID == f.License}
	switch {
	case r.Correct:
		r.Summary = fmt.Sprintf("Right: “%s” is under %s.", f.Title, want.Label)
	case got.ID == "":
		r.Summary = fmt.Sprintf("“%s” is not a license Orchard knows: give a name such as CC BY-SA 3.0 DE or a deed link.", strings.TrimSpace(a.License))
	case f.License == "":
		r.Summary = "Not quite: the record's license could not be read, so no license may be assumed."
	case got.Family != want.Family:
		r.Summary = fmt.Sprintf("Not quite: you named %s, but the record's license is %s; the license elements differ.", got.Label, want.Label)
	case got.Version != want.Version:
		r.Summary = fmt.Sprintf("Not quite: the elements are right, but the version is %s, not %s.", want.Version, got.Version)
	default:
		r.Summary = fmt.Sprintf("Not quite: the version is right, but the port differs: the record's license is %s.", want.Label)
	}
	r.Explanation = explain(f.License)
	return r, nil
}

// yes reads a yes-or-no choice.
func yes(choice string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(choice)) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, &FieldError{"choice", "answer yes or no"}
}

// May says whether a license allows the action, and why, in one sentence.
func May(id string, act Action, target string) (bool, string) {
	t, ok := license.Lookup(id)
	shareable := ok && (t.Kind == license.KindCC || t.Kind == license.KindPublicDomain || t.Kind == license.KindSoftware)
	if !shareable {
		return false, fmt.Sprintf("%s gives no permission to share: only the rights holder can give it.", labelOf(id))
	}
	switch act {
	case ActionAdapt:
		if !t.Derivatives {
			return false, fmt.Sprintf("%s allows sharing the work only as it is, not adapted.", t.Label)
		}
		return true, fmt.Sprintf("%s allows adaptations.", t.Label)
	case ActionCommercial:
		if !t.Commercial {
			return false, fmt.Sprintf("%s forbids uses mainly for commercial advantage.", t.Label)
		}
		return true, fmt.Sprintf("%s allows commercial use.", t.Label)
	case ActionShareAdapted:
		c := license.Compatible(id, target)
		if !c.Possible || !slices.Contains(c.Licenses, target) {
			return false, fmt.Sprintf("An adaptation of a %s work may not go out under %s. %s", t.Label, labelOf(target), c.Reason)
		}
		return true, fmt.Sprintf("An adaptation of a %s work may go out under %s. %s", t.Label, labelOf(target), c.Reason)
	}
	return true, fmt.Sprintf("%s allows copying and sharing the work.", t.Label)
}

func gradeMay(q Question, f Facts, a Answer) (Result, error) {
	said, err := yes(a.Choice)
	if err != nil {
		return Result{}, err
	}
	allowed, why := May(f.License, q.Action, q.License)
	r := Result{Correct: said == allowed}
	if r.Correct {
		r.Summary = "Right. " + why
	} else {
		r.Summary = "Not quite. " + why
	}
	r.Explanation = explain(f.License)
	return r, nil
}

func gradeAttribution(q Question, f Facts, a Answer) (Result, error) {
	text := strings.TrimSpace(a.Text)
	switch {
	case text == "":
		return Result{}, &FieldError{"text", "write the attribution"}
	case len(a.Text) > MaxText:
		return Result{}, &FieldError{"text", fmt.Sprintf("an attribution here is at most %d bytes (this one has %d); a good one fits in two lines", MaxText, len(a.Text))}
	}
	res, err := attribution.Check(attribution.Expected{
		Title: f.Title, Authors: f.Creators, SourceURL: f.URL, License: f.License, Adapted: q.Adapted,
	}, text)
	if errors.Is(err, attribution.ErrInvalid) {
		return Result{Summary: "This record's license could not be read, so there is nothing to attribute it under.", Explanation: explain(f.License)}, nil
	} else if err != nil {
		return Result{}, &FieldError{"text", err.Error()}
	}
	v := res.Verdict()
	r := Result{Correct: res.OK, Attribution: &v}
	switch len(res.Problems) {
	case 0:
		r.Summary = "Right: title, author, source and license are all there."
	case 1:
		r.Summary = "Not quite: " + res.Problems[0] + "."
	default:
		r.Summary = fmt.Sprintf("Not quite: %s; and %d more below.", res.Problems[0], len(res.Problems)-1)
	}
	for _, e := range res.Elements() {
		line := fmt.Sprintf("%s: %s", strings.ToUpper(e.Name[:1])+e.Name[1:], e.State())
		if e.Problem != "" {
			line += " (" + e.Problem + ")"
		}
		r.Explanation = append(r.Explanation, line)
	}
	r.Explanation = append(r.Explanation, res.General...)
	r.Explanation = append(r.Explanation, explain(f.License)...)
	return r, nil
}

func gradeCombine(facts []Facts, a Answer) (Result, error) {
	said, err := yes(a.Choice)
	if err != nil {
		return Result{}, err
	}
	var chosen license.Tool
	if said {
		if chosen, err = readLicense(a.License); err != nil {
			return Result{}, err
		}
	}
	items := make([]remix.Item, len(facts))
	for i, f := range facts {
		items[i] = remix.Item{Title: f.Title, License: f.License}
	}
	ad := remix.New(items).Adaptation
	r := Result{}
	labels := make([]string, len(ad.Licenses))
	for i, id := range ad.Licenses {
		labels[i] = labelOf(id)
	}
	switch {
	case !said && !ad.Possible:
		r.Correct, r.Summary = true, "Right: these works cannot be combined into one adaptation that may be shared."
	case !said:
		r.Summary = "Not quite: they can be combined; the result may go under " + strings.Join(labels, ", ") + "."
	case !ad.Possible:
		r.Summary = "Not quite: these works cannot be combined into one adaptation that may be shared."
	case slices.Contains(ad.Licenses, chosen.ID):
		r.Correct, r.Summary = true, fmt.Sprintf("Right: the combination may go out under %s.", chosen.Label)
	default:
		r.Summary = fmt.Sprintf("Half right: they can be combined, but not under %s; the result may go under %s.", labelOf(chosen.ID), strings.Join(labels, ", "))
	}
	if ad.Reason != "" {
		r.Explanation = append(r.Explanation, ad.Reason)
	}
	if c := ad.Clash; c != nil {
		r.Explanation = append(r.Explanation, fmt.Sprintf("“%s” (%s) and “%s” (%s) clash: %s",
			facts[c.A].Title, labelOf(facts[c.A].License), facts[c.B].Title, labelOf(facts[c.B].License), c.Reason))
	}
	for _, b := range ad.Blockers {
		r.Explanation = append(r.Explanation, fmt.Sprintf("“%s”: %s", facts[b.Item].Title, b.Reason))
	}
	for _, f := range facts {
		if e, ok := license.Explain(f.License); ok {
			r.Explanation = append(r.Explanation, fmt.Sprintf("“%s” is under %s: %s", f.Title, labelOf(f.License), e.Summary))
		}
	}
	return r, nil
}

func gradeFind(want Find, f *Facts) (Result, error) {
	if f == nil {
		return Result{}, &FieldError{"record", "that record is not in the catalog: give its id or the address of its page in Orchard"}
	}
	var failed, checks []string
	check := func(ok bool, good, bad string) {
		if ok {
			checks = append(checks, "✓ "+good)
		} else {
			checks = append(checks, "✗ "+bad)
			failed = append(failed, bad)
		}
	}
	check(!f.Hidden, "visible in the catalog", "a librarian took it out of the catalog")
	check(!f.Unclear && f.License != "", "its license is clear", "its license is unclear: its rights statements are missing or conflict")
	if len(want.Languages) > 0 {
		check(overlaps(want.Languages, f.Languages), "in "+names(want.Languages, lang.Name), "not in "+names(want.Languages, lang.Name)+" (it is in "+names(f.Languages, lang.Name)+")")
	}
	if len(want.Types) > 0 {
		check(overlaps(want.Types, f.Types), "a "+names(want.Types, nil), "not a "+names(want.Types, nil)+" (it is a "+names(f.Types, nil)+")")
	}
	t, _ := license.Lookup(f.License)
	if len(want.Families) > 0 {
		check(slices.Contains(want.Families, t.Family), "under "+names(want.Families, labelOf), "not under "+names(want.Families, labelOf)+" (it is under "+labelOf(f.License)+")")
	}
	if want.Commercial {
		ok, why := May(f.License, ActionCommercial, "")
		check(ok, why, why)
	}
	if want.Derivatives {
		ok, why := May(f.License, ActionAdapt, "")
		check(ok, why, why)
	}
	if want.Open {
		check(t.Open, labelOf(f.License)+" is an open license", labelOf(f.License)+" is not an open license")
	}
	r := Result{Correct: len(failed) == 0, Explanation: append(checks, explain(f.License)...)}
	if r.Correct {
		r.Summary = fmt.Sprintf("Right: “%s” fits.", f.Title)
	} else {
		r.Summary = fmt.Sprintf("Not quite: “%s” is %s.", f.Title, strings.Join(failed, "; "))
	}
	return r, nil
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(v string) bool { return slices.Contains(b, v) })
}

// names joins values with "or", each shown by name when one is given.
func names(vs []string, name func(string) string) string {
	if len(vs) == 0 {
		return "none given"
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v
		if name != nil {
			out[i] = name(v)
		}
	}
	return strings.Join(out, " or ")
}
