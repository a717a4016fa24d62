package meili

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// rss reads the anonymous resident memory of a process, in bytes: its heap, without the pages
// of the index files it maps.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		var kb int64
		if _, err := fmt.Sscanf(line, "RssAnon: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	t.Fatalf("no RssAnon in /proc/%d/status", pid)
	return 0
}

// TestHostileQueriesKeepMeilisearchSmall sends 20 of each of the hardest queries Orchard lets
// through to a real Meilisearch at once, after as many ordinary ones: each is answered, and the
// server's memory stays within what concurrent searches of any kind take (its allocator keeps
// memory per worker thread: 20 ordinary searches add 17 to 50 MB as well).
func TestHostileQueriesKeepMeilisearchSmall(t *testing.T) {
	ix := newIndex(t)
	if err := ix.Upsert(t.Context(), catalogtest.Fixtures()); err != nil {
		t.Fatal(err)
	}
	pid := testenv.Meili(t).PID
	measure := func() int64 {
		if pid == 0 {
			return 0 // Meilisearch runs elsewhere: its memory is not measured
		}
		return rss(t, pid)
	}
	round := func(q string) {
		start := time.Now()
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := ix.Search(t.Context(), catalog.SearchRequest{Query: q, Facets: catalog.Facets}); err != nil {
					t.Errorf("search: %v", err)
				}
			})
		}
		wg.Wait()
		t.Logf("20 queries of %d bytes answered in %v", len(q), time.Since(start))
	}
	start := measure()
	round("photosynthesis cells")
	before := measure()
	round(strings.Repeat("c", catalog.MaxQueryBytes))
	round(strings.TrimSpace(strings.Repeat(strings.Repeat("q", catalog.MaxFuzzyRunes)+" ", catalog.MaxQueryWords)))
	grew := measure() - before
	t.Logf("Meilisearch anonymous RSS grew %.1f MB for ordinary searches, then %.1f MB for hostile ones",
		float64(before-start)/(1<<20), float64(grew)/(1<<20))
	if grew > 100<<20 {
		t.Errorf("Meilisearch RSS grew by %d MB, want under 100 MB", grew>>20)
	}
}
