package catalogtest

import (
	"maps"
	"slices"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

// testFields checks the ISCED-F fields: the facet counts a record under its fields and every
// broader one, a filter by a field finds everything below it, and a field's label in any
// language finds what is filed under it, while subjects that name no field stay searchable.
func testFields(t *testing.T, ix catalog.Index) {
	res := search(t, ix, catalog.SearchRequest{Facets: []string{catalog.FacetField}})
	want := map[string]int{
		"01": 1, "011": 1, // fr-educ: Éducation
		"02": 1, "022": 1, "0222": 1, // en-history: History
		"05": 4, "051": 3, "0511": 3, "053": 2, "0531": 1, "0533": 1, // biology, chemistry, física
		"08": 1, "081": 1, // en-apple: Agriculture
	}
	if got := res.Facets[catalog.FacetField]; !maps.Equal(got, want) {
		t.Errorf("field facet = %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name   string
		fields []string
		want   []string
	}{
		{"broad field", []string{"05"}, []string{"de-zelle", "en-cells", "en-photo", "es-nino"}},
		{"narrow field", []string{"051"}, []string{"de-zelle", "en-cells", "en-photo"}},
		{"detailed field", []string{"0531"}, []string{"en-cells"}},
		{"fields OR", []string{"0533", "08"}, []string{"en-apple", "es-nino"}},
		{"no record", []string{"0613"}, nil},
	} {
		t.Run("filter "+tc.name, func(t *testing.T) {
			res := search(t, ix, catalog.SearchRequest{Filter: catalog.Filter{Fields: tc.fields}, PerPage: 50})
			if got := sorted(ids(res.Hits)); !slices.Equal(got, tc.want) {
				t.Errorf("fields %v found %v, want %v", tc.fields, got, tc.want)
			}
		})
	}
	biology := []string{"de-zelle", "en-cells", "en-photo"}
	science := []string{"de-zelle", "en-cells", "en-photo", "es-nino"}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Biologie", biology},            // de and fr
		{"biología", biology},            // es
		{"Biology", biology},             // en, also de-zelle filed as "Biologie"
		{"Naturwissenschaften", science}, // a broad field finds all below it
		{"sciences naturelles", science},
		{"ciencias naturales", science},
		{"Chemie", []string{"en-cells"}},
		{"Geschichte", []string{"en-history"}},
		{"Pädagogik", []string{"fr-educ"}},
	} {
		t.Run("query "+tc.query, func(t *testing.T) {
			res := search(t, ix, catalog.SearchRequest{Query: tc.query, PerPage: 50})
			if got := sorted(ids(res.Hits)); !slices.Equal(got, tc.want) {
				t.Errorf("%q found %v, want %v", tc.query, got, tc.want)
			}
		})
	}
	// A subject that names no field stays as it is, and searchable.
	savanna := catalog.Record{ID: "en-savanna", Source: "gamma", OriginID: "gamma-savanna", Title: "Life on the plains",
		Subjects: []string{"Savanna animals"}, License: license("CC0-1.0", "CC0", true, true, true)}
	savanna.SetFields()
	if err := ix.Upsert(t.Context(), []catalog.Record{savanna}); err != nil {
		t.Fatal(err)
	}
	res = search(t, ix, catalog.SearchRequest{Query: "savanna", Facets: []string{catalog.FacetField, catalog.FacetSubject}})
	if got := ids(res.Hits); !slices.Equal(got, []string{"en-savanna"}) || len(res.Facets[catalog.FacetField]) != 0 ||
		res.Facets[catalog.FacetSubject]["Savanna animals"] != 1 {
		t.Errorf("savanna found %v with facets %v; want en-savanna under its subject and no field", got, res.Facets)
	}
}
