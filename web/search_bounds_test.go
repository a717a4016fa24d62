package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// searchAnswer is one answer to an attacking search.
type searchAnswer struct {
	status int
	body   []byte
	took   time.Duration
	err    error
}

func getSearch(client *http.Client, base, path, q string) searchAnswer {
	start := time.Now()
	resp, err := client.Get(base + path + "?q=" + url.QueryEscape(q))
	if err != nil {
		return searchAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return searchAnswer{status: resp.StatusCode, body: b, took: time.Since(start), err: err}
}

// TestSearchAttacksAreBounded sends the searches that once took the server down: each gets its
// answer (refused, naming q, without repeating the query; or a result), and the heap stays small.
func TestSearchAttacksAreBounded(t *testing.T) {
	h := newHarness(t)
	fuzzy := strings.TrimSpace(strings.Repeat(strings.Repeat("q", catalog.MaxFuzzyRunes)+" ", catalog.MaxQueryWords))
	for _, tc := range []struct {
		name       string
		path       string
		query      string
		concurrent int
		want       int
	}{
		{"one megabyte", "/api/search", strings.Repeat("a", 1_000_000), 1, http.StatusBadRequest},
		{"one megabyte on the page", "/", strings.Repeat("a", 1_000_000), 1, http.StatusBadRequest},
		{"3,000 letters", "/api/search", strings.Repeat("b", 3000), 20, http.StatusBadRequest},
		{"too many words", "/api/search", strings.Repeat("cell ", catalog.MaxQueryWords+1), 20, http.StatusBadRequest},
		{"longest word", "/api/search", strings.Repeat("c", catalog.MaxQueryBytes), 20, http.StatusOK},
		{"most fuzzy words", "/api/search", fuzzy, 20, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			heap := testenv.WatchHeap()
			answers := make([]searchAnswer, tc.concurrent)
			var wg sync.WaitGroup
			start := time.Now()
			for i := range answers {
				wg.Go(func() { answers[i] = getSearch(h.ts.Client(), h.ts.URL, tc.path, tc.query) })
			}
			wg.Wait()
			elapsed, grew := time.Since(start), heap.Growth()
			var slowest time.Duration
			for _, a := range answers {
				if a.err != nil {
					t.Fatal(a.err)
				}
				slowest = max(slowest, a.took)
				if a.status != tc.want {
					t.Fatalf("status %d, want %d: %.300s", a.status, tc.want, a.body)
				}
				if strings.Contains(string(a.body), tc.query[:min(len(tc.query), 200)]+tc.query[:1]) {
					t.Fatalf("the answer repeats the query")
				}
				if tc.want == http.StatusBadRequest && tc.path == "/api/search" {
					var e apiError
					if err := json.Unmarshal(a.body, &e); err != nil || e.Param != "q" {
						t.Fatalf("refusal %s does not name q (%v)", a.body, err)
					}
				}
			}
			t.Logf("%d × %s: all answered in %v, slowest %v, heap in use grew %.1f MB",
				tc.concurrent, tc.name, elapsed, slowest, float64(grew)/(1<<20))
			if bound := testenv.HeapBound(50 << 20); grew > bound {
				t.Errorf("heap in use grew by %d MB, want under %d MB", grew>>20, bound>>20)
			}
		})
	}
}
