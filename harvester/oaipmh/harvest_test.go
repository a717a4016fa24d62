package oaipmh

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/internal/oaiserver"
)

// testHarvester reaches loopback servers and retries without real waits.
func testHarvester(cfg Config) *Harvester {
	cfg.Fetch.AllowPrivate = true
	cfg.Fetch.BackoffBase = time.Millisecond
	cfg.Fetch.BackoffMax = 2 * time.Millisecond
	cfg.Fetch.Timeout = 5 * time.Second
	return New(cfg, nil)
}

// collected is what a harvest emitted.
type collected struct {
	pages   []harvester.Page
	records []harvester.Record
}

func (c *collected) ids() []string {
	var ids []string
	for _, r := range c.records {
		ids = append(ids, r.OriginID)
	}
	slices.Sort(ids)
	return ids
}

func (c *collected) last() harvester.Page { return c.pages[len(c.pages)-1] }

func (c *collected) emit(ctx context.Context, p harvester.Page) error {
	c.pages = append(c.pages, p)
	c.records = append(c.records, p.Records...)
	return nil
}

func harvest(t *testing.T, h *Harvester, src harvester.Source, cp json.RawMessage, full bool) *collected {
	t.Helper()
	c := &collected{}
	if err := h.Harvest(t.Context(), src, cp, full, c.emit); err != nil {
		t.Fatalf("harvest: %v", err)
	}
	if len(c.pages) == 0 || !c.last().Done {
		t.Fatalf("harvest ended without a Done page")
	}
	for _, p := range c.pages[:len(c.pages)-1] {
		if p.Done {
			t.Fatalf("Done before the last page")
		}
	}
	return c
}

func checkpointOf(t *testing.T, p harvester.Page) Checkpoint {
	t.Helper()
	var cp Checkpoint
	if err := json.Unmarshal(p.Checkpoint, &cp); err != nil {
		t.Fatal(err)
	}
	return cp
}

func catalogue(now time.Time) []oaiserver.Record {
	ds := func(d time.Duration) string { return now.Add(-d).UTC().Format("2006-01-02T15:04:05Z") }
	return []oaiserver.Record{
		{ID: "old1", Datestamp: "2023-01-15T08:00:00Z", Sets: []string{"math"}, Title: []string{"Fractions"},
			Rights: []string{"https://creativecommons.org/licenses/by/4.0/"}, Language: []string{"en"}},
		{ID: "old2", Datestamp: "2023-03-02T09:30:00Z", Sets: []string{"math", "physics"}, Title: []string{"Vectors"}},
		{ID: "old3", Datestamp: "2023-03-31T23:59:59Z", Sets: []string{"physics"}, Title: []string{"Optics"}},
		{ID: "gone", Datestamp: "2023-06-01T00:00:00Z", Sets: []string{"physics"}, Deleted: true},
		{ID: "old4", Datestamp: "2024-11-30T12:00:00Z", Title: []string{"Poems"}, Creator: []string{"Ada"}},
		{ID: "new1", Datestamp: ds(10 * time.Minute), Sets: []string{"math"}, Title: []string{"Fresh"}},
		{ID: "new2", Datestamp: ds(2 * time.Minute), Title: []string{"Fresher"}},
	}
}

// A repository that does not keep its deletions says on a run's last page, and only there, that
// what a full run did not list is gone.
func TestHarvestSweepWithoutPersistentDeletions(t *testing.T) {
	for _, policy := range []string{"no", "transient"} {
		t.Run(policy, func(t *testing.T) {
			srv := oaiserver.Start(t, catalogue(time.Now()), oaiserver.Options{PageSize: 2, DeletedRecord: policy})
			got := harvest(t, testHarvester(Config{}), harvester.Source{URL: srv.URL}, nil, true)
			for i, p := range got.pages {
				if p.Sweep != (i == len(got.pages)-1) {
					t.Errorf("page %d of %d: sweep %t", i+1, len(got.pages), p.Sweep)
				}
			}
		})
	}
}

