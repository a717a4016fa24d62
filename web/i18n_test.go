package web

import (
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/lab"
	"github.com/orchard-oer/orchard/locale"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/normalizer/restype"
	"github.com/orchard-oer/orchard/workers"
)

// hole stands for an action in the text of a template.
const hole = "\x00"

// flatten writes a template tree's text in document order, each action as a hole, the branches
// of if, range and with one after the other.
func flatten(n parse.Node, b *strings.Builder) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			flatten(c, b)
		}
	case *parse.TextNode:
		b.Write(n.Text)
	case *parse.IfNode:
		flattenBranch(&n.BranchNode, b)
	case *parse.RangeNode:
		flattenBranch(&n.BranchNode, b)
	case *parse.WithNode:
		flattenBranch(&n.BranchNode, b)
	default:
		b.WriteString(hole)
	}
}

func flattenBranch(n *parse.BranchNode, b *strings.Builder) {
	b.WriteString(hole)
	flatten(n.List, b)
	b.WriteString(hole)
	flatten(n.ElseList, b)
	b.WriteString(hole)
}

var (
	scriptOrStyle = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`)
	tag           = regexp.MustCompile(`<[^>]*>`)
	// shownAttr are attributes whose values people read or hear.
	shownAttr = regexp.MustCompile(`\b(aria-label|title|placeholder|alt)="([^"]*)"`)
	letter    = regexp.MustCompile(`\pL`)
	// untranslated are the words that are the same in every language: the brand, names of
	// formats and commands, and the codes that placeholders show as examples of what to type
	// (license ids and labels, record ids, language and type codes, addresses).
	untranslated = regexp.MustCompile(`\b(Orchard|API|HTML|URL|orchard token create)\b|\bCC[-\w. ]*|\b[a-z]{2}-[a-z]+\b|https://\S*|^de, fr$|^video$`)
)

// literalText lists the text of a template that people see and that no translation call
// writes.
func literalText(src string) []string {
	var out []string
	src = scriptOrStyle.ReplaceAllString(src, hole)
	for _, m := range tag.FindAllString(src, -1) {
		for _, a := range shownAttr.FindAllStringSubmatch(m, -1) {
			out = append(out, strings.Split(a[2], hole)...)
		}
	}
	out = append(out, strings.Split(tag.ReplaceAllString(src, hole), hole)...)
	var lit []string
	for _, s := range out {
		if s = strings.TrimSpace(untranslated.ReplaceAllString(s, "")); letter.MatchString(s) {
			lit = append(lit, s)
		}
	}
	return lit
}

func englishSets(t *testing.T) (*pages, map[string]*template.Template) {
	t.Helper()
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]*template.Template{}
	for name := range p.langs["en"].sets {
		sets[name], _ = p.set(name, "en")
	}
	return p, sets
}

// TestTemplatesHaveNoLiteralText: every word a page shows comes from a translation call.
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	probe := template.Must(template.New("probe").Funcs(template.FuncMap{"t": func(string) string { return "" }}).
		Parse(`<p title="Read {{.X}}">{{t "a"}} Hello <b>{{if .Y}}{{.Y}}{{else}}none{{end}}</b> © Orchard</p>`))
	var pb strings.Builder
	flatten(probe.Tree.Root, &pb)
	if got := literalText(pb.String()); !slices.Equal(got, []string{"Read", "Hello", "none"}) {
		t.Fatalf("the walk finds %q", got)
	}
	_, sets := englishSets(t)
	if len(sets) < 10 {
		t.Fatalf("only %d pages", len(sets))
	}
	seen := map[string]bool{}
	for page, set := range sets {
		for _, tm := range set.Templates() {
			if tm.Tree == nil || seen[tm.Name()+page] {
				continue
			}
			seen[tm.Name()+page] = true
			var b strings.Builder
			flatten(tm.Tree.Root, &b)
			for _, lit := range literalText(b.String()) {
				t.Errorf("%s: template %q shows %q without translation", page, tm.Name(), lit)
			}
		}
	}
}

// messageCall finds the ids that templates look up literally, goCall those Go code does.
var (
	messageCall = regexp.MustCompile(`\{\{[^}]*\b(?:t|tOr) "([^"]+)"`)
	goCall      = regexp.MustCompile(`\.T\("([^"]+)"`)
)

