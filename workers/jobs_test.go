package workers

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

func TestRunCompletes(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("clean")); err != nil {
		t.Fatal(err)
	}
	h := &pager{pages: 4, per: 6}
	startWorkers(t, s, pipeline(ix, h), 2)
	progress, err := s.WatchProgress(ctx, "clean")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.RunNow(ctx, "clean", false)
	if err != nil {
		t.Fatal(err)
	}
	run := waitRun(t, s, id, 20*time.Second, ended)
	if run.Status != StatusSucceeded || run.Trigger != TriggerManual || run.Started.IsZero() || run.Ended.IsZero() {
		t.Fatalf("run = %+v", run)
	}
	if run.Pages != 4 || run.Records != 24 || run.Upserted != 24 || run.Expected != 24 {
		t.Errorf("counts = %+v", run.Stats)
	}
	// Licenses cycle known, unknown, conflicting (conflicting ones still carry an id).
	if run.Unknown != 8 || run.Conflicting != 8 || run.Licenses["CC-BY-4.0"] != 16 {
		t.Errorf("license counts: unknown %d, conflicting %d, by id %v", run.Unknown, run.Conflicting, run.Licenses)
	}
	checkCatalog(t, ix, "clean", h)

	var last Progress
	for p := range progress {
		last = p
		if p.Status == StatusSucceeded {
			break
		}
	}
	if last.RunID != id || last.Pages != 4 || last.Expected != 24 {
		t.Errorf("last progress = %+v", last)
	}

	// The next incremental run starts from the Done checkpoint; a full one starts over.
	id2, err := s.RunNow(ctx, "clean", false)
	if err != nil {
		t.Fatal(err)
	}
	waitRun(t, s, id2, 20*time.Second, ended)
	id3, err := s.RunNow(ctx, "clean", true)
	if err != nil {
		t.Fatal(err)
	}
	if r := waitRun(t, s, id3, 20*time.Second, ended); r.Pages != 4 || !r.Full {
		t.Errorf("full run = %+v", r)
	}
	if got := h.startPages(); len(got) != 3 || got[0] != 0 || got[1] != 4 || got[2] != 0 {
		t.Errorf("harvests started at pages %v, want [0 4 0]", got)
	}
	hist, err := s.History(ctx, "clean", 2)
	if err != nil || len(hist) != 2 || hist[0].ID != id3 || hist[1].ID != id2 {
		t.Errorf("history = %v, %v", hist, err)
	}
	st, err := s.Status(ctx)
	if err != nil || len(st) != 1 || st[0].Last == nil || st[0].Last.ID != id3 || st[0].Active != nil {
		t.Errorf("status = %+v, %v", st, err)
	}
}

func TestOneJobPerSource(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	for _, n := range []string{"one", "two"} {
		if _, err := s.Sources().Add(ctx, testSource(n)); err != nil {
			t.Fatal(err)
		}
	}
	// No workers yet: the first job stays pending and a second one is refused.
	id, err := s.RunNow(ctx, "one", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunNow(ctx, "one", true); !errors.Is(err, ErrPending) {
		t.Fatalf("second job: %v, want ErrPending", err)
	}
	if _, err := s.RunNow(ctx, "two", false); err != nil {
		t.Errorf("another source's job: %v", err)
	}
	if _, err := s.RunNow(ctx, "nobody", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
	if hist, _ := s.History(ctx, "one", 0); len(hist) != 1 {
		t.Errorf("refused job left a run: %+v", hist)
	}

	// Slow pages longer than AckWait/3 need heartbeats; four workers, one job per source. Every
	// harvest holds after its first page until the running job has been tried.
	release := make(chan struct{})
	h := &pager{pages: 3, per: 2, delay: 900 * time.Millisecond, onPage: func(p int) {
		if p == 0 {
			<-release
		}
	}}
	startWorkers(t, s, pipeline(ix, h), 4)
	waitRun(t, s, id, 20*time.Second, func(r Run) bool { return r.Status == StatusRunning })
	if _, err := s.RunNow(ctx, "one", false); !errors.Is(err, ErrPending) {
		t.Errorf("job while running: %v, want ErrPending", err)
	}
	close(release)
	run := waitRun(t, s, id, 30*time.Second, ended)
	if run.Status != StatusSucceeded || run.Attempts != 1 {
		t.Errorf("run = %+v", run)
	}
	if c := h.calls.Load(); c != 2 {
		t.Errorf("harvest called %d times for two jobs", c)
	}
	if m := h.maxActive.Load(); m > 2 {
		t.Errorf("%d harvests at once for two sources", m)
	}
	if _, err := s.RunNow(ctx, "one", false); err != nil {
		t.Errorf("job after the first ended: %v", err)
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	flaky := &pager{pages: 3, per: 2, fail: func(page, call int) error {
		if page == 1 && call == 1 {
			return harvester.E(harvester.KindTransient, "list records", errors.New("503 Service Unavailable"))
		}
		return nil
	}}
	gone := &pager{pages: 3, per: 2, fail: func(page, call int) error {
		return harvester.E(harvester.KindPermanent, "identify", errors.New("404 Not Found"))
	}}
	down := &pager{pages: 3, per: 2, fail: func(page, call int) error {
		return harvester.E(harvester.KindTransient, "list records", errors.New("connection refused"))
	}}
	byName := map[string]*pager{"flaky": flaky, "gone": gone, "down": down}
	for name := range byName {
		src := testSource(name)
		if name == "gone" {
			src.Type = harvester.TypeWeb
		}
		if _, err := s.Sources().Add(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	p := pipeline(ix, nil)
	p.Harvesters = map[string]harvester.Harvester{harvester.TypeOAIPMH: bySource{byName}, harvester.TypeWeb: gone}
	startWorkers(t, s, p, 3)

	ids := map[string]string{}
	for name := range byName {
		id, err := s.RunNow(ctx, name, false)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	r := waitRun(t, s, ids["flaky"], 20*time.Second, ended)
	if r.Status != StatusSucceeded || r.Attempts != 2 || r.Errors != 1 || r.Pages != 3 {
		t.Errorf("transient error then success: %+v", r)
	}
	if got := flaky.startPages(); len(got) != 2 || got[1] != 1 {
		t.Errorf("flaky harvests started at %v, want [0 1]", got)
	}
	r = waitRun(t, s, ids["gone"], 20*time.Second, ended)
	if r.Status != StatusFailed || r.Attempts != 1 || gone.calls.Load() != 1 {
		t.Errorf("permanent error: %+v after %d calls", r, gone.calls.Load())
	}
	r = waitRun(t, s, ids["down"], 30*time.Second, ended)
	if r.Status != StatusFailed || down.calls.Load() != 3 || r.Errors != 3 {
		t.Errorf("error on every delivery: %+v after %d calls", r, down.calls.Load())
	}
	dead, err := s.DeadLetters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].RunID != ids["down"] || dead[0].Deliveries != 3 || dead[0].Error == "" {
		t.Fatalf("dead letters = %+v", dead)
	}
	if r.Error != dead[0].Error {
		t.Errorf("run error %q, dead letter %q", r.Error, dead[0].Error)
	}
	// The dead job no longer blocks its source.
	if _, err := s.RunNow(ctx, "down", false); err != nil {
		t.Errorf("job after dead letter: %v", err)
	}
}

// bySource picks a pager by source name.
type bySource struct{ m map[string]*pager }

func (b bySource) Harvest(ctx context.Context, src harvester.Source, cp json.RawMessage, full bool, emit harvester.Emit) error {
	return b.m[src.Name].Harvest(ctx, src, cp, full, emit)
}
