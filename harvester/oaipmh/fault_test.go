package oaipmh

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// fakeRepo is an OAI-PMH repository in Go whose faults tests choose. Its tokens are
// "offset|from|until"; fault sees every list request first and may answer it instead.
type fakeRepo struct {
	mu       sync.Mutex
	n        int           // records r000…, one every step from 2024-01-01
	step     time.Duration // default one hour
	pageSize int
	expires  time.Duration // token lifetime, none if zero
	fault    func(w http.ResponseWriter, q listQuery) bool
	requests []string // raw queries received
	// ignoreDates lists every record whatever from and until say; reverse lists the newest
	// first.
	ignoreDates, reverse bool
}

type listQuery struct {
	token  string
	offset int  // of the page asked for
	page   int  // requests for list pages so far, from 1
	dated  bool // from or until given
}

var fakeEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func (f *fakeRepo) datestamp(i int) time.Time {
	step := f.step
	if step == 0 {
		step = time.Hour
	}
	return fakeEpoch.Add(time.Duration(i) * step)
}

func (f *fakeRepo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RawQuery)
	page := 0
	for _, q := range f.requests {
		if strings.Contains(q, "ListRecords") {
			page++
		}
	}
	f.mu.Unlock()
	q := r.URL.Query()
	switch q.Get("verb") {
	case "Identify":
		writeOAI(w, `<Identify><repositoryName>Fake</repositoryName><baseURL>http://x/</baseURL>
<protocolVersion>2.0</protocolVersion><earliestDatestamp>2024-01-01T00:00:00Z</earliestDatestamp>
<deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>`)
	case "ListRecords":
		f.list(w, q, page)
	default:
		writeOAI(w, `<error code="badVerb">no</error>`)
	}
}

func (f *fakeRepo) list(w http.ResponseWriter, q map[string][]string, page int) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	from, until, offset := get("from"), get("until"), 0
	tok := get("resumptionToken")
	parts := strings.Split(tok, "|")
	if len(parts) == 3 {
		offset, _ = strconv.Atoi(parts[0])
		from, until = parts[1], parts[2]
	}
	if f.fault != nil && f.fault(w, listQuery{token: tok, offset: offset, page: page, dated: from != "" || until != ""}) {
		return
	}
	if tok != "" && len(parts) != 3 {
		writeOAI(w, `<error code="badResumptionToken">unreadable</error>`)
		return
	}
	if f.ignoreDates {
		from, until = "", ""
	}
	var ids []int
	for i := range f.n {
		if f.reverse {
			i = f.n - 1 - i
		}
		ds := f.datestamp(i)
		if t, err := parseDatestamp(from); from != "" && (err != nil || ds.Before(t)) {
			continue
		}
		if t, err := parseDatestamp(until); until != "" && (err != nil || ds.After(t)) {
			continue
		}
		ids = append(ids, i)
	}
	if len(ids) == 0 {
		writeOAI(w, `<error code="noRecordsMatch"/>`)
		return
	}
	var b strings.Builder
	b.WriteString("<ListRecords>")
	end := min(offset+f.pageSize, len(ids))
	for _, i := range ids[offset:end] {
		fmt.Fprintf(&b, `<record><header><identifier>oai:fake:r%03d</identifier><datestamp>%s</datestamp></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Record %d</dc:title></oai_dc:dc></metadata></record>`, i, f.datestamp(i).Format(time.RFC3339), i)
	}
	exp := ""
	if f.expires != 0 {
		exp = fmt.Sprintf(` expirationDate="%s"`, time.Now().Add(f.expires).UTC().Format(time.RFC3339))
	}
	next := ""
	if end < len(ids) {
		next = fmt.Sprintf("%d|%s|%s", end, from, until)
	}
	fmt.Fprintf(&b, `<resumptionToken completeListSize="%d" cursor="%d"%s>%s</resumptionToken></ListRecords>`, len(ids), offset, exp, next)
	writeOAI(w, b.String())
}