// TestTemplateMessagesExist: every message a template or the pages' Go code names exists, with
// the ids made of a prefix and a value for every value.
func TestTemplateMessagesExist(t *testing.T) {
	p, _ := englishSets(t)
	files, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range files {
		src, err := templateFS.ReadFile("templates/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range messageCall.FindAllStringSubmatch(string(src), -1) {
			if !strings.HasSuffix(m[1], ".") {
				ids = append(ids, m[1])
			}
		}
	}
	if len(ids) < 200 {
		t.Fatalf("only %d message calls found", len(ids))
	}
	for _, s := range []workers.RunStatus{workers.StatusQueued, workers.StatusRunning, workers.StatusSucceeded, workers.StatusFailed, workers.StatusCancelled} {
		ids = append(ids, "runs.status."+string(s))
	}
	for _, tr := range []string{workers.TriggerManual, workers.TriggerSchedule} {
		ids = append(ids, "runs.trigger."+tr)
	}
	for _, st := range []catalog.Status{catalog.StatusOpen, catalog.StatusClosed, catalog.StatusUnknown, catalog.StatusConflict} {
		ids = append(ids, "status."+string(st))
	}
	for _, o := range license.Opennesses() {
		ids = append(ids, "openness."+o.ID+".label", "openness."+o.ID+".description")
	}
	for _, a := range []lab.Action{lab.ActionShare, lab.ActionAdapt, lab.ActionCommercial, lab.ActionShareAdapted} {
		ids = append(ids, "lab.action."+string(a))
	}
	for _, f := range pageFacets {
		ids = append(ids, f.label)
	}
	for _, o := range sorts("") {
		ids = append(ids, o.Label)
	}
	for _, n := range elementNames {
		ids = append(ids, n)
	}
	for _, s := range []string{"year_from", "year_to", "status", "family"} {
		ids = append(ids, "filter."+s)
	}
	for _, a := range funcs["attrs"].(func(attribution) []labelled)(attribution{}) {
		ids = append(ids, a.Label)
	}
	for _, ty := range []string{restype.Article, restype.Assessment, restype.Audio, restype.Book, restype.Course,
		restype.Dataset, restype.Exercise, restype.Image, restype.Interactive, restype.Lesson, restype.Presentation,
		restype.Software, restype.Text, restype.Video, restype.Other} {
		ids = append(ids, "type."+ty)
	}
	ids = append(ids, "want.commercial", "want.derivatives", "filter.not_free", "want.heading",
		"steps.add", "steps.add.hint", "steps.add.action", "steps.run", "steps.run.hint", "steps.run.action", "steps.run.open",
		"steps.settle", "steps.settle.hint", "steps.settle.action", "steps.settle.waiting")
	// What handlers write themselves (charts) they look up with T.
	goFiles, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goCall.FindAllStringSubmatch(string(src), -1) {
			if !strings.HasSuffix(m[1], ".") {
				ids = append(ids, m[1])
			}
		}
	}
	for _, id := range ids {
		if !p.catalog.Has(id) {
			t.Errorf("message %q is used but not in en.toml", id)
		}
	}
}

// TestKnowledgeBaseTranslated: every sentence the license knowledge base writes for a page (the
// explanation of every license, the standings, remix reasons) has a translation.
func TestKnowledgeBaseTranslated(t *testing.T) {
	p, _ := englishSets(t)
	sentences := map[string]bool{explain(catalog.License{}).Summary: true}
	for _, tool := range license.All() {
		e := explain(catalog.License{ID: tool.ID})
		for _, s := range slices.Concat([]string{e.Summary}, e.May, e.Must, e.Cannot, e.Notes) {
			sentences[s] = true
		}
		sentences[tool.Standing()] = true
	}
	sentences[normalizer.Standing(catalog.License{ID: "CC-BY-4.0", Conflict: true})] = true
	for _, pair := range [][]string{{}, {"CC-BY-4.0", "nonsense"}, {"CC-BY-SA", "CC-BY-4.0"}, {"CC-BY-ND-4.0", "CC-BY-4.0"},
		{"CC-BY-SA-4.0", "CC-BY-NC-SA-4.0"}, {"CC0-1.0", "CC-PDM-1.0"}, {"CC-BY-SA-4.0", "CC-BY-4.0"},
		{"CC-BY-SA-4.0", "CC-BY-SA-3.0"}, {"CC-BY-NC-4.0", "CC-BY-4.0"}, {"CC-BY-NC-4.0", "CC-BY-NC-3.0"}, {"CC-BY-4.0", "CC0-1.0"}} {
		sentences[license.Compatible(pair...).Reason] = true
	}
	for _, code := range locale.Codes[1:] {
		l := p.catalog.For(code)
		for s := range sentences {
			if l.Known(s) == s {
				t.Errorf("%s: no translation of %q", code, s)
			}
		}
	}
}

