package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

func TestPageLang(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ accept, want string }{
		{"", "en"},
		{"de-DE,de;q=0.9,en;q=0.5", "de"},
		{"fr-CA", "fr"},
		{"es-419,es;q=0.9", "es"},
		{"it,fr;q=0.5", "fr"},
		{"ja", "en"},
		{"not a header;;", "en"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", tc.accept)
		if got := h.srv.lang(r); got != tc.want {
			t.Errorf("pageLang(%q) = %s, want %s", tc.accept, got, tc.want)
		}
	}
}

func TestFieldNotations(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
		err  bool
	}{
		{[]string{"0511"}, []string{"0511"}, false},
		{[]string{"ISCED 05"}, []string{"05"}, false},
		{[]string{"Biologie,Physics"}, []string{"0511", "0533"}, false},
		{[]string{"Business, administration and law"}, []string{"04"}, false},
		{[]string{"Informática", "061"}, []string{"061", "061"}, false},
		{[]string{"Biologie,Alchemy"}, nil, true},
	} {
		got, err := fieldNotations(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("fieldNotations(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestSubjectTree checks the subject facet of the search page: the fields as nested lists in
// the page's language with counts, a field chosen by any of its names, the branch above it
// open, and free subjects that name no field listed apart.
func TestSubjectTree(t *testing.T) {
	h := newHarness(t)
	savanna := catalog.Record{ID: "en-savanna", Source: "gamma", OriginID: "gamma-savanna", Title: "Life on the plains",
		Subjects: []string{"Savanna animals"}, License: catalog.License{ID: "CC0-1.0", Family: "CC0", Commercial: true, Derivatives: true, Open: true}}
	if err := h.index.Upsert(t.Context(), []catalog.Record{savanna}); err != nil {
		t.Fatal(err)
	}
	get := func(path, accept string) string {
		t.Helper()
		code, body, _ := h.doWith("GET", path, nil, func(r *http.Request) { r.Header.Set("Accept-Language", accept) })
		if code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		return string(body)
	}
	body := get("/?openness=any", "de-DE,de;q=0.9")
	tree := section(t, body, "field")
	for _, want := range []string{
		`<ul class="tree">`,
		`href="/?field=05&amp;openness=any" class="check" data-value="05">Naturwissenschaften, Mathematik und Statistik</a> <span class="count">4</span>`,
		`data-value="051">Biologie und verwandte Wissenschaften</a> <span class="count">3</span>`,
		`data-value="0511">Biologie</a> <span class="count">3</span>`,
		`data-value="0222">Geschichte und Archäologie</a>`,
		`<details><summary><span class="visually-hidden">Engere Fachgebiete von Naturwissenschaften, Mathematik und Statistik</span></summary><ul class="tree">`,
	} {
		if !strings.Contains(tree, want) {
			t.Errorf("subject tree lacks %s:\n%s", want, tree)
		}
	}
	if i, j := strings.Index(tree, `data-value="02"`), strings.Index(tree, `data-value="05"`); i < 0 || j < i {
		t.Errorf("broad fields not in the classification's order")
	}
	if other := section(t, body, "subject"); !strings.Contains(other, "Savanna animals") || strings.Contains(other, "Biology") {
		t.Errorf("other subjects = %s; want the subject naming no field only", other)
	}

	body = get("/?openness=any&field=Biolog%C3%ADa", "fr")
	tree = section(t, body, "field")
	for _, want := range []string{
		`<details open><summary><span class="visually-hidden">Domaines plus précis de Sciences naturelles, mathématiques et statistiques</span>`,
		`href="/?openness=any" class="check on" data-value="0511">Biologie<span class="visually-hidden"> (sélectionné ; suivre le lien pour le retirer)</span></a> <span class="count">3</span>`,
	} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree with biology chosen lacks %s:\n%s", want, tree)
		}
	}
	if !strings.Contains(body, `>Discipline: Biologie <span aria-hidden="true">×</span>`) || !strings.Contains(body, `3 ressources`) {
		t.Errorf("biology chosen: no active filter or not 3 resources")
	}
	if !strings.Contains(get("/?openness=any", ""), `data-value="0511">Biology</a>`) {
		t.Errorf("without Accept-Language the tree is not in English")
	}
}

// section returns the facet section of the search page named facet.
func section(t *testing.T, body, facet string) string {
	t.Helper()
	start := strings.Index(body, `data-facet="`+facet+`"`)
	if start < 0 {
		t.Fatalf("no %s facet on the page", facet)
	}
	end := strings.Index(body[start:], "</section>")
	return body[start : start+end]
}

func TestAPIFieldFilterAndFacet(t *testing.T) {
	h := newHarness(t)
	var res struct {
		Hits   []catalog.Record          `json:"hits"`
		Total  int                       `json:"total"`
		Facets map[string]map[string]int `json:"facets"`
	}
	h.call("GET", "/api/search?openness=any&field=ISCED%2005&facets=field", "", nil, 200, &res)
	if res.Total != 4 || res.Facets["field"]["05"] != 4 || res.Facets["field"]["0533"] != 1 {
		t.Errorf("field=ISCED 05: total %d, facets %v", res.Total, res.Facets)
	}
	for _, hit := range res.Hits {
		if !slices.Contains(hit.Fields, "05") {
			t.Errorf("hit %s has fields %v", hit.ID, hit.Fields)
		}
	}
	h.call("GET", "/api/search?openness=any&q=Naturwissenschaften", "", nil, 200, &res)
	if res.Total != 4 {
		t.Errorf("q=Naturwissenschaften found %d, want the 4 records under natural sciences", res.Total)
	}
	code, body, _ := h.do("GET", "/api/search?field=Alchemy", "", nil)
	var e struct{ Error string }
	_ = json.Unmarshal(body, &e)
	if code != 400 || !strings.Contains(e.Error, "parameter field") {
		t.Errorf("unknown field: %d %s", code, body)
	}
}
