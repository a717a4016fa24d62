package catalogtest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

// testHostileQueries sends the queries that would make an unbounded index work hard: they are
// refused without repeating the query, or answered, and never fail the index.
func testHostileQueries(t *testing.T, ix catalog.Index) {
	longWord := strings.Repeat("a", catalog.MaxQueryBytes)
	// As many of the longest fuzzy words as a query may hold: the most typo matching one query
	// can ask for.
	fuzzy := strings.TrimSpace(strings.Repeat(strings.Repeat("b", catalog.MaxFuzzyRunes)+" ", catalog.MaxQueryWords))
	for _, tc := range []struct {
		name, query string
		refused     bool
	}{
		{"one megabyte", strings.Repeat("x", 1<<20), true},
		{"one byte too long", longWord + "a", true},
		{"one word too many", strings.Repeat("w ", catalog.MaxQueryWords) + "w", true},
		{"longest word", longWord, false},
		{"most fuzzy words", fuzzy, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ix.Search(t.Context(), catalog.SearchRequest{Query: tc.query, Facets: catalog.Facets})
			switch {
			case !tc.refused && err != nil:
				t.Fatalf("search: %v", err)
			case tc.refused && !errors.Is(err, catalog.ErrInvalid):
				t.Fatalf("search error %v, want ErrInvalid", err)
			case tc.refused && len(err.Error()) > 200:
				t.Errorf("the error repeats the query: %.200s…", err)
			}
		})
	}
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 20 {
			q := longWord
			if i%2 == 1 {
				q = fuzzy
			}
			wg.Go(func() {
				if _, err := ix.Search(t.Context(), catalog.SearchRequest{Query: q, Facets: catalog.Facets}); err != nil {
					t.Errorf("search: %v", err)
				}
			})
		}
		wg.Wait()
	})
	t.Run("client gone", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := ix.Search(ctx, catalog.SearchRequest{Query: fuzzy}); !errors.Is(err, context.Canceled) {
			t.Errorf("search with the client gone: %v, want context.Canceled", err)
		}
	})
}
