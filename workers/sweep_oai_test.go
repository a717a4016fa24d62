package workers

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/internal/oaiserver"
	"github.com/orchard-oer/orchard/normalizer"
)

func oaiRecords(ids ...int) []oaiserver.Record {
	out := make([]oaiserver.Record, len(ids))
	for i, id := range ids {
		out[i] = oaiserver.Record{ID: fmt.Sprint(id), Datestamp: fmt.Sprintf("2024-01-%02dT10:00:00Z", id),
			Title: []string{fmt.Sprint("Record ", id)}, Rights: []string{"https://creativecommons.org/licenses/by/4.0/"}}
	}
	return out
}

// Deletions of a real OAI-PMH repository (Catmandu's provider) whose deletions are transient,
// end to end through the workers into both backends: a record with status="deleted" leaves at
// once, a record dropped from the repository leaves with the next complete full run.
func TestOAIDeletionsAndSweeps(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			srv := oaiserver.Start(t, oaiRecords(1, 2, 3, 4, 5), oaiserver.Options{PageSize: 2, DeletedRecord: "transient"})
			ix := open(t)
			s := openSystem(t, fastConfig(t.TempDir()))
			c := fetch.New(fetch.Config{AllowPrivate: true, Pace: time.Millisecond}, nil)
			startWorkers(t, s, Pipeline{
				Harvesters: map[string]harvester.Harvester{harvester.TypeOAIPMH: oaipmh.New(oaipmh.Config{Client: c}, nil)},
				Normalize:  EachRecord(normalizer.Record), Index: ix, Batch: 2,
			}, 1)
			ctx := t.Context()
			if _, err := s.Sources().Add(ctx, Source{Source: harvester.Source{Name: "repo", Type: harvester.TypeOAIPMH, URL: srv.URL}}); err != nil {
				t.Fatal(err)
			}
			check := func(want ...int) {
				t.Helper()
				var ids []string
				for _, id := range want {
					ids = append(ids, srv.Identifier(fmt.Sprint(id)))
				}
				slices.Sort(ids)
				if got := sourceIDs(t, ix, "repo"); !slices.Equal(got, ids) {
					t.Fatalf("catalog holds %v, want %v", got, ids)
				}
			}
			if r := runDone(t, s, "repo", false); r.Status != StatusSucceeded || !r.Sweepable {
				t.Fatalf("first run: %+v", r)
			}
			check(1, 2, 3, 4, 5)

			// Record 2 is deleted (status="deleted"), record 5 vanishes without a word.
			recs := oaiRecords(1, 2, 3, 4)
			recs[1].Deleted, recs[1].Datestamp = true, time.Now().UTC().Format(time.RFC3339)
			srv.SetRecords(t, recs)
			if r := runDone(t, s, "repo", false); r.Sweep != nil {
				t.Fatalf("incremental run swept: %+v", r.Sweep)
			}
			check(1, 3, 4, 5)
			r := runDone(t, s, "repo", true)
			if r.Sweep == nil || r.Sweep.Status != SweepSwept || r.Sweep.Removed != 1 {
				t.Fatalf("full run's sweep: %+v", r.Sweep)
			}
			check(1, 3, 4)
			ts, err := s.Tombstones(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []int{2, 5} {
				rid := catalog.RecordID("repo", srv.Identifier(fmt.Sprint(id)))
				if !slices.ContainsFunc(ts, func(tb catalog.Tombstone) bool { return tb.ID == rid }) {
					t.Errorf("no tombstone of record %d", id)
				}
			}
		})
	}
}
