package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/workers"
)

// TestOpennessChoice checks the search page's three choices, their counts and the link to
// what the current choice leaves out.
func TestOpennessChoice(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for _, tc := range []struct {
		path     string
		selected string
		has      []string
		not      []string
	}{
		{"/", "cc", []string{"6 resources", `data-more="2"`, "2 more with restrictions", `data-openness="free"`, "Free culture <span class=\"count\">4</span>",
			"Creative Commons and public domain <span class=\"count\">6</span>", "Everything <span class=\"count\">8</span>"}, []string{"open: any"}},
		{"/?openness=free", "free", []string{"4 resources", `data-more="4"`}, nil},
		{"/?open=any", "any", []string{"8 resources"}, []string{"more with restrictions", "open: any"}},
		{"/?q=history", "cc", []string{"Nothing found.", "Show 1 more with restrictions", "openness=any"}, nil},
	} {
		code, body, _ := b.get(tc.path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", tc.path, code)
		}
		if !strings.Contains(body, `data-openness="`+tc.selected+`" title=`) || !strings.Contains(body, `aria-current="true">`) {
			t.Errorf("%s: choice %s not shown as selected", tc.path, tc.selected)
		}
		checkPage(t, tc.path, body, tc.has, tc.not)
	}
}

// checkPage fails t unless body holds every string of has and none of not.
func checkPage(t *testing.T, path, body string, has, not []string) {
	t.Helper()
	for _, s := range has {
		if !strings.Contains(body, s) {
			t.Errorf("%s: page lacks %q", path, s)
		}
	}
	for _, s := range not {
		if strings.Contains(body, s) {
			t.Errorf("%s: page shows %q", path, s)
		}
	}
}

func TestGuidingPages(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for _, tc := range []struct {
		path string
		code int
		has  []string
		not  []string
	}{
		{"/no/such/page", 404, []string{"Not found", "Search the catalog instead", `href="/"`}, []string{"404 page not found"}},
		{"/records/doesnotexist", 404, []string{"Not found", "Start a new search"}, []string{"record not found", "get doesnotexist"}},
		{"/?year=abc", 400, []string{"must be a year"}, nil},
		{"/?page=99", 200, []string{"Past the last page", "found 6 resources", "Go to the last page"}, []string{"Nothing found"}},
		{"/?q=zebra&lang=de&openness=any", 200, []string{"Nothing found.", "Remove a filter:", "Without “Language: German”"}, nil},
		{"/records/en-history", 200, []string{"Reuse needs permission", "ask the rights holder"}, []string{"Paste this where you reuse", "Remix check"}},
		{"/records/fr-educ", 200, []string{"Some rights reserved", "Paste this where you reuse"}, []string{"Reuse needs permission</h2>"}},
	} {
		code, body, _ := b.get(tc.path)
		if code != tc.code {
			t.Errorf("%s: %d, want %d", tc.path, code, tc.code)
		}
		checkPage(t, tc.path, body, tc.has, tc.not)
	}
	var e apiError
	h.call("GET", "/api/nothing-here", "", nil, 404, &e)
}

// emptyIndex gives the server an index with no records.
func emptyIndex(t *testing.T) harnessOpt {
	return func(_ *Config, d *Deps) {
		ix, err := embedded.Open(embedded.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		d.Index = ix
	}
}

func TestEmptyCatalogAndFirstSteps(t *testing.T) {
	h := newHarness(t, emptyIndex(t))
	b := h.browser()
	if _, body, _ := b.get("/"); !strings.Contains(body, "Welcome to Orchard") || strings.Contains(body, "Add a first source") {
		t.Errorf("empty catalog for a learner:\n%s", body)
	}
	b.login(h.librarian)
	if _, body, _ := b.get("/"); !strings.Contains(body, "Add a first source") {
		t.Errorf("empty catalog for staff lacks the way to add a source")
	}
	_, body, _ := b.get("/admin/")
	if !strings.Contains(body, "First steps") || !strings.Contains(body, `<li class="todo">`) {
		t.Fatalf("no checklist on an empty catalog")
	}
	src := workers.Source{Source: harvester.Source{Name: "demo", Type: harvester.TypeWeb, URL: "http://127.0.0.1:1/"},
		Title: "Demo Library", Description: "Sample lessons."}
	if _, err := h.sys.Sources().Add(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	_, body, _ = b.get("/admin/")
	if !strings.Contains(body, `<li class="done">`) || !strings.Contains(body, "Open demo") {
		t.Errorf("checklist after adding a source:\n%s", body)
	}
	rec := catalog.Record{ID: "demo_1", Source: "demo", OriginID: "1", Title: "Cells", License: catalog.License{ID: "CC-BY-4.0", Family: "CC-BY", Open: true}}
	if err := h.srv.index.Upsert(t.Context(), []catalog.Record{rec}); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := b.get("/"); !strings.Contains(body, "Source: Demo Library") || !strings.Contains(body, ">Demo Library</a>") {
		t.Errorf("search page shows the source's name, not its title")
	}
	if _, body, _ := b.get("/records/demo_1"); !strings.Contains(body, "Demo Library") || !strings.Contains(body, "Sample lessons.") {
		t.Errorf("record page lacks the source's title and description")
	}
}

// TestCurationFormTakesLabels checks that the form accepts what pages show and keeps what was
// typed when it refuses.
func TestCurationFormTakesLabels(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.login(h.librarian)
	tok := b.csrf("/admin/curation")
	post := func(form url.Values) (int, string) {
		form.Set("csrf", tok)
		form.Set("action", "license")
		code, body, _ := b.post("/admin/curation/en-zebra", form)
		return code, body
	}
	if code, body := post(url.Values{"license": {"CC BY-NC 4.0"}, "note": {"from the PDF"}}); code != http.StatusSeeOther {
		t.Fatalf("label: %d %s", code, body)
	}
	var d curation.Decision
	h.call("GET", "/api/admin/overrides/en-zebra", h.librarian, nil, 200, &d)
	if d.License == nil || d.License.ID != "CC-BY-NC-4.0" {
		t.Errorf("decision %+v", d)
	}
	if code, body := post(url.Values{"license_pick": {"CC0-1.0"}}); code != http.StatusSeeOther {
		t.Fatalf("pick: %d %s", code, body)
	}
	code, body := post(url.Values{"license": {"CC BY 9.0"}, "note": {"typed with care"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `value="CC BY 9.0"`) || !strings.Contains(body, `value="typed with care"`) ||
		!strings.Contains(body, "is not a license Orchard knows") || !strings.Contains(body, `<h1 translate="no">Zebra Stripes</h1>`) {
		t.Errorf("refused label: %d\n%s", code, body)
	}
}
