package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/normalizer"
)

// offers is a harvester that emits, as one page, the records each source offers at the time.
type offers struct {
	mu  sync.Mutex
	now map[string][]harvester.Record
}

func (h *offers) set(source string, recs ...harvester.Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.now == nil {
		h.now = map[string][]harvester.Record{}
	}
	h.now[source] = recs
}

func (h *offers) Harvest(ctx context.Context, src harvester.Source, _ json.RawMessage, _ bool, emit harvester.Emit) error {
	h.mu.Lock()
	recs := slices.Clone(h.now[src.Name])
	h.mu.Unlock()
	return emit(ctx, harvester.Page{Records: recs, Checkpoint: json.RawMessage(`{}`), Done: true})
}

func offered(origin, url, title, rights string) harvester.Record {
	return harvester.Record{OriginID: origin, URL: url, Titles: []string{title}, Rights: []harvester.Rights{{From: "dc:rights", Value: rights}}}
}

func withdrawn(origin string) harvester.Record {
	return harvester.Record{OriginID: origin, Deleted: true}
}

// harvestNow runs a full harvest of each source at once and waits until all succeeded.
func harvestNow(tb testing.TB, s *System, sources ...string) {
	tb.Helper()
	var ids []string
	for _, src := range sources {
		id, err := s.RunNow(tb.Context(), src, true)
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if r := waitRun(tb, s, id, 5*time.Minute, ended); r.Status != StatusSucceeded {
			tb.Fatalf("run = %+v", r)
		}
	}
}

