package workers

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// TestNormalizeByPage: the pipeline hands Normalize one page at a time with the job's context,
// and a page that cannot be normalized as a whole fails the delivery, which is retried from the
// last checkpoint.
func TestNormalizeByPage(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("paged")); err != nil {
		t.Fatal(err)
	}
	h := &pager{pages: 3, per: 5}
	var mu sync.Mutex
	var sizes []int
	failed := false
	each := EachRecord(normalize)
	p := pipeline(ix, h)
	p.Normalize = func(ctx context.Context, src harvester.Source, raws []harvester.Record) ([]Normalized, error) {
		if ctx.Done() == nil {
			t.Error("Normalize got a context that cannot be cancelled")
		}
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(raws))
		if len(sizes) == 2 && !failed { // the second page, once
			failed = true
			return nil, errors.New("decisions unavailable")
		}
		return each(ctx, src, raws)
	}
	startWorkers(t, s, p, 1)
	id, err := s.RunNow(ctx, "paged", false)
	if err != nil {
		t.Fatal(err)
	}
	r := waitRun(t, s, id, 20*time.Second, ended)
	if r.Status != StatusSucceeded || r.Attempts != 2 || r.Errors != 1 || r.Upserted != 15 {
		t.Errorf("run = %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	// Pages 0 and 1 (refused), then from the checkpoint after page 0: pages 1 and 2.
	if len(sizes) != 4 || sizes[0] != 5 || sizes[1] != 5 || sizes[2] != 5 || sizes[3] != 5 {
		t.Errorf("Normalize saw pages of %v records", sizes)
	}
	if got := h.startPages(); len(got) != 2 || got[1] != 1 {
		t.Errorf("harvests started at %v, want [0 1]", got)
	}
	checkCatalog(t, ix, "paged", h)
}
