package oaipmh

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
)

// pacedRepo serves records stamped at stamps (sorted) in pages, honouring from and until
// unless ignoreDates, behind a limiter that answers a request coming sooner than every after
// the last one it served with 503 and Retry-After.
type pacedRepo struct {
	earliest    string
	stamps      []time.Time
	page        int
	ignoreDates bool
	every       time.Duration

	mu                 sync.Mutex
	last               time.Time
	requests, refusals int
}

func (p *pacedRepo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	now := time.Now()
	// A tenth of slack for the scheduling of a shared machine.
	if !p.last.IsZero() && now.Sub(p.last) < p.every*9/10 {
		p.refusals++
		p.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	p.last = now
	p.requests++
	p.mu.Unlock()
	q := r.URL.Query()
	if q.Get("verb") == "Identify" {
		writeOAI(w, `<Identify><repositoryName>Paced</repositoryName><earliestDatestamp>`+p.earliest+`</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>`)
		return
	}
	// Tokens are "start-lo-hi": the list's first record, the page's and the list's last.
	start, hi := 0, len(p.stamps)-1
	lo := start
	if parts := strings.Split(q.Get("resumptionToken"), "-"); len(parts) == 3 {
		start, _ = strconv.Atoi(parts[0])
		lo, _ = strconv.Atoi(parts[1])
		hi, _ = strconv.Atoi(parts[2])
	} else if !p.ignoreDates {
		if t, err := parseDatestamp(q.Get("from")); err == nil {
			start, _ = slices.BinarySearchFunc(p.stamps, t, time.Time.Compare)
			lo = start
		}
		if t, err := parseDatestamp(q.Get("until")); err == nil {
			n, found := slices.BinarySearchFunc(p.stamps, t, time.Time.Compare)
			if !found {
				n--
			}
			hi = min(hi, n)
		}
	}
	if lo > hi {
		writeOAI(w, `<error code="noRecordsMatch"/>`)
		return
	}
	var b strings.Builder
	b.WriteString("<ListRecords>")
	end := min(lo+p.page, hi+1)
	for i := lo; i < end; i++ {
		genRecord(&b, i, p.stamps[i].Format(time.RFC3339))
	}
	tok := ""
	if end <= hi {
		tok = fmt.Sprintf("%d-%d-%d", start, end, hi)
	}
	fmt.Fprintf(&b, `<resumptionToken completeListSize="%d" cursor="%d">%s</resumptionToken></ListRecords>`, hi-start+1, lo-start, tok)
	writeOAI(w, b.String())
}

// spread stamps n records evenly from a to z.
func spread(n int, a, z time.Time) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = a.Add(z.Sub(a) / time.Duration(n) * time.Duration(i)).Truncate(time.Second)
	}
	return out
}

// BenchmarkRequests harvests repositories behind a limiter of 2 requests a second (or one per
// ORCHARD_BENCH_INTERVAL) with the harvest paced to it, and reports the requests and the wall
// time against the ideal: Identify and one request per page of the whole list, a pace apart.
//
//	go test -run '^$' -bench Requests -benchtime 1x ./harvester/oaipmh
func BenchmarkRequests(b *testing.B) {
	every := 500 * time.Millisecond
	if s := os.Getenv("ORCHARD_BENCH_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		every = d
	}
	now := time.Now().UTC()
	year := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	sparse := func(ignoreDates bool) *pacedRepo {
		// 500 records over three years of a repository claiming records since 1990.
		return &pacedRepo{earliest: "1990-01-01T00:00:00Z", stamps: spread(500, year(2021), year(2024)), page: 100, ignoreDates: ignoreDates}
	}
	cases := []struct {
		name string
		repo func() *pacedRepo
	}{
		{"sparse", func() *pacedRepo { return sparse(false) }},
		{"sparse-dates-ignored", func() *pacedRepo { return sparse(true) }},
		// 5,000 records over every month since the earliest datestamp.
		{"dense", func() *pacedRepo {
			return &pacedRepo{earliest: "2020-01-01T00:00:00Z", stamps: spread(5000, year(2020), now.Add(-time.Hour)), page: 100}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				repo := c.repo()
				repo.every = every
				srv := httptest.NewServer(repo)
				h := New(Config{Fetch: fetch.Config{AllowPrivate: true}}, nil)
				seen := map[string]int{}
				start := time.Now()
				err := h.Harvest(b.Context(), harvester.Source{URL: srv.URL, Pace: every}, nil, true, func(_ context.Context, p harvester.Page) error {
					for _, r := range p.Records {
						seen[r.OriginID]++
					}
					return nil
				})
				took := time.Since(start)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				emitted := 0
				for _, n := range seen {
					emitted += n
				}
				if len(seen) != len(repo.stamps) {
					b.Fatalf("%d of %d records", len(seen), len(repo.stamps))
				}
				pages := (len(repo.stamps) + repo.page - 1) / repo.page
				ideal := pages + 1
				idealTime := time.Duration(ideal-1) * every
				b.ReportMetric(float64(repo.requests), "requests")
				b.ReportMetric(float64(repo.requests)/float64(ideal), "requests/ideal")
				b.ReportMetric(took.Seconds(), "s")
				b.ReportMetric(took.Seconds()/idealTime.Seconds(), "time/ideal")
				b.ReportMetric(float64(repo.refusals), "refusals")
				b.ReportMetric(float64(emitted)/float64(len(repo.stamps)), "emitted/records")
			}
		})
	}
}