func search(t *testing.T, ix catalog.Index, q string) catalog.SearchResult {
	t.Helper()
	res, err := ix.Search(t.Context(), catalog.SearchRequest{Query: q, Facets: []string{catalog.FacetSource, catalog.FacetStatus}, PerPage: 50, Filter: catalog.Filter{WithHidden: true}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestOneEntryPerResource: a resource two sources offer (an OAI-PMH record and a web page of the
// same landing URL) is one entry listing both; it stays while either offers it and goes with
// the last; a split makes two entries for good. Both index backends.
func TestOneEntryPerResource(t *testing.T) {
	t.Parallel()
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		testOneEntryPerResource(t, openIndex(t, t.TempDir()))
	})
	t.Run("meilisearch", func(t *testing.T) {
		t.Parallel()
		srv := testenv.Meili(t)
		testOneEntryPerResource(t, openMeili(t, srv.URL, srv.MasterKey, testenv.IndexName("workers_merge")))
	})
}

func testOneEntryPerResource(t *testing.T, ix catalog.Index) {
	s := openSystem(t, fastConfig(t.TempDir()))
	ctx := t.Context()
	oai := testSource("alpha")
	web := testSource("beta")
	web.Type, web.URL = harvester.TypeWeb, "https://example.org/"
	for _, src := range []Source{oai, web} {
		if _, err := s.Sources().Add(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	h := &offers{}
	p := pipeline(ix, h)
	p.Normalize = EachRecord(normalizer.Record)
	startWorkers(t, s, p, 2)

	const oaiID, pageURL = "oai:alpha:1", "https://example.org/lessons/pond?utm_source=feed"
	inAlpha := offered(oaiID, "http://Example.org/lessons/pond/", "Pond life", "https://creativecommons.org/licenses/by/4.0/")
	inBeta := offered(pageURL, "", "Pond life, a lesson", "https://creativecommons.org/licenses/by-sa/4.0/")
	alphaID, betaID := catalog.RecordID("alpha", oaiID), catalog.RecordID("beta", pageURL)
	h.set("alpha", inAlpha, offered("oai:alpha:2", "https://example.org/other", "Pond plants", "CC BY 4.0"))
	h.set("beta", inBeta, offered("https://example.org/more", "", "Pond birds", "CC BY 4.0"))
	harvestNow(t, s, "alpha")
	harvestNow(t, s, "beta")

	res := search(t, ix, "pond")
	if res.Total != 3 || res.Facets[catalog.FacetSource]["alpha"] != 2 || res.Facets[catalog.FacetSource]["beta"] != 2 {
		t.Fatalf("after both harvests: %d hits, sources %v; want 3 hits, the shared one counted for both", res.Total, res.Facets[catalog.FacetSource])
	}
	if n := search(t, ix, "life").Total; n != 1 {
		t.Errorf("the shared resource is found %d times", n)
	}
	e := getEntry(t, ix, alphaID)
	if got := e.SourceNames(); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("entry sources = %q (first seen: alpha)", got)
	}
	if e.License.Status() != catalog.StatusConflict || len(e.License.Evidence) != 2 {
		t.Errorf("entry license = %+v; want a conflict with both sources' evidence", e.License)
	}
	if res.Facets[catalog.FacetStatus]["conflict"] != 1 {
		t.Errorf("status facet = %v", res.Facets[catalog.FacetStatus])
	}
	if got, err := s.EntryOf(ctx, betaID); err != nil || got != alphaID {
		t.Errorf("beta's record leads to %q, %v; want the entry %s", got, err, alphaID)
	}
	if st, err := ix.Stats(ctx); err != nil || st.Records != 3 {
		t.Errorf("stats = %+v, %v", st, err)
	}

	// One source drops it: the entry stays, with the other.
	h.set("beta", withdrawn(pageURL), offered("https://example.org/more", "", "Pond birds", "CC BY 4.0"))
	harvestNow(t, s, "beta")
	e = getEntry(t, ix, alphaID)
	if e.Sources != nil || e.Source != "alpha" || e.License.Conflict || e.Title != "Pond life" {
		t.Errorf("after beta dropped it: %+v", e)
	}
	if n := search(t, ix, "pond").Total; n != 3 {
		t.Errorf("after beta dropped it: %d hits", n)
	}

	// Offered again by both; then the first source drops it: the entry goes on under beta's id.
	h.set("beta", inBeta)
	harvestNow(t, s, "beta")
	if e := getEntry(t, ix, alphaID); len(e.Sources) != 2 {
		t.Errorf("offered again: sources %+v", e.Sources)
	}
	h.set("alpha", withdrawn(oaiID))
	harvestNow(t, s, "alpha")
	e = getEntry(t, ix, betaID)
	if e.Source != "beta" || e.Sources != nil || e.License.ID != "CC-BY-SA-4.0" {
		t.Errorf("after alpha dropped it: %+v", e)
	}
	if _, err := ix.Get(ctx, alphaID); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("alpha's id after alpha dropped it: %v", err)
	}

	// The last source drops it: gone.
	h.set("beta", withdrawn(pageURL))
	harvestNow(t, s, "beta")
	if n := search(t, ix, "life").Total; n != 0 {
		t.Errorf("after both dropped it: %d hits", n)
	}

	// A librarian splits a wrong merge; later harvests keep the two apart.
	h.set("alpha", inAlpha)
	h.set("beta", inBeta)
	harvestNow(t, s, "alpha")
	harvestNow(t, s, "beta")
	if n := search(t, ix, "life").Total; n != 1 {
		t.Fatalf("offered by both again: %d hits", n)
	}
	ids, err := s.SplitEntry(ctx, ix, betaID, "librarian")
	if err != nil || len(ids) != 2 {
		t.Fatalf("split = %v, %v", ids, err)
	}
	for round := range 2 {
		res := search(t, ix, "life")
		if res.Total != 2 {
			t.Errorf("round %d after the split: %d hits", round, res.Total)
		}
		for _, hit := range res.Hits {
			if hit.Sources != nil {
				t.Errorf("round %d after the split: %s still lists %+v", round, hit.ID, hit.Sources)
			}
		}
		harvestNow(t, s, "alpha", "beta")
	}
	if _, err := s.EntryOf(ctx, betaID); !errors.Is(err, ErrNotFound) {
		t.Errorf("beta's record after the split leads to an entry: %v", err)
	}
}

func getEntry(t *testing.T, ix catalog.Index, id string) catalog.Record {
	t.Helper()
	r, err := ix.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("entry %s: %v", id, err)
	}
	return r
}

// TestConcurrentMergesKeepMembers: workers placing records of the same resources from several
// sources at once lose no member, in the bucket or in the index.
func TestConcurrentMergesKeepMembers(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	const sources, resources = 4, 30
	h := &offers{}
	var names []string
	for i := range sources {
		name := fmt.Sprintf("mirror-%d", i)
		names = append(names, name)
		if _, err := s.Sources().Add(ctx, testSource(name)); err != nil {
			t.Fatal(err)
		}
		var recs []harvester.Record
		for k := range resources {
			recs = append(recs, offered(fmt.Sprintf("oai:%s:%d", name, k), fmt.Sprintf("https://example.org/r/%d", k), fmt.Sprintf("Shared resource %d", k), "CC BY 4.0"))
		}
		h.set(name, recs...)
	}
	p := pipeline(ix, h)
	p.Normalize = EachRecord(normalizer.Record)
	startWorkers(t, s, p, sources)
	harvestNow(t, s, names...)

	res, err := ix.Search(ctx, catalog.SearchRequest{Query: "shared", PerPage: 100, Facets: []string{catalog.FacetSource}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != resources {
		t.Errorf("%d entries, want %d", res.Total, resources)
	}
	for _, name := range names {
		if n := res.Facets[catalog.FacetSource][name]; n != resources {
			t.Errorf("source %s counted in %d entries, want %d", name, n, resources)
		}
	}
	for _, hit := range res.Hits {
		if len(hit.Sources) != sources {
			t.Errorf("entry %s lists %d sources: %+v", hit.ID, len(hit.Sources), hit.Sources)
		}
	}
}

// sharedResource adds sources that each offer one record (oai:<source>:1) of the resource at
// url, and returns the pipeline that harvests them with the normalizer.
func sharedResource(t *testing.T, url, title string, sources ...string) (*System, catalog.Index, *offers, Pipeline) {
	t.Helper()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	h := &offers{}
	for _, name := range sources {
		if _, err := s.Sources().Add(t.Context(), testSource(name)); err != nil {
			t.Fatal(err)
		}
		h.set(name, offered("oai:"+name+":1", url, title, "CC BY 4.0"))
	}
	p := pipeline(ix, h)
	p.Normalize = EachRecord(normalizer.Record)
	return s, ix, h, p
}

// TestDecisionsApplyToEntries: a librarian's decision about an entry, kept by the entry's id,
// holds whichever source's harvest writes the entry again.
func TestDecisionsApplyToEntries(t *testing.T) {
	t.Parallel()
	s, ix, _, p := sharedResource(t, "https://example.org/shared", "Shared", "first", "second")
	entry := catalog.RecordID("first", "oai:first:1")
	p.Decide = func(_ context.Context, recs []catalog.Record) error {
		for i := range recs {
			if recs[i].ID == entry {
				recs[i].Hidden = true
			}
		}
		return nil
	}
	startWorkers(t, s, p, 1)
	harvestNow(t, s, "first")
	if getEntry(t, ix, entry).Hidden {
		t.Error("an entry of one record got a decision meant for merged entries")
	}
	harvestNow(t, s, "second")
	if e := getEntry(t, ix, entry); !e.Hidden || len(e.Sources) != 2 {
		t.Errorf("merged entry: hidden %v, sources %d; want the decision applied", e.Hidden, len(e.Sources))
	}
}

// TestEntryMovesToNextMember: when the first of three sources drops a resource, the entry goes
// on under the second's id, and the third's record leads there.
func TestEntryMovesToNextMember(t *testing.T) {
	t.Parallel()
	names := []string{"one", "two", "three"}
	s, ix, h, p := sharedResource(t, "https://example.org/trio", "Trio", names...)
	ctx := t.Context()
	startWorkers(t, s, p, 1)
	for _, name := range names {
		harvestNow(t, s, name)
	}
	id := func(name string) string { return catalog.RecordID(name, "oai:"+name+":1") }
	if e := getEntry(t, ix, id("one")); len(e.Sources) != 3 {
		t.Fatalf("entry sources = %+v", e.Sources)
	}
	h.set("one", withdrawn("oai:one:1"))
	harvestNow(t, s, "one")
	e := getEntry(t, ix, id("two"))
	if got := e.SourceNames(); !slices.Equal(got, []string{"two", "three"}) {
		t.Errorf("entry after the first source dropped it: %s with sources %q", e.ID, got)
	}
	if to, err := s.EntryOf(ctx, id("three")); err != nil || to != id("two") {
		t.Errorf("the third record leads to %q, %v", to, err)
	}
	if n := search(t, ix, "trio").Total; n != 1 {
		t.Errorf("%d hits", n)
	}
	// Removed outside a harvest, as when a source is removed: the entry stays with the others.
	if err := s.RemoveRecords(ctx, p, []string{id("three")}); err != nil {
		t.Fatal(err)
	}
	if e := getEntry(t, ix, id("two")); !slices.Equal(e.SourceNames(), []string{"two"}) || e.Sources != nil {
		t.Errorf("after three was removed: sources %+v", e.Sources)
	}
	h.set("three", offered("oai:three:1", "https://example.org/trio", "Trio", "CC BY 4.0"))
	harvestNow(t, s, "three")
	// It comes back: it joins the entry as its last member.
	h.set("one", offered("oai:one:1", "https://example.org/trio", "Trio", "CC BY 4.0"))
	harvestNow(t, s, "one")
	if e := getEntry(t, ix, id("two")); len(e.Sources) != 3 || e.Sources[1].Source != "three" || e.Sources[2].Source != "one" {
		t.Errorf("after it came back: %+v", e.Sources)
	}
	if n := search(t, ix, "trio").Total; n != 1 {
		t.Errorf("after it came back: %d hits", n)
	}
}

// TestOnePageTwoRecords: two records of one resource in one page make one entry at once.
func TestOnePageTwoRecords(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	a := catalog.Record{ID: "src_a", Source: "src", OriginID: "oai:src:a", URL: "https://example.org/same", Title: "Same"}
	b := catalog.Record{ID: "src_b", Source: "src", OriginID: "oai:src:b", URL: "http://example.org/same/", Title: "Same again"}
	p, err := s.placePage(t.Context(), ix, []catalog.Record{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ups, dels := p.writes()
	if len(ups) != 1 || ups[0].ID != "src_a" || len(ups[0].Sources) != 2 || !slices.Equal(dels, []string{"src_b"}) {
		t.Errorf("writes: %+v, deletes %v; want one entry of both", ups, dels)
	}
}
