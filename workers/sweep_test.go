package workers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/internal/testsite"
	"github.com/orchard-oer/orchard/normalizer"
)

// backends are the two indexes every deletion is tested against.
func backends(t *testing.T) map[string]func(t *testing.T) catalog.Index {
	return map[string]func(t *testing.T) catalog.Index{
		"embedded": func(t *testing.T) catalog.Index { return openIndex(t, t.TempDir()) },
		"meilisearch": func(t *testing.T) catalog.Index {
			srv := testenv.Meili(t)
			return openMeili(t, srv.URL, srv.MasterKey, testenv.IndexName("sweep"))
		},
	}
}

func webPipeline(ix catalog.Index) Pipeline {
	c := fetch.New(fetch.Config{AllowPrivate: true, Pace: time.Millisecond}, nil)
	h := site.New(site.Config{Client: c, PageSize: 2}, nil)
	return Pipeline{
		Harvesters: map[string]harvester.Harvester{harvester.TypeWeb: h},
		Normalize:  EachRecord(normalizer.Record), Index: ix, Batch: 2,
	}
}

// sourceIDs lists the ids of source's records in the index, sorted.
func sourceIDs(t *testing.T, ix catalog.Index, source string) []string {
	t.Helper()
	var ids []string
	err := ix.Each(t.Context(), catalog.Filter{Sources: []string{source}, WithHidden: true}, func(r catalog.Record) error {
		ids = append(ids, r.OriginID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

// runDone runs source (full or not) and waits for the run to end, then for the clock to pass
// its second: a record is marked by the second it was written in.
func runDone(t *testing.T, s *System, source string, full bool) Run {
	t.Helper()
	id, err := s.RunNow(t.Context(), source, full)
	if err != nil {
		t.Fatal(err)
	}
	r := waitRun(t, s, id, 30*time.Second, ended)
	mark := catalog.Stamp(time.Now())
	waitFor(t, 2*time.Second, func() error {
		if catalog.Stamp(time.Now()) == mark {
			return errors.New("same second")
		}
		return nil
	})
	return r
}

// Deletions of a web source, end to end through the workers into both backends: a known page
// answering 410, a page dropped from the sitemap (swept by a full run, kept by an incremental
// or a cancelled one), a sitemap shrinking to nothing (waiting for a librarian, who keeps the
// records, then removes them), and the source's removal with and without its records.
func TestWebDeletionsAndSweeps(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ix := open(t)
			s := openSystem(t, fastConfig(t.TempDir()))
			startWorkers(t, s, webPipeline(ix), 1)
			ctx := t.Context()
			w := testsite.Start(t, "/p0", "/p1", "/p2", "/p3")
			src := Source{Source: harvester.Source{Name: "site", Type: harvester.TypeWeb, URL: w.Sitemap(), Mode: site.ModeSitemap}}
			if _, err := s.Sources().Add(ctx, src); err != nil {
				t.Fatal(err)
			}
			check := func(want ...string) {
				t.Helper()
				if got, want := sourceIDs(t, ix, "site"), w.URLs(want...); !slices.Equal(got, want) {
					t.Fatalf("catalog holds %v, want %v", got, want)
				}
			}
			tombstoned := func(path string) bool {
				ts, err := s.Tombstones(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return slices.ContainsFunc(ts, func(tb catalog.Tombstone) bool {
					return tb.ID == catalog.RecordID("site", w.URL+path)
				})
			}
			if r := runDone(t, s, "site", false); r.Status != StatusSucceeded || r.Sweep != nil || !r.Sweepable {
				t.Fatalf("first run: %+v", r)
			}
			check("/p0", "/p1", "/p2", "/p3")

			// A known page answers 410 on an incremental run: deleted, with a tombstone.
			w.Set("/p3", http.StatusGone, true)
			runDone(t, s, "site", false)
			check("/p0", "/p1", "/p2")
			if !tombstoned("/p3") {
				t.Error("no tombstone of the page gone")
			}

			// /p2 leaves the sitemap: an incremental run keeps it ...
			w.Set("/p2", http.StatusOK, false)
			if r := runDone(t, s, "site", false); r.Sweep != nil {
				t.Errorf("incremental run swept: %+v", r.Sweep)
			}
			check("/p0", "/p1", "/p2")

			// ... a cancelled full run too ...
			release := w.Stall()
			id, err := s.RunNow(ctx, "site", true)
			if err != nil {
				t.Fatal(err)
			}
			waitRun(t, s, id, 10*time.Second, func(r Run) bool { return r.Status == StatusRunning })
			if err := s.Cancel(ctx, "site"); err != nil {
				t.Fatal(err)
			}
			release()
			if r := waitRun(t, s, id, 10*time.Second, ended); r.Status != StatusCancelled || r.Sweep != nil {
				t.Fatalf("cancelled run: %+v", r)
			}
			check("/p0", "/p1", "/p2")

			// ... and a complete full run removes it, with a tombstone.
			r := runDone(t, s, "site", true)
			if r.Sweep == nil || r.Sweep.Status != SweepSwept || r.Sweep.Removed != 1 || r.Sweep.Seen != 2 || r.Sweep.Total != 3 {
				t.Fatalf("full run's sweep: %+v", r.Sweep)
			}
			check("/p0", "/p1")
			if !tombstoned("/p2") {
				t.Error("no tombstone of the swept page")
			}

			// The sitemap shrinks to nothing: the run waits for a librarian.
			w.Clear()
			r = runDone(t, s, "site", true)
			if r.Sweep == nil || r.Sweep.Status != SweepWaiting || r.Sweep.Reason != SweepFewSeen || r.Sweep.Unseen != 2 || r.Sweep.Seen != 0 {
				t.Fatalf("empty sitemap's sweep: %+v", r.Sweep)
			}
			check("/p0", "/p1")
			if got, err := s.WaitingSweep(ctx, "site"); err != nil || got.ID != r.ID {
				t.Fatalf("waiting sweep = %s, %v; want %s", got.ID, err, r.ID)
			}
			// Keeping them keeps them, and nothing waits any more.
			if _, err := s.DecideSweep(ctx, "site", false); err != nil {
				t.Fatal(err)
			}
			check("/p0", "/p1")
			if _, err := s.DecideSweep(ctx, "site", true); !errors.Is(err, ErrNoSweep) {
				t.Fatalf("second decision: %v, want ErrNoSweep", err)
			}
			// The next empty full run asks again; removing them removes them.
			r = runDone(t, s, "site", true)
			if r.Sweep == nil || r.Sweep.Status != SweepWaiting {
				t.Fatalf("second empty run's sweep: %+v", r.Sweep)
			}
			id, err = s.DecideSweep(ctx, "site", true)
			if err != nil {
				t.Fatal(err)
			}
			rm := waitRun(t, s, id, 30*time.Second, ended)
			if rm.Status != StatusSucceeded || rm.Trigger != TriggerSweep || rm.Sweep == nil || rm.Sweep.Removed != 2 || rm.Sweep.Of != r.ID {
				t.Fatalf("confirmed sweep run: %+v %+v", rm, rm.Sweep)
			}
			check()
			if r, _ = s.Run(ctx, r.ID); r.Sweep.Status != SweepConfirmed || r.Sweep.By != id {
				t.Errorf("confirmed run's sweep: %+v", r.Sweep)
			}

			// Removing the source with --keep-records keeps them; without, they leave.
			// A sweep waits when the source is removed and added again: it is not the new
			// source's.
			w.Set("/p0", http.StatusOK, true)
			runDone(t, s, "site", false)
			check("/p0")
			w.Clear()
			if r := runDone(t, s, "site", true); r.Sweep == nil || r.Sweep.Status != SweepWaiting {
				t.Fatalf("sweep before removal: %+v", r.Sweep)
			}
			if id, err := s.RemoveSource(ctx, "site", true); err != nil || id != "" {
				t.Fatalf("remove keeping records: %q, %v", id, err)
			}
			check("/p0")
			if _, err := s.Sources().Add(ctx, src); err != nil {
				t.Fatal(err)
			}
			if _, err := s.WaitingSweep(ctx, "site"); !errors.Is(err, ErrNoSweep) {
				t.Errorf("a source added again inherits a sweep: %v", err)
			}
			id, err = s.RemoveSource(ctx, "site", false)
			if err != nil {
				t.Fatal(err)
			}
			if rm := waitRun(t, s, id, 30*time.Second, ended); rm.Status != StatusSucceeded || rm.Sweep.Removed != 1 {
				t.Fatalf("removal run: %+v", rm)
			}
			check()
			if !tombstoned("/p0") {
				t.Error("no tombstone of the removed source's record")
			}
			if _, err := s.Sources().Get(ctx, "site"); !errors.Is(err, ErrNotFound) {
				t.Errorf("source after removal: %v", err)
			}
		})
	}
}

// A failed full run never sweeps.
func TestNoSweepAfterFailure(t *testing.T) {
	ix := openIndex(t, t.TempDir())
	cfg := fastConfig(t.TempDir())
	cfg.MaxDeliver = 1
	s := openSystem(t, cfg)
	ctx := t.Context()
	h := &pager{pages: 3, per: 2}
	sweeper := sweepingHarvester{h}
	startWorkers(t, s, pipeline(ix, sweeper), 1)
	if _, err := s.Sources().Add(ctx, testSource("src")); err != nil {
		t.Fatal(err)
	}
	if r := runDone(t, s, "src", true); r.Sweep == nil || r.Sweep.Status != SweepSwept || r.Sweep.Removed != 0 {
		t.Fatalf("first full run: %+v", r.Sweep)
	}
	h.fail = func(page, _ int) error {
		if page == 1 {
			return harvester.E(harvester.KindPermanent, "list", errors.New("broken"))
		}
		return nil
	}
	if r := runDone(t, s, "src", true); r.Status != StatusFailed || r.Sweep != nil {
		t.Fatalf("failed run: %+v", r)
	}
	if got := len(sourceIDs(t, ix, "src")); got != 6 {
		t.Errorf("%d records after a failed run, want 6", got)
	}
}

// sweepingHarvester says on its last page that unseen records are gone.
type sweepingHarvester struct{ *pager }

func (h sweepingHarvester) Harvest(ctx context.Context, src harvester.Source, cp json.RawMessage, full bool, emit harvester.Emit) error {
	return h.pager.Harvest(ctx, src, cp, full, func(ctx context.Context, p harvester.Page) error {
		p.Sweep = p.Done
		return emit(ctx, p)
	})
}
