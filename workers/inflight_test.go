package workers

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
)

// queuedIndex is an embedded index that accepts writes at once and applies them later, in the
// order accepted, as Meilisearch does: a write is applied when it or a later one is waited for.
// A write for which fail says so fails without being applied, and later writes still apply.
type queuedIndex struct {
	catalog.Index
	fail func(recs []catalog.Record) bool

	mu      sync.Mutex
	queue   []*queuedWrite
	failed  bool
	maxSent int // most writes accepted and not yet applied at once, until one failed
}

type queuedWrite struct {
	ix   *queuedIndex
	recs []catalog.Record
	ids  []string
	done bool
	err  error
}

var _ catalog.AsyncWriter = (*queuedIndex)(nil)

func (q *queuedIndex) accept(w *queuedWrite) catalog.Pending {
	q.mu.Lock()
	defer q.mu.Unlock()
	w.ix = q
	q.queue = append(q.queue, w)
	if !q.failed {
		q.maxSent = max(q.maxSent, len(q.queue))
	}
	return w
}

func (q *queuedIndex) UpsertAsync(_ context.Context, recs []catalog.Record) (catalog.Pending, error) {
	return q.accept(&queuedWrite{recs: slices.Clone(recs)}), nil
}

func (q *queuedIndex) DeleteAsync(_ context.Context, ids []string) (catalog.Pending, error) {
	return q.accept(&queuedWrite{ids: slices.Clone(ids)}), nil
}

var errRefused = errors.New("write refused")

// Wait applies every queued write up to w, in order.
func (w *queuedWrite) Wait(ctx context.Context) error {
	q := w.ix
	q.mu.Lock()
	defer q.mu.Unlock()
	for !w.done {
		next := q.queue[0]
		q.queue = q.queue[1:]
		switch {
		case next.ids != nil:
			next.err = q.Delete(ctx, next.ids)
		case q.fail != nil && q.fail(next.recs):
			next.err, q.failed = errRefused, true
		default:
			next.err = q.Upsert(ctx, next.recs)
		}
		next.done = true
	}
	return w.err
}

func (q *queuedIndex) mostSent() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.maxSent
}

// With an index that confirms writes later, a job keeps InFlight pages unconfirmed; when one
// page's write fails, the stored checkpoint is that of the page before it, although later
// pages were sent and applied, and the retried job resumes there and ends with the catalog of
// a clean run.
func TestInFlightWriteFails(t *testing.T) {
	t.Parallel()
	const inFlight, failPage = 4, 6
	cfg := fastConfig(t.TempDir())
	cfg.Backoff, cfg.MaxBackoff = 300*time.Millisecond, 300*time.Millisecond
	s := openSystem(t, cfg)
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("failing")); err != nil {
		t.Fatal(err)
	}
	h := &pager{pages: 12, per: 5}
	failID := catalog.RecordID("failing", "oai:failing:30") // the first record of failPage
	ix := &queuedIndex{Index: openIndex(t, t.TempDir())}
	var firstRun sync.Once
	var atFailure Run
	id := ""
	ix.fail = func(recs []catalog.Record) bool {
		if h.calls.Load() != 1 || !slices.ContainsFunc(recs, func(r catalog.Record) bool { return r.ID == failID }) {
			return false
		}
		// The first harvest fails on this page: no checkpoint may have passed it.
		firstRun.Do(func() { atFailure, _ = s.Run(context.Background(), id) })
		return true
	}
	p := pipeline(ix, h)
	p.InFlight = inFlight
	var err error
	if id, err = s.RunNow(ctx, "failing", false); err != nil {
		t.Fatal(err)
	}
	startWorkers(t, s, p, 1)
	r := waitRun(t, s, id, 30*time.Second, ended)
	if r.Status != StatusSucceeded || r.Pages != 12 || r.Upserted != 60 || r.Attempts != 2 || r.Errors != 1 {
		t.Errorf("run = %+v", r)
	}
	if atFailure.Pages != failPage {
		t.Errorf("checkpoint at %d pages when page %d failed, want %[2]d", atFailure.Pages, failPage)
	}
	if got := h.startPages(); !slices.Equal(got, []int{0, failPage}) {
		t.Errorf("harvests started at pages %v, want [0 %d]: the retry resumes after the last confirmed page", got, failPage)
	}
	if got := ix.mostSent(); got < inFlight || got > inFlight+1 {
		t.Errorf("at most %d writes were unconfirmed at once, want %d or %d", got, inFlight, inFlight+1)
	}
	checkCatalog(t, ix, "failing", h)
}

// An index without AsyncWriter writes each page before its checkpoint is stored and the next
// page is harvested: nothing is in flight.
func TestSyncIndexConfirmsEveryPage(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("sync")); err != nil {
		t.Fatal(err)
	}
	h := &pager{pages: 5, per: 4}
	var counts []int
	h.onPage = func(p int) {
		st, err := ix.Stats(context.Background())
		if err != nil {
			t.Error(err)
		}
		counts = append(counts, st.BySource["sync"])
	}
	startWorkers(t, s, pipeline(ix, h), 1)
	id, err := s.RunNow(ctx, "sync", false)
	if err != nil {
		t.Fatal(err)
	}
	if r := waitRun(t, s, id, 20*time.Second, ended); r.Status != StatusSucceeded || r.Pages != 5 {
		t.Errorf("run = %+v", r)
	}
	if want := []int{4, 8, 12, 16, 20}; !slices.Equal(counts, want) {
		t.Errorf("records in the index after each page: %v, want %v", counts, want)
	}
}