// TestPagesSpeakTheirLanguage: Accept-Language picks the language, ?locale= and the cookie it
// sets override it, and the page says which it speaks.
func TestPagesSpeakTheirLanguage(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	get := func(path, accept string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.ts.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		code, body, _ := b.send(req)
		return code, body
	}
	for _, tc := range []struct {
		path, accept string
		code         int
		has, not     []string
	}{
		{"/", "de-DE,de;q=0.9,en;q=0.5", 200,
			[]string{`<html lang="de">`, "Offene Bildungsmaterialien suchen", "6 Ressourcen", "Ich möchte", "Creative Commons und Gemeinfreies",
				`data-lang="fr"`, `hreflang="es"`, "locale=es", `aria-current="true" data-lang="de"`},
			[]string{"Search resources", "I want to", " resources<"}},
		{"/records/fr-educ", "de", 200,
			[]string{"Was Sie tun dürfen", "Namensnennung - Nicht kommerziell 4.0 International", "Das Werk in jedem Medium und Format",
				"Sie dürfen das Werk nachnutzen und bearbeiten, aber nicht für kommerzielle Zwecke.", "Quellenangabe", "Einige Rechte vorbehalten"},
			[]string{"What you may do", "Copy and share", "Attribution</h2>"}},
		{"/records/en-history", "es", 200,
			[]string{`<html lang="es">`, "La reutilización requiere permiso", "A quién preguntar"}, []string{"Reuse needs permission"}},
		{"/no/such/page", "fr-CA,fr", 404, []string{"Introuvable", "Rechercher plutôt dans le catalogue"}, []string{"Not found"}},
		{"/?year=abc", "fr", 400, []string{"« year »", "doit être une année"}, []string{"must be a year"}},
		{"/?q=zebra&lang=de&openness=any", "es", 200, []string{"Sin «Idioma: alemán»"}, []string{"German"}},
		{"/", "ja", 200, []string{`<html lang="en">`, "6 resources"}, nil},
		// ?locale= wins over Accept-Language and is remembered.
		{"/?locale=fr", "de", 200, []string{`<html lang="fr">`, "6 ressources"}, nil},
		{"/records/en-photo", "de", 200, []string{`<html lang="fr">`, "Ce que vous pouvez faire"}, nil},
		{"/?locale=en", "de", 200, []string{`<html lang="en">`}, nil},
		{"/", "de", 200, []string{`<html lang="en">`}, nil},
	} {
		code, body := get(tc.path, tc.accept)
		if code != tc.code {
			t.Errorf("%s (%s): %d, want %d", tc.path, tc.accept, code, tc.code)
		}
		checkPage(t, tc.path+" "+tc.accept, body, tc.has, tc.not)
	}
	// The API stays in English whatever the browser asks for.
	code, body, _ := h.doWith("GET", "/api/search?year=abc", nil, func(r *http.Request) { r.Header.Set("Accept-Language", "de") })
	if code != 400 || !strings.Contains(string(body), "must be a year") {
		t.Errorf("API error in another language: %d %s", code, body)
	}
}

// TestSwitcherKeepsTheSearch: the switcher's links lead to the same page with the same query.
func TestSwitcherKeepsTheSearch(t *testing.T) {
	h := newHarness(t)
	_, body, _ := h.browser().get("/?q=cell&lang=en")
	if !strings.Contains(body, `href="/?lang=en&amp;locale=de&amp;q=cell"`) {
		t.Errorf("switcher link to German loses the search:\n%.2000s", body[strings.Index(body, `class="langs"`):])
	}
}
