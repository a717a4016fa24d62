package embedded

import (
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
)

func open(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(Config{Dir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestConformance(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) catalog.Index {
		ix := open(t, t.TempDir())
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	})
}

func TestReopenKeepsRecords(t *testing.T) {
	dir := t.TempDir()
	ix := open(t, dir)
	if err := ix.Upsert(t.Context(), catalogtest.Fixtures()); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = open(t, dir)
	defer ix.Close()
	res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: "photosynthsis"})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Hits); got != 1 || res.Hits[0].ID != "en-photo" {
		t.Errorf("after reopening, photosynthsis found %d hits, want en-photo", got)
	}
}

// Stemming is the embedded index's own: Meilisearch does not stem.
func TestStemmingByRecordLanguage(t *testing.T) {
	ix := open(t, t.TempDir())
	defer ix.Close()
	if err := ix.Upsert(t.Context(), catalogtest.Fixtures()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"Übungen", "de-zelle"},      // German plural
		{"Arbeitsblatt", "de-zelle"}, // German singular of Arbeitsblätter
		{"activité", "fr-educ"},      // French singular of activités
		{"experimento", "es-nino"},   // Spanish singular
		{"diagram", "en-cells"},      // English singular of diagrams
		{"zebra", "en-zebra"},
	} {
		res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: tc.query + " "})
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			got[i] = h.ID
		}
		if !slices.Contains(got, tc.want) {
			t.Errorf("%q found %v, want %s", tc.query, got, tc.want)
		}
	}
}

func TestSnippetCropsAroundFirstMatch(t *testing.T) {
	ix := open(t, t.TempDir())
	defer ix.Close()
	words := make([]byte, 0, 600)
	for range 60 {
		words = append(words, "lorem "...)
	}
	desc := string(words) + "target <b> " + string(words)
	rec := catalog.Record{ID: "long", Source: "s", Title: "Long text", Description: desc}
	if err := ix.Upsert(t.Context(), []catalog.Record{rec}); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: "target"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search: %v, %+v", err, res)
	}
	s := res.Hits[0].Snippet
	want := "…lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem <mark>target</mark> &lt;b&gt; lorem"
	if len(s) < len(want) || s[:len(want)] != want || s[len(s)-len("…"):] != "…" {
		t.Errorf("snippet = %q, want it to start %q and end with …", s, want)
	}
}

func TestOpenBusy(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(Config{Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	start := time.Now()
	_, err = Open(Config{Dir: dir}, nil)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second Open = %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited > 10*lockWait {
		t.Fatalf("second Open waited %s", waited)
	}
}

// An exact match ranks above a match that needs a typo, whichever field holds it.
func TestExactBeforeTypo(t *testing.T) {
	ix := open(t, t.TempDir())
	defer ix.Close()
	recs := []catalog.Record{
		{ID: "typo", Source: "s", Title: "Photosyntesis in leaves", Description: "Light and sugar."},
		{ID: "exact", Source: "s", Title: "Photosynthesis in leaves", Description: "Light and sugar."},
		{ID: "body", Source: "s", Title: "Leaves", Description: "All about photosynthesis."},
	}
	if err := ix.Upsert(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: "photosynthesis "})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	if !slices.Equal(ids, []string{"exact", "body", "typo"}) {
		t.Fatalf("hits %v: want the exact title, then the exact word in the body, then the typo", ids)
	}
}