func TestHarvestCatmandu(t *testing.T) {
	srv := oaiserver.Start(t, catalogue(time.Now()), oaiserver.Options{PageSize: 2})
	id := srv.Identifier
	h := testHarvester(Config{})
	src := harvester.Source{URL: srv.URL}

	full := harvest(t, h, src, nil, false)
	want := []string{id("gone"), id("new1"), id("new2"), id("old1"), id("old2"), id("old3"), id("old4")}
	if got := full.ids(); !slices.Equal(got, want) {
		t.Fatalf("full harvest: %v, want %v", got, want)
	}
	for _, r := range full.records {
		if r.Deleted != (r.OriginID == id("gone")) {
			t.Errorf("%s: deleted = %v", r.OriginID, r.Deleted)
		}
		if r.Format != "oai_dc" || r.Datestamp == "" {
			t.Errorf("%s: format %q datestamp %q", r.OriginID, r.Format, r.Datestamp)
		}
		if r.OriginID == id("old1") && (len(r.Titles) != 1 || r.Titles[0] != "Fractions" || len(r.Sets) != 1 || len(r.Rights) == 0) {
			t.Errorf("old1 = %+v", r)
		}
	}
	last := full.last()
	if p := last.Progress; p.Records != 7 || p.Deleted != 1 || p.Pages != len(full.pages) || p.Requests < p.Pages+1 {
		t.Errorf("progress %+v over %d pages", p, len(full.pages))
	}
	cp := checkpointOf(t, last)
	if !cp.Done || cp.NextFrom == "" || cp.ResponseDate == "" {
		t.Fatalf("final checkpoint %+v", cp)
	}
	if last.Sweep || cp.Deletions != "persistent" {
		t.Errorf("a repository that keeps its deletions (%q) asks for sweeps", cp.Deletions)
	}
	rd, _ := parseDatestamp(cp.ResponseDate)
	if nf, _ := parseDatestamp(cp.NextFrom); !nf.Equal(rd.Add(-time.Hour)) {
		t.Errorf("next from %s, want responseDate %s less an hour", cp.NextFrom, cp.ResponseDate)
	}

	t.Run("incremental", func(t *testing.T) {
		inc := harvest(t, h, src, last.Checkpoint, false)
		if got, want := inc.ids(), []string{id("new1"), id("new2")}; !slices.Equal(got, want) {
			t.Errorf("incremental: %v, want %v", got, want)
		}
		// full ignores the checkpoint's date.
		if got := harvest(t, h, src, last.Checkpoint, true).ids(); len(got) != 7 {
			t.Errorf("full over a Done checkpoint: %d records", len(got))
		}
	})
	t.Run("from", func(t *testing.T) {
		got := harvest(t, h, harvester.Source{URL: srv.URL, From: "2023-03-02", Until: "2023-12-31"}, nil, false).ids()
		if want := []string{id("gone"), id("old2"), id("old3")}; !slices.Equal(got, want) {
			t.Errorf("from/until: %v, want %v", got, want)
		}
	})
	t.Run("sets", func(t *testing.T) {
		c := harvest(t, h, harvester.Source{URL: srv.URL, Sets: []string{"math", "physics"}}, nil, false)
		// old2 is in both sets and comes once.
		want := []string{id("gone"), id("new1"), id("old1"), id("old2"), id("old3")}
		if got := c.ids(); !slices.Equal(got, want) {
			t.Errorf("sets: %v, want %v", got, want)
		}
	})
	t.Run("resume", func(t *testing.T) {
		// Stop after every page and resume from its checkpoint in a new harvester: nothing lost.
		var got []string
		var cp json.RawMessage
		stop := errors.New("stop")
		for range 100 {
			var page harvester.Page
			err := testHarvester(Config{}).Harvest(t.Context(), src, cp, false, func(_ context.Context, p harvester.Page) error {
				page = p
				return stop
			})
			if !errors.Is(err, stop) {
				t.Fatalf("harvest: %v", err)
			}
			for _, r := range page.Records {
				got = append(got, r.OriginID)
			}
			cp = page.Checkpoint
			if page.Done {
				break
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("resumed harvest: %v, want %v", got, want)
		}
	})
	t.Run("client", func(t *testing.T) {
		c, err := NewClient(srv.URL, fetch.New(fetch.Config{AllowPrivate: true}, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		var headers []Header
		if err := c.ListIdentifiers(t.Context(), ListArgs{Prefix: "oai_dc", Set: "physics"}, func(h Header) error {
			headers = append(headers, h)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(headers) != 3 {
			t.Errorf("ListIdentifiers physics: %d headers", len(headers))
		}
		rec, err := c.GetRecord(t.Context(), id("old4"), "oai_dc")
		if err != nil || rec.OriginID != id("old4") || len(rec.Creators) != 1 {
			t.Errorf("GetRecord: %+v, %v", rec, err)
		}
		_, err = c.GetRecord(t.Context(), id("nope"), "oai_dc")
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Code != IDDoesNotExist || harvester.KindOf(err) != harvester.KindPermanent {
			t.Errorf("GetRecord unknown: %v", err)
		}
		sets, err := c.ListSets(t.Context(), 0)
		if err != nil || len(sets) != 2 {
			t.Errorf("ListSets: %v, %v", sets, err)
		}
		fmts, err := c.ListMetadataFormats(t.Context(), "")
		if err != nil || len(fmts) != 1 || fmts[0].Prefix != "oai_dc" {
			t.Errorf("ListMetadataFormats: %v, %v", fmts, err)
		}
	})
	t.Logf("full harvest: %d pages, progress %+v", len(full.pages), last.Progress)
}

func TestProbe(t *testing.T) {
	srv := oaiserver.Start(t, catalogue(time.Now()), oaiserver.Options{PageSize: 2, SetNames: map[string]string{"math": "Mathematics"}})
	r, err := testHarvester(Config{}).Probe(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Orchard test repository", "YYYY-MM-DDThh:mm:ssZ", "persistent", "oai_dc", "math", "Mathematics", srv.Identifier("old1"), "Fractions", "creativecommons.org"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	if len(r.Samples) != 2 || len(r.Problems) != 0 {
		t.Errorf("samples %d, problems %v", len(r.Samples), r.Problems)
	}
	if _, err := testHarvester(Config{}).Probe(t.Context(), "http://127.0.0.1:1/oai"); err == nil {
		t.Error("probing a closed port succeeded")
	}
}
