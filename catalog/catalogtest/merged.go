package catalogtest

import (
	"maps"
	"slices"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

// testMergedEntry: an entry several sources offer (catalog.Merge) is one hit, found by the
// filter of each of its sources, counted once in each source's facet and in the stats, and read
// back with its sources and their evidence.
func testMergedEntry(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	var cells catalog.Record
	for _, r := range Fixtures() {
		if r.ID == "en-cells" {
			cells = r
		}
	}
	mirror := cells
	mirror.ID, mirror.Source, mirror.OriginID = "delta-cells", "delta", "oai:delta:cells"
	mirror.License.Evidence = []catalog.Evidence{{From: "dc:rights", Value: "CC BY-ND 4.0", ID: "CC-BY-ND-4.0"}}
	entry := catalog.Merge([]catalog.Record{cells, mirror})
	if err := ix.Upsert(ctx, []catalog.Record{entry}); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"gamma", "delta"} {
		res := search(t, ix, catalog.SearchRequest{Query: "membranes", Filter: catalog.Filter{Sources: []string{src}}, Facets: []string{catalog.FacetSource}})
		if !slices.Equal(ids(res.Hits), []string{"en-cells"}) || res.Total != 1 {
			t.Errorf("source %s: hits %v (total %d), want the entry once", src, ids(res.Hits), res.Total)
		}
		if want := map[string]int{"gamma": 1, "delta": 1}; !maps.Equal(res.Facets[catalog.FacetSource], want) {
			t.Errorf("source %s: source facet %v, want %v", src, res.Facets[catalog.FacetSource], want)
		}
	}
	st, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"alpha": 4, "beta": 3, "gamma": 2, "delta": 1}; st.Records != 9 || !maps.Equal(st.BySource, want) {
		t.Errorf("stats = %+v, want 9 records by source %v", st, want)
	}
	got, err := ix.Get(ctx, "en-cells")
	if err != nil || jsonOf(t, got) != jsonOf(t, entry) {
		t.Errorf("get entry = %+v, %v; want %+v", got, err, entry)
	}
}