func writeOAI(w http.ResponseWriter, inner string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>%s</responseDate>
<request>http://x/</request>%s</OAI-PMH>`, time.Now().UTC().Format(time.RFC3339), inner)
}

func (f *fakeRepo) count(substr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.requests {
		if strings.Contains(q, substr) {
			n++
		}
	}
	return n
}

func fakeIDs(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("oai:fake:r%03d", i))
	}
	return ids
}

// harvestFake harvests a fake repository and returns what was emitted and the error.
func harvestFake(t *testing.T, f *fakeRepo, cfg Config, cp json.RawMessage) (*collected, error) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := &collected{}
	err := testHarvester(cfg).Harvest(t.Context(), harvester.Source{URL: srv.URL + "/oai"}, cp, false, c.emit)
	return c, err
}

func TestFaults(t *testing.T) {
	gzipped := func(w http.ResponseWriter, cut bool) {
		w.Header().Set("Content-Encoding", "gzip")
		var b strings.Builder
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(strings.Repeat("<!-- padding -->", 500)))
		zw.Close()
		s := b.String()
		if cut {
			s = s[:len(s)/2]
		}
		w.Write([]byte(s))
	}
	once := func(cond func(q listQuery) bool, act func(w http.ResponseWriter)) func(http.ResponseWriter, listQuery) bool {
		var done bool
		return func(w http.ResponseWriter, q listQuery) bool {
			if done || !cond(q) {
				return false
			}
			done = true
			act(w)
			return true
		}
	}
	second := func(q listQuery) bool { return q.offset == 3 }
	tests := []struct {
		name  string
		repo  *fakeRepo
		check func(t *testing.T, f *fakeRepo, c *collected)
	}{
		{"500 mid-list is retried", &fakeRepo{n: 10, pageSize: 3, fault: once(second, func(w http.ResponseWriter) {
			w.WriteHeader(500)
		})}, func(t *testing.T, f *fakeRepo, c *collected) {
			if got := f.count("resumptionToken=3"); got != 2 {
				t.Errorf("page asked %d times, want 2", got)
			}
		}},
		{"503 with Retry-After", &fakeRepo{n: 10, pageSize: 3, fault: once(second, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(503)
		})}, func(t *testing.T, f *fakeRepo, c *collected) {
			if got := c.last().Progress.Refusals; got != 1 {
				t.Errorf("%d refusals, want 1", got)
			}
		}},
		{"truncated gzip mid-list", &fakeRepo{n: 10, pageSize: 3, fault: once(second, func(w http.ResponseWriter) {
			gzipped(w, true)
		})}, nil},
		{"connection reset mid-list", &fakeRepo{n: 10, pageSize: 3, fault: once(second, func(w http.ResponseWriter) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		})}, nil},
		{"badResumptionToken restarts the window", &fakeRepo{n: 10, pageSize: 3, fault: once(func(q listQuery) bool { return q.offset == 6 }, func(w http.ResponseWriter) {
			writeOAI(w, `<error code="badResumptionToken">expired</error>`)
		})}, func(t *testing.T, f *fakeRepo, c *collected) {
			// 0,3,6(refused), then 0,3,6,9 again: the first records come twice and are
			// emitted once.
			if got := f.count("ListRecords"); got != 7 {
				t.Errorf("%d list requests, want 7", got)
			}
		}},
		{"badResumptionToken always halves the window", &fakeRepo{n: 10, pageSize: 3, step: time.Minute, fault: func(w http.ResponseWriter, q listQuery) bool {
			if q.token == "" {
				return false
			}
			writeOAI(w, `<error code="badResumptionToken">nope</error>`)
			return true
		}}, nil},
		{"expiring tokens", &fakeRepo{n: 10, pageSize: 3, expires: time.Hour}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := harvestFake(t, tt.repo, Config{Window: -1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.ids(), fakeIDs(tt.repo.n); !slices.Equal(got, want) {
				t.Errorf("records %v, want %v", got, want)
			}
			if !c.last().Done {
				t.Error("not done")
			}
			if tt.check != nil {
				tt.check(t, tt.repo, c)
			}
		})
	}
}

