package embedded

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer"
)

// TestHugeHarvestedTitleIsIndexedCapped feeds a record with an 8 MiB title through the
// normalizer into the index: the title is stored cut, noted as cut, and the heap stays small.
func TestHugeHarvestedTitleIsIndexedCapped(t *testing.T) {
	ix := open(t, t.TempDir())
	defer ix.Close()
	heap := testenv.WatchHeap()
	raw := harvester.Record{
		OriginID: "oai:example.org:huge",
		Titles:   []string{"Photosynthesis " + strings.Repeat("leaf ", 8<<20/5)},
		Rights:   []harvester.Rights{{From: "dc:rights", Value: "https://creativecommons.org/licenses/by/4.0/"}},
	}
	rec, err := normalizer.Record("huge", raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Upsert(t.Context(), []catalog.Record{rec}); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: "photosynthesis leaf", Facets: catalog.Facets})
	if err != nil {
		t.Fatal(err)
	}
	grew := heap.Growth()
	if res.Total != 1 {
		t.Fatalf("found %d records, want the one", res.Total)
	}
	hit := res.Hits[0]
	if len(hit.Title) > 1000 || !strings.HasPrefix(hit.Title, "Photosynthesis leaf") || !slices.Contains(hit.Truncated, "title") {
		t.Errorf("stored title has %d bytes, truncated %q", len(hit.Title), hit.Truncated)
	}
	b, _ := json.Marshal(res)
	t.Logf("8 MiB title: hit of %d bytes, heap in use grew %.1f MB", len(b), float64(grew)/(1<<20))
	if len(b) > 64<<10 {
		t.Errorf("a search answer of %d bytes", len(b))
	}
	if bound := testenv.HeapBound(50 << 20); grew > bound {
		t.Errorf("heap in use grew by %d MB, want under %d MB", grew>>20, bound>>20)
	}
}
