package meili

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
	"github.com/orchard-oer/orchard/internal/testenv"
)

func newIndex(t *testing.T) *Index {
	t.Helper()
	srv := testenv.Meili(t)
	ix, err := New(t.Context(), Config{URL: srv.URL, Key: srv.MasterKey, Index: testenv.IndexName("orchard_test"), Timeout: 10 * time.Second},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ix.DeleteIndex(ctx); err != nil {
			t.Errorf("delete index: %v", err)
		}
	})
	return ix
}

func TestConformance(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) catalog.Index { return newIndex(t) })
}

func TestMarkupMarksWholeWordsAndEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Cell Biology & " + markOpen + "<Membrane" + markClose + "s>", "Cell Biology &amp; &lt;<mark>Membranes</mark>&gt;"},
		{markOpen + "Photo" + markClose + "synthesis in plants", "<mark>Photosynthesis</mark> in plants"},
		{"a " + markOpen + "b" + markClose + " " + markOpen + "c" + markClose, "a <mark>b</mark> <mark>c</mark>"},
		{"L'" + markOpen + "éducation" + markClose + " à", "L&#39;<mark>éducation</mark> à"},
		{"no marks <here>", "no marks &lt;here&gt;"},
		{"", ""},
	} {
		if got := markup(tc.in); got != tc.want {
			t.Errorf("markup(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFilterSyntax(t *testing.T) {
	yes := true
	got := filter(catalog.Filter{Licenses: []string{`CC-BY-4.0`, `a"b\c`}, Commercial: &yes, YearFrom: 2000, WithHidden: true})
	want := `f_license IN ["CC-BY-4.0", "a\"b\\c"] AND f_commercial = true AND year >= 2000`
	if got != want {
		t.Errorf("filter = %s, want %s", got, want)
	}
}

func TestErrorsNameServerAndReason(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	_, err := New(t.Context(), Config{URL: "http://127.0.0.1:1", Index: "x", Timeout: 300 * time.Millisecond}, log)
	if err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:1") || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("unreachable server: %v, want an error naming the URL", err)
	}
	srv := testenv.Meili(t)
	_, err = New(t.Context(), Config{URL: srv.URL, Key: srv.MasterKey, Index: "not a valid uid!", Timeout: 5 * time.Second}, log)
	if err == nil || !strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), "invalid_index_uid") {
		t.Errorf("refused index uid: %v, want Meilisearch's reason and the URL", err)
	}
	_, err = New(t.Context(), Config{URL: srv.URL, Key: "wrong-key", Index: "x", Timeout: 5 * time.Second}, log)
	if err == nil || !strings.Contains(err.Error(), "invalid_api_key") {
		t.Errorf("wrong key: %v, want Meilisearch's reason", err)
	}
}

func TestReadsUseASearchOnlyKey(t *testing.T) {
	ix := newIndex(t)
	srv := testenv.Meili(t)
	if srv.MasterKey == "" {
		testenv.Missing(t, "meilisearch master key", "the server at MEILI_URL runs without one; set MEILI_MASTER_KEY")
	}
	// The search client must not be able to write.
	_, err := ix.reader.AddDocumentsWithContext(t.Context(), []map[string]string{{"id": "x", "title": "x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "invalid_api_key") {
		t.Errorf("write with the search key: %v, want it refused", err)
	}
}

// Writes queued without waiting are applied in the order they were accepted: waiting for the
// last one finds the effect of all of them.
func TestAsyncWritesApplyInOrder(t *testing.T) {
	ix := newIndex(t)
	ctx := t.Context()
	rec := func(id, title string) catalog.Record {
		return catalog.Record{ID: id, Source: "async", Title: title}
	}
	var last catalog.Pending
	steps := []func() (catalog.Pending, error){
		func() (catalog.Pending, error) {
			return ix.UpsertAsync(ctx, []catalog.Record{rec("a", "first"), rec("b", "first")})
		},
		func() (catalog.Pending, error) { return ix.DeleteAsync(ctx, []string{"a"}) },
		func() (catalog.Pending, error) {
			return ix.UpsertAsync(ctx, []catalog.Record{rec("b", "second"), rec("c", "first")})
		},
		func() (catalog.Pending, error) { return ix.DeleteAsync(ctx, []string{"c"}) },
		func() (catalog.Pending, error) { return ix.UpsertAsync(ctx, []catalog.Record{rec("a", "again")}) },
	}
	for i, step := range steps {
		p, err := step()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		last = p
	}
	if err := last.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	if err := ix.Each(ctx, catalog.Filter{}, func(r catalog.Record) error { got[r.ID] = r.Title; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"a": "again", "b": "second"}; !maps.Equal(got, want) {
		t.Errorf("index holds %v, want %v", got, want)
	}
	if _, err := ix.UpsertAsync(ctx, []catalog.Record{rec("bad id!", "x")}); err == nil {
		t.Error("an invalid record was accepted")
	}
}

// TestEachAcrossPages reads more records than one fetch returns: each comes exactly once, though
// Meilisearch repeats the last document of a page at the start of the next.
func TestEachAcrossPages(t *testing.T) {
	ix := newIndex(t)
	ctx := t.Context()
	const n = 2*eachPage + 600
	recs := make([]catalog.Record, n)
	for i := range recs {
		recs[i] = catalog.Record{ID: fmt.Sprintf("r%05d", i), Source: "s", Title: fmt.Sprint("record ", i)}
	}
	if err := ix.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	if err := ix.Each(ctx, catalog.Filter{WithHidden: true}, func(r catalog.Record) error {
		seen[r.ID]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Errorf("Each gave %d records, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("%s came %d times", id, k)
		}
	}
}