func TestEndlessLists(t *testing.T) {
	answer := func(body func(q listQuery) string) func(http.ResponseWriter, listQuery) bool {
		return func(w http.ResponseWriter, q listQuery) bool {
			writeOAI(w, body(q))
			return true
		}
	}
	rec := `<record><header><identifier>oai:fake:same</identifier><datestamp>2024-01-01</datestamp></header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/></metadata></record>`
	tests := []struct {
		name  string
		fault func(http.ResponseWriter, listQuery) bool
		want  string
	}{
		{"same token", answer(func(q listQuery) string {
			return `<ListRecords>` + strings.Replace(rec, "same", strconv.Itoa(q.page), 1) + `<resumptionToken>again</resumptionToken></ListRecords>`
		}), "came back"},
		{"same page, new tokens", answer(func(q listQuery) string {
			return fmt.Sprintf(`<ListRecords>%s<resumptionToken>t%d</resumptionToken></ListRecords>`, rec, q.page)
		}), "the same page came twice"},
		{"empty pages", answer(func(q listQuery) string {
			return fmt.Sprintf(`<ListRecords><resumptionToken>t%d</resumptionToken></ListRecords>`, q.page)
		}), "20 pages in a row with no new record"},
		// The same three records in turn, restamped on every page, so that no page repeats.
		{"same records, new tokens", answer(func(q listQuery) string {
			stamped := strings.Replace(rec, "2024-01-01", fakeEpoch.Add(time.Duration(q.page)*time.Hour).Format(time.RFC3339), 1)
			return fmt.Sprintf(`<ListRecords>%s<resumptionToken>fresh-%d</resumptionToken></ListRecords>`,
				strings.Replace(stamped, "same", strconv.Itoa(q.page%3), 1), q.page)
		}), "20 pages in a row with no new record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeRepo{n: 1, pageSize: 1, fault: tt.fault}
			_, err := harvestFake(t, f, Config{Window: -1}, nil)
			if !errors.Is(err, ErrLoop) || harvester.KindOf(err) != harvester.KindPermanent || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want permanent ErrLoop saying %q", err, tt.want)
			}
			// The whole range, then its first window.
			if n := f.count("ListRecords"); n > 60 {
				t.Errorf("%d requests before stopping", n)
			}
		})
	}
}

// A run stops cleanly at its page limit, from the source or the harvester's default, and the
// next run goes on from there.
func TestPageLimit(t *testing.T) {
	for _, tt := range []struct {
		name          string
		source, deflt int
	}{{"source", 4, 0}, {"default", 0, 4}, {"source over default", 4, 100}} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeRepo{n: 50, pageSize: 5}
			srv := httptest.NewServer(f)
			defer srv.Close()
			h := testHarvester(Config{Window: -1, MaxPages: tt.deflt})
			src := harvester.Source{URL: srv.URL + "/oai", MaxPages: tt.source}
			first := &collected{}
			if err := h.Harvest(t.Context(), src, nil, false, first.emit); err != nil {
				t.Fatalf("harvest: %v", err)
			}
			if len(first.pages) != 4 || first.last().Done || len(first.records) != 20 {
				t.Fatalf("%d pages, %d records, done %v; want 4 pages, 20 records, not done", len(first.pages), len(first.records), first.last().Done)
			}
			if w := first.last().Warnings; len(w) != 1 || !strings.Contains(w[0], "stopped after 4 pages") {
				t.Errorf("warnings %q", w)
			}
			second := &collected{}
			if err := h.Harvest(t.Context(), src, first.last().Checkpoint, false, second.emit); err != nil {
				t.Fatalf("second harvest: %v", err)
			}
			if got := append(first.ids(), second.ids()...); len(got) != 40 || slices.Contains(first.ids(), second.ids()[0]) {
				t.Errorf("second run did not go on: %d records in all", len(got))
			}
		})
	}
}

