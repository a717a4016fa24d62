package workers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
)

// script is a harvester whose n-th harvest emits runs[n] as one page.
type script struct {
	runs  [][]harvester.Record
	calls atomic.Int32
}

func (h *script) Harvest(ctx context.Context, _ harvester.Source, _ json.RawMessage, _ bool, emit harvester.Emit) error {
	n := int(h.calls.Add(1)) - 1
	return emit(ctx, harvester.Page{Records: h.runs[n], Checkpoint: json.RawMessage(`{}`), Done: true})
}

func TestDeletesLeaveTombstones(t *testing.T) {
	t.Parallel()
	s := openSystem(t, fastConfig(t.TempDir()))
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("tomb")); err != nil {
		t.Fatal(err)
	}
	rec := func(origin, rights string) harvester.Record {
		return harvester.Record{OriginID: origin, Titles: []string{origin}, Rights: []harvester.Rights{{Value: rights}}}
	}
	gone := func(origin string) harvester.Record { return harvester.Record{OriginID: origin, Deleted: true} }
	h := &script{runs: [][]harvester.Record{
		{rec("a", "CC-BY-4.0"), rec("b", "some words"), rec("c", "CC-BY-4.0")},
		{gone("a"), gone("never-seen")},
		{gone("b")},
		{rec("a", "CC-BY-4.0")},
	}}
	startWorkers(t, s, pipeline(ix, h), 1)
	id := func(origin string) string { return catalog.RecordID("tomb", origin) }
	run := func() {
		t.Helper()
		rid, err := s.RunNow(ctx, "tomb", false)
		if err != nil {
			t.Fatal(err)
		}
		if r := waitRun(t, s, rid, 20*time.Second, ended); r.Status != StatusSucceeded {
			t.Fatalf("run = %+v", r)
		}
	}

	before := time.Now().UTC().Truncate(time.Second)
	run()
	r, err := ix.Get(ctx, id("a"))
	if err != nil {
		t.Fatal(err)
	}
	if w, err := time.Parse(time.RFC3339, r.Indexed); err != nil || w.Before(before) || w.After(time.Now()) {
		t.Errorf("indexed = %q (%v), want the time of the run", r.Indexed, err)
	}
	if ts, err := s.Tombstones(ctx); err != nil || len(ts) != 0 {
		t.Fatalf("tombstones before any delete: %v, %v", ts, err)
	}

	run()
	ts, err := s.Tombstones(ctx)
	if err != nil || len(ts) != 1 {
		t.Fatalf("tombstones = %+v, %v; want one, for a (never-seen was never in the catalog)", ts, err)
	}
	if got := ts[0]; got.ID != id("a") || got.Source != "tomb" || got.Family != "CC-BY" || !got.Open || got.Deleted < r.Indexed {
		t.Errorf("tombstone = %+v", got)
	}
	if _, err := ix.Get(ctx, id("a")); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("a after its deletion: %v", err)
	}

	run()
	ts, err = s.Tombstones(ctx)
	var ids []string
	for _, x := range ts {
		ids = append(ids, x.ID)
	}
	slices.Sort(ids)
	want := []string{id("a"), id("b")}
	slices.Sort(want)
	if err != nil || !slices.Equal(ids, want) {
		t.Errorf("tombstones after the second delete: %v, %v; want %v", ids, err, want)
	}

	// A record that comes back loses its tombstone.
	run()
	if ts, err := s.Tombstones(ctx); err != nil || len(ts) != 1 || ts[0].ID != id("b") {
		t.Errorf("tombstones after a came back: %+v, %v; want b's only", ts, err)
	}
}

func TestSecretIsSharedAndKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openSystem(t, fastConfig(dir))
	ctx := t.Context()
	a, err := s.Secret(ctx, "signing", 32)
	if err != nil || len(a) != 32 {
		t.Fatalf("secret = %x, %v", a, err)
	}
	b, err := s.Secret(ctx, "signing", 32)
	if err != nil || !slices.Equal(a, b) {
		t.Errorf("second read = %x, %v; want %x", b, err, a)
	}
	if c, err := s.Secret(ctx, "other", 32); err != nil || slices.Equal(a, c) {
		t.Errorf("another secret = %x, %v; want a new key", c, err)
	}
}
