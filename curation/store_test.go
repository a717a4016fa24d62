package curation

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/workers"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	sys, err := workers.Open(t.Context(), workers.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close() })
	s, err := Open(t.Context(), sys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func set(t *testing.T, s *Store, id string, d Decision) {
	t.Helper()
	if _, err := s.Change(t.Context(), id, func(old *Decision) error { *old = d; return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestStore(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	if _, ok, err := s.Get(ctx, "repo_1"); ok || err != nil {
		t.Fatalf("Get of nothing = %v %v", ok, err)
	}
	set(t, s, "repo_1", Decision{License: &catalog.Override{ID: "CC0-1.0", Note: "n"}})
	set(t, s, "repo_2", Decision{Hidden: true})
	d, err := s.Change(ctx, "repo_2", func(d *Decision) error { d.License = &catalog.Override{ID: "MIT"}; return nil })
	if err != nil || !d.Hidden || d.License.ID != "MIT" {
		t.Fatalf("Change keeps what it does not edit: %+v %v", d, err)
	}
	refused := errors.New("refused")
	if _, err := s.Change(ctx, "repo_2", func(d *Decision) error { d.Hidden = false; return refused }); !errors.Is(err, refused) {
		t.Fatalf("Change with a failing edit = %v", err)
	}
	if d, _, _ := s.Get(ctx, "repo_2"); !d.Hidden {
		t.Error("a failed edit was kept")
	}

	got, err := s.Lookup(ctx, []string{"repo_1", "repo_2", "repo_3", "repo_1", "not a key"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["repo_1"].License.ID != "CC0-1.0" || !got["repo_2"].Hidden {
		t.Errorf("Lookup = %+v", got)
	}
	if got, err := s.Lookup(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Lookup of nothing = %v %v", got, err)
	}

	// A decision that decides nothing any more is forgotten.
	set(t, s, "repo_1", Decision{})
	if _, ok, err := s.Get(ctx, "repo_1"); ok || err != nil {
		t.Errorf("emptied decision still kept: %v %v", ok, err)
	}
	if got, _ := s.Lookup(ctx, []string{"repo_1"}); len(got) != 0 {
		t.Errorf("Lookup finds a forgotten decision: %+v", got)
	}
}

func TestNormalize(t *testing.T) {
	s := openStore(t)
	raw := func(id string, rights string) harvester.Record {
		return harvester.Record{OriginID: id, Titles: []string{"Work " + id}, Identifiers: []string{"https://repo.example/" + id},
			Rights: []harvester.Rights{{From: "dc:rights", Value: rights}}}
	}
	page := []harvester.Record{
		raw("a", "some words"),
		raw("b", "https://creativecommons.org/licenses/by/4.0/"),
		{OriginID: "c"}, // no title: the normalizer refuses it
		raw("d", "some words"),
	}
	id := func(origin string) string { return catalog.RecordID("repo", origin) }
	set(t, s, id("a"), Decision{License: &catalog.Override{ID: "CC-BY-SA-4.0"}})
	set(t, s, id("b"), Decision{Hidden: true})
	set(t, s, id("c"), Decision{Hidden: true})
	set(t, s, id("d"), Decision{License: &catalog.Override{ID: "CC-BY-9.9"}}) // not a license: that record fails

	// Count the records the wrapped normalizer makes, to see the page normalized once.
	calls := 0
	fn := func(source string, r harvester.Record) (catalog.Record, error) {
		calls++
		return normalizer.Record(source, r)
	}
	norm := s.Normalize(fn)
	src := harvester.Source{Name: "repo", Type: harvester.TypeOAIPMH}
	out, err := norm(t.Context(), src, page)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(page) || calls != len(page) {
		t.Fatalf("%d records of %d, %d calls", len(out), len(page), calls)
	}
	a, b, c, d := out[0], out[1], out[2], out[3]
	if a.Err != nil || a.Record.License.ID != "CC-BY-SA-4.0" || a.Record.License.Override == nil || a.Record.Hidden {
		t.Errorf("a = %+v, %v", a.Record.License, a.Err)
	}
	if b.Err != nil || b.Record.License.ID != "CC-BY-4.0" || !b.Record.Hidden {
		t.Errorf("b = %+v hidden %v, %v", b.Record.License, b.Record.Hidden, b.Err)
	}
	if c.Err == nil {
		t.Errorf("c: the normalizer's error was lost: %+v", c.Record)
	}
	if d.Err == nil {
		t.Errorf("d: a decision naming an unknown license was applied: %+v", d.Record.License)
	}

	// The lookup runs with the job's context: a cancelled job reads no decisions and fails
	// the page rather than indexing it without them.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := norm(ctx, src, page); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled page: err = %v", err)
	}
}
