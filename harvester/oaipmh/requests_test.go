package oaipmh

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/oaiserver"
)

// warnings gathers what a harvest said on its pages.
func (c *collected) warnings() string {
	var all []string
	for _, p := range c.pages {
		all = append(all, p.Warnings...)
	}
	return strings.Join(all, "\n")
}

// TestRequests checks that a harvest asks for no more than its list needs, falls back to date
// windows only when the whole range fails and says so, and emits every record once.
func TestRequests(t *testing.T) {
	refuseWhole := func(w http.ResponseWriter, q listQuery) bool {
		if q.dated || q.token != "" {
			return false
		}
		w.WriteHeader(http.StatusInternalServerError)
		return true
	}
	endlessWhole := func(w http.ResponseWriter, q listQuery) bool {
		if q.dated {
			return false
		}
		writeOAI(w, fmt.Sprintf(`<ListRecords><resumptionToken>e%d</resumptionToken></ListRecords>`, q.page))
		return true
	}
	refuseOnce := func() func(http.ResponseWriter, listQuery) bool {
		refused := false
		return func(w http.ResponseWriter, q listQuery) bool {
			if refused || q.offset != 6 {
				return false
			}
			refused = true
			writeOAI(w, `<error code="badResumptionToken">expired</error>`)
			return true
		}
	}
	tests := []struct {
		name string
		repo *fakeRepo
		// most list requests, refusals retried by the fetch client included; 0 for pages + 1
		// (with Identify, pages + 2 in all)
		most int
		warn []string // what the run must say; nothing when empty
	}{
		{name: "whole range", repo: &fakeRepo{n: 10, pageSize: 3}},
		{name: "dates ignored", repo: &fakeRepo{n: 10, pageSize: 3, ignoreDates: true}},
		{name: "whole range refused", repo: &fakeRepo{n: 10, pageSize: 3, fault: refuseWhole}, most: 60,
			warn: []string{"could not list", "date windows"}},
		{name: "whole range refused, dates ignored", repo: &fakeRepo{n: 10, pageSize: 3, ignoreDates: true, fault: refuseWhole}, most: 14,
			warn: []string{"date windows", "ignores from and until"}},
		{name: "whole range never ends", repo: &fakeRepo{n: 10, pageSize: 3, fault: endlessWhole}, most: 80,
			warn: []string{"could not list", "date windows"}},
		{name: "restart of an unsorted list", repo: &fakeRepo{n: 10, pageSize: 3, reverse: true, fault: refuseOnce()}, most: 7},
		{name: "restart of a sorted list", repo: &fakeRepo{n: 10, pageSize: 3, fault: refuseOnce()}, most: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := harvestFake(t, tt.repo, Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.ids(), fakeIDs(tt.repo.n); !slices.Equal(got, want) {
				t.Errorf("emitted %v, want each of %v once", got, want)
			}
			lists, most := tt.repo.count("ListRecords"), tt.most
			if most == 0 {
				most = len(c.pages) + 1
				if n := tt.repo.count("from=") + tt.repo.count("until="); n > 0 {
					t.Errorf("%d requests with dates; the whole range needs none", n)
				}
			}
			if lists > most {
				t.Errorf("%d list requests for %d pages, want at most %d", lists, len(c.pages), most)
			}
			warned := c.warnings()
			for _, w := range tt.warn {
				if !strings.Contains(warned, w) {
					t.Errorf("warnings %q lack %q", warned, w)
				}
			}
			if len(tt.warn) == 0 && warned != "" {
				t.Errorf("warnings %q on a harvest that needed none", warned)
			}
		})
	}
}

// TestIncrementalOneList checks that an incremental run is one list from the checkpoint, and
// that a repository ignoring its from sends only what changed since.
func TestIncrementalOneList(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignoreDates=%v", ignore), func(t *testing.T) {
			f := &fakeRepo{n: 10, pageSize: 3, step: 24 * time.Hour, ignoreDates: ignore}
			srv := httptest.NewServer(f)
			t.Cleanup(srv.Close)
			src := harvester.Source{URL: srv.URL}
			h := testHarvester(Config{})
			cp := checkpointOf(t, harvest(t, h, src, nil, false).last())
			// Pretend the last run began on the sixth record's day.
			cp.NextFrom = f.datestamp(5).Format("2006-01-02T15:04:05Z")
			raw := mustJSON(t, cp)
			before := f.count("ListRecords")
			inc := harvest(t, h, src, raw, false)
			if got, want := inc.ids(), fakeIDs(10)[5:]; !slices.Equal(got, want) {
				t.Errorf("incremental run emitted %v, want %v", got, want)
			}
			if n := f.count("ListRecords") - before; n > len(inc.pages)+1 {
				t.Errorf("%d list requests for %d pages", n, len(inc.pages))
			}
		})
	}
}

// TestRequestsCatmandu harvests the Catmandu provider: 16 records in pages of 5 take no more
// requests than their pages and two; behind a proxy refusing a list of the whole range, the
// harvest falls back to date windows, says so, and still emits every record once.
func TestRequestsCatmandu(t *testing.T) {
	var recs []oaiserver.Record
	var want []string
	start := time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)
	for i := range 16 {
		id := fmt.Sprintf("r%02d", i)
		recs = append(recs, oaiserver.Record{ID: id, Datestamp: start.AddDate(0, i, 3*i).Format(time.RFC3339), Title: []string{"Record " + id}})
	}
	srv := oaiserver.Start(t, recs, oaiserver.Options{PageSize: 5})
	for _, r := range recs {
		want = append(want, srv.Identifier(r.ID))
	}
	slices.Sort(want)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("refuse whole range=%v", refuse), func(t *testing.T) {
			var requests, lists int
			proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				requests++
				if q.Get("verb") == "ListRecords" {
					lists++
					if refuse && q.Get("resumptionToken") == "" && q.Get("from") == "" && q.Get("until") == "" {
						http.Error(w, "list too long for this server", http.StatusInternalServerError)
						return
					}
				}
				proxy.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			c := &collected{}
			err := testHarvester(Config{}).Harvest(t.Context(), harvester.Source{URL: front.URL + target.Path}, nil, false, c.emit)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.ids(); !slices.Equal(got, want) {
				t.Errorf("emitted %v, want %v", got, want)
			}
			warned := c.warnings()
			if !refuse {
				if requests > len(c.pages)+2 {
					t.Errorf("%d requests for %d pages, want at most %d", requests, len(c.pages), len(c.pages)+2)
				}
				if warned != "" {
					t.Errorf("warnings %q", warned)
				}
				return
			}
			if !strings.Contains(warned, "date windows") {
				t.Errorf("warnings %q do not say the run fell back to date windows", warned)
			}
			t.Logf("fallback: %d requests (%d lists) for %d pages", requests, lists, len(c.pages))
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
