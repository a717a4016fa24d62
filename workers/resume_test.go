package workers

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A worker that stops after page k hands its job back at a checkpoint, and the next worker
// resumes there; the catalog ends as after a clean run.
func TestResume(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		drain time.Duration // DrainTimeout
		delay time.Duration // per page
		want  int           // page the second worker starts at, after a stop during page 3
	}{
		// The stopping worker finishes page 3 (in flight when asked to stop) and checkpoints it.
		{"graceful drain", 10 * time.Second, 300 * time.Millisecond, 4},
		// Page 3 outlasts the drain timeout: the job is cancelled and resumes at page 3.
		{"drain timeout", 50 * time.Millisecond, time.Second, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := fastConfig(t.TempDir())
			cfg.DrainTimeout = tt.drain
			s := openSystem(t, cfg)
			ix := openIndex(t, t.TempDir())
			ctx := t.Context()
			if _, err := s.Sources().Add(ctx, testSource("resumed")); err != nil {
				t.Fatal(err)
			}
			after2 := make(chan struct{})
			first := &pager{pages: 6, per: 5, delay: tt.delay, onPage: func(p int) {
				if p == 2 {
					close(after2)
				}
			}}
			stop := startWorkers(t, s, pipeline(ix, first), 1)
			id, err := s.RunNow(ctx, "resumed", false)
			if err != nil {
				t.Fatal(err)
			}
			<-after2
			stop() // returns once the job was handed back
			r, err := s.Run(ctx, id)
			if err != nil || r.Status != StatusQueued || r.Pages != tt.want {
				t.Fatalf("after stop: %+v, %v; want queued at %d pages", r, err, tt.want)
			}
			second := &pager{pages: 6, per: 5}
			startWorkers(t, s, pipeline(ix, second), 1)
			r = waitRun(t, s, id, 20*time.Second, ended)
			if r.Status != StatusSucceeded || r.Pages != 6 || r.Records != 30 || r.Upserted != 30 || r.Attempts != 2 {
				t.Errorf("run = %+v", r)
			}
			if got := second.startPages(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("second worker started at %v, want [%d]", got, tt.want)
			}
			checkCatalog(t, ix, "resumed", first)
		})
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("long")); err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(ctx, "long"); !errors.Is(err, ErrIdle) {
		t.Errorf("cancel idle: %v, want ErrIdle", err)
	}
	// A queued job is removed and its run cancelled; the source can be queued again.
	id, err := s.RunNow(ctx, "long", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(ctx, "long"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Run(ctx, id); r.Status != StatusCancelled {
		t.Errorf("queued run after cancel: %+v", r)
	}
	// A running job stops within moments, mid-page.
	h := &pager{pages: 50, per: 2, delay: 200 * time.Millisecond}
	startWorkers(t, s, pipeline(ix, h), 2)
	id, err = s.RunNow(ctx, "long", false)
	if err != nil {
		t.Fatal(err)
	}
	waitRun(t, s, id, 10*time.Second, func(r Run) bool { return r.Pages >= 2 })
	if err := s.Cancel(ctx, "long"); err != nil {
		t.Fatal(err)
	}
	r := waitRun(t, s, id, 5*time.Second, ended)
	if r.Status != StatusCancelled || r.Pages >= 50 {
		t.Errorf("running run after cancel: %+v", r)
	}
	// The cancelled job is acknowledged, so nothing is left to redeliver, and its harvest ends.
	waitFor(t, 5*time.Second, func() error {
		c, err := s.jobs.Consumer(ctx, jobsConsumer)
		var ci *jetstream.ConsumerInfo
		if err == nil {
			ci, err = c.Info(ctx)
		}
		if err != nil {
			return err
		}
		if ci.NumAckPending != 0 || ci.NumPending != 0 || h.active.Load() != 0 {
			return fmt.Errorf("%d jobs unacknowledged, %d waiting, %d harvests active", ci.NumAckPending, ci.NumPending, h.active.Load())
		}
		return nil
	})
	if c := h.calls.Load(); c != 1 {
		t.Errorf("cancelled job harvested %d times", c)
	}
	id2, err := s.RunNow(ctx, "long", false)
	if err != nil {
		t.Fatalf("queue after cancel: %v", err)
	}
	if r := waitRun(t, s, id2, 5*time.Second, func(r Run) bool { return r.Status == StatusRunning }); r.ID != id2 {
		t.Error("second run did not start")
	}
	if err := s.Cancel(ctx, "long"); err != nil {
		t.Fatal(err)
	}
	waitRun(t, s, id2, 5*time.Second, ended)
}
