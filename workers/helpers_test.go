package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/harvester"
)

func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("ORCHARD_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.DiscardHandler)
}

// fastConfig shortens every wait so that retries and redeliveries happen within a test.
func fastConfig(dir string) Config {
	return Config{
		Dir: dir, AckWait: 2 * time.Second, MaxDeliver: 3, Backoff: 50 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond, IndexRetry: time.Second, DrainTimeout: 5 * time.Second,
	}
}

func openSystem(t testing.TB, cfg Config) *System {
	t.Helper()
	if cfg.Dir == "" && cfg.URL == "" {
		cfg.Dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, cfg, testLog(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openIndex(t testing.TB, dir string) *embedded.Index {
	t.Helper()
	ix, err := embedded.Open(embedded.Config{Dir: dir}, testLog(t))
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func testSource(name string) Source {
	return Source{Source: harvester.Source{Name: name, Type: harvester.TypeOAIPMH, URL: "https://example.org/oai"}}
}

// pager is a harvester serving pages of records with JSON checkpoints.
type pager struct {
	pages, per int
	delay      time.Duration
	// fail, when set, is asked before each page (0-based) with the count of Harvest calls so far.
	fail func(page, call int) error
	// onPage is called after a page was emitted.
	onPage func(page int)

	calls     atomic.Int32
	active    atomic.Int32
	maxActive atomic.Int32
	mu        sync.Mutex
	starts    []int // first page of every call
}

type pagerCP struct {
	Next int  `json:"next"`
	Done bool `json:"done,omitempty"`
}

func (h *pager) Harvest(ctx context.Context, src harvester.Source, cp json.RawMessage, full bool, emit harvester.Emit) error {
	call := int(h.calls.Add(1))
	n := h.active.Add(1)
	defer h.active.Add(-1)
	for {
		m := h.maxActive.Load()
		if n <= m || h.maxActive.CompareAndSwap(m, n) {
			break
		}
	}
	start := 0
	if cp != nil {
		var c pagerCP
		if err := json.Unmarshal(cp, &c); err != nil {
			return harvester.E(harvester.KindInvalid, "read checkpoint", err)
		}
		if !c.Done || !full {
			start = c.Next
		}
		if c.Done && !full {
			start = h.pages // incremental run: nothing changed
		}
	}
	h.mu.Lock()
	h.starts = append(h.starts, start)
	h.mu.Unlock()
	for i := start; i < h.pages; i++ {
		if h.delay > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(h.delay):
			}
		}
		if h.fail != nil {
			if err := h.fail(i, call); err != nil {
				return err
			}
		}
		recs := make([]harvester.Record, h.per)
		for j := range recs {
			k := i*h.per + j
			recs[j] = harvester.Record{
				OriginID: fmt.Sprintf("oai:%s:%d", src.Name, k),
				Titles:   []string{fmt.Sprintf("Record %d of %s", k, src.Name)},
				Rights:   []harvester.Rights{{From: "dc:rights", Value: licenses[k%len(licenses)]}},
			}
		}
		cpb, _ := json.Marshal(pagerCP{Next: i + 1, Done: i == h.pages-1})
		p := harvester.Page{
			Records: recs, Checkpoint: cpb, Done: i == h.pages-1,
			Progress: harvester.Progress{Pages: i + 1, Records: (i + 1) * h.per, Expected: h.pages * h.per},
		}
		if err := emit(ctx, p); err != nil {
			return err
		}
		if h.onPage != nil {
			h.onPage(i)
		}
	}
	if start >= h.pages { // nothing new: report the same Done checkpoint
		cpb, _ := json.Marshal(pagerCP{Next: h.pages, Done: true})
		return emit(ctx, harvester.Page{Checkpoint: cpb, Done: true})
	}
	return nil
}

func (h *pager) startPages() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int(nil), h.starts...)
}

// licenses cycles through a known, an unknown and a conflicting reading.
var licenses = []string{"CC-BY-4.0", "some words", "conflict"}

// normalize is a small stand-in for the normalizer: it keeps every record whatever its license.
func normalize(source string, r harvester.Record) (catalog.Record, error) {
	rec := catalog.Record{
		ID: catalog.RecordID(source, r.OriginID), Source: source, OriginID: r.OriginID,
		Title: r.Titles[0], Creators: []string{}, Languages: []string{}, Subjects: []string{}, ResourceTypes: []string{},
	}
	switch r.Rights[0].Value {
	case "CC-BY-4.0":
		rec.License = catalog.License{ID: "CC-BY-4.0", Family: "CC-BY", Open: true, Commercial: true, Derivatives: true}
	case "conflict":
		rec.License = catalog.License{ID: "CC-BY-4.0", Family: "CC-BY", Conflict: true}
	}
	return rec, nil
}

func pipeline(ix catalog.Index, h harvester.Harvester) Pipeline {
	return Pipeline{
		Harvesters: map[string]harvester.Harvester{harvester.TypeOAIPMH: h, harvester.TypeWeb: h},
		Normalize:  EachRecord(normalize), Index: ix,
	}
}

// startWorkers runs n workers until the test ends and returns a stop function that drains them.
func startWorkers(t testing.TB, s *System, p Pipeline, n int) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RunWorkers(ctx, p, n) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run workers: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it returns nil or the deadline passes, and fails with its last error.
func waitFor(t testing.TB, within time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %v", within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRun polls a run until cond holds or the deadline passes.
func waitRun(t testing.TB, s *System, id string, within time.Duration, cond func(Run) bool) Run {
	t.Helper()
	var r Run
	waitFor(t, within, func() error {
		var err error
		if r, err = s.Run(context.Background(), id); err == nil && !cond(r) {
			err = fmt.Errorf("run %s: condition not met; last %+v", id, r)
		}
		return err
	})
	return r
}

func ended(r Run) bool { return r.Status.Final() }

// checkCatalog asserts the index holds exactly the records of a clean run of h for source.
func checkCatalog(t testing.TB, ix catalog.Index, source string, h *pager) {
	t.Helper()
	ctx := context.Background()
	st, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := h.pages * h.per
	if got := st.BySource[source]; got != want {
		t.Errorf("index holds %d records of %s, want %d", got, source, want)
	}
	for k := range want {
		origin := fmt.Sprintf("oai:%s:%d", source, k)
		r, err := ix.Get(ctx, catalog.RecordID(source, origin))
		if err != nil {
			t.Errorf("record %s: %v", origin, err)
			continue
		}
		if r.Title != fmt.Sprintf("Record %d of %s", k, source) {
			t.Errorf("record %s: title %q", origin, r.Title)
		}
	}
}