func TestNotOAI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>"))
	}))
	defer srv.Close()
	err := testHarvester(Config{}).Harvest(t.Context(), harvester.Source{URL: srv.URL}, nil, false,
		func(context.Context, harvester.Page) error { return nil })
	if !errors.Is(err, ErrNotOAI) || harvester.KindOf(err) != harvester.KindPermanent {
		t.Fatalf("err = %v, want permanent ErrNotOAI", err)
	}
}

// TestExpiredCheckpointToken resumes from a checkpoint whose token has expired since: the
// window starts again instead of sending the dead token.
func TestExpiredCheckpointToken(t *testing.T) {
	f := &fakeRepo{n: 10, pageSize: 3, expires: time.Hour}
	srv := httptest.NewServer(f)
	defer srv.Close()
	src := harvester.Source{URL: srv.URL}
	stop := errors.New("stop")
	var first harvester.Page
	err := testHarvester(Config{}).Harvest(t.Context(), src, nil, false, func(_ context.Context, p harvester.Page) error {
		first = p
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatal(err)
	}
	cp := checkpointOf(t, first)
	if cp.Token == "" || cp.Expires == nil {
		t.Fatalf("checkpoint without token or expiry: %+v", cp)
	}
	past := time.Now().Add(-time.Minute)
	cp.Expires = &past
	raw, _ := json.Marshal(cp)
	f.mu.Lock()
	before := len(f.requests)
	f.mu.Unlock()
	c := harvest(t, testHarvester(Config{}), src, raw, false)
	if q := f.requests[before]; strings.Contains(q, "resumptionToken") {
		t.Errorf("resumed with %q, want the list from its start", q)
	}
	got := append(slicesOf(first.Records), c.ids()...)
	slices.Sort(got)
	got = slices.Compact(got)
	if want := fakeIDs(10); !slices.Equal(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
}

func slicesOf(recs []harvester.Record) []string {
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.OriginID)
	}
	return ids
}

func TestLargeWindowSplit(t *testing.T) {
	f := &fakeRepo{n: 40, pageSize: 5, step: time.Minute}
	c, err := harvestFake(t, f, Config{MaxWindowRecords: 10, Window: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ids(), fakeIDs(40); !slices.Equal(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
	if got := f.count("until="); got < 4 {
		t.Errorf("only %d windows asked for; the month was not split", got)
	}
}

// TestCheckpointPolicy hands a harvest checkpoints it must not resume: it harvests in full and
// says why on the run.
func TestCheckpointPolicy(t *testing.T) {
	tests := []struct {
		name, cp, warn string
	}{
		{"garbage", `{"v": 1, "prefixes": "oai_dc"`, "unreadable"},
		{"other version", `{"v": 9, "url": "x"}`, "version 9"},
		{"other source", `{"v": 1, "url": "https://elsewhere.example/oai", "prefixes": ["oai_dc"], "token": "t"}`, "settings changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeRepo{n: 5, pageSize: 2}
			c, err := harvestFake(t, f, Config{Window: -1}, json.RawMessage(tt.cp))
			if err != nil {
				t.Fatal(err)
			}
			if w := c.pages[0].Warnings; len(w) != 1 || !strings.Contains(w[0], tt.warn) {
				t.Errorf("first page's warnings %q, want one about %q", w, tt.warn)
			}
			if !slices.Equal(c.ids(), fakeIDs(5)) {
				t.Errorf("harvested %v, want every record", c.ids())
			}
			for _, p := range c.pages[1:] {
				if len(p.Warnings) > 0 {
					t.Errorf("warnings %q repeated on a later page", p.Warnings)
				}
			}
		})
	}
}
