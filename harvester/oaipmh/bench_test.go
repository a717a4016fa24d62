package oaipmh

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
)

// genRecord writes a typical oai_dc record of about 1 KB.
func genRecord(b *strings.Builder, i int, datestamp string) {
	fmt.Fprintf(b, `<record><header><identifier>oai:gen.example.org:%d</identifier><datestamp>%s</datestamp><setSpec>col_%d</setSpec></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">
<dc:title>Open textbook number %d: an introduction to the subject</dc:title>
<dc:creator>Lovelace, Ada</dc:creator><dc:creator>Babbage, Charles</dc:creator>
<dc:subject>Mathematics</dc:subject><dc:subject>Engines</dc:subject>
<dc:description>A short description of the resource, long enough to look like the abstracts repositories serve, with a sentence or two about what learners will find in it and how it may be reused.</dc:description>
<dc:publisher>Example University Press</dc:publisher><dc:date>2021-05-04</dc:date><dc:type>Text</dc:type><dc:format>application/pdf</dc:format>
<dc:identifier>https://gen.example.org/record/%d</dc:identifier><dc:language>en</dc:language>
<dc:rights>https://creativecommons.org/licenses/by-sa/4.0/</dc:rights><dc:rights>Creative Commons Attribution-ShareAlike 4.0</dc:rights>
</oai_dc:dc></metadata></record>
`, i, datestamp, i%7, i, i)
}

// BenchmarkListRecords fetches and decodes pages of oai_dc records from a loopback server.
func BenchmarkListRecords(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var sb strings.Builder
			for i := range n {
				genRecord(&sb, i, "2024-01-01T00:00:00Z")
			}
			page := []byte(listRecords(`<?xml version="1.0" encoding="UTF-8"?>`, sb.String()))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(page) }))
			defer srv.Close()
			c, err := NewClient(srv.URL, fetch.New(fetch.Config{AllowPrivate: true}, nil), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				r, err := c.ListRecords(b.Context(), ListArgs{Prefix: "oai_dc"}, "")
				if err != nil || len(r.Records) != n {
					b.Fatalf("%d records, %v", len(r.Records), err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
			// On a shared machine wall time includes waiting for a core; CPU time does not.
			b.ReportMetric(float64(n*b.N)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
		})
	}
}

// cpuTime is the CPU time the process has used (server and client both, here).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// generator serves n records, one a minute from fakeEpoch, in pages of size, honouring from
// and until, with tokens "offset|last".
type generator struct{ n, size int }

func (g generator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("verb") == "Identify" {
		writeOAI(w, `<Identify><repositoryName>Generator</repositoryName><earliestDatestamp>2024-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>`)
		return
	}
	lo, hi := 0, g.n-1
	if tok := q.Get("resumptionToken"); tok != "" {
		a, b, _ := strings.Cut(tok, "|")
		lo, _ = strconv.Atoi(a)
		hi, _ = strconv.Atoi(b)
	} else {
		if t, err := parseDatestamp(q.Get("from")); err == nil {
			lo = max(lo, int((t.Sub(fakeEpoch)+time.Minute-1)/time.Minute))
		}
		if t, err := parseDatestamp(q.Get("until")); err == nil {
			hi = min(hi, int(t.Sub(fakeEpoch)/time.Minute))
		}
	}
	if lo > hi {
		writeOAI(w, `<error code="noRecordsMatch"/>`)
		return
	}
	var sb strings.Builder
	sb.Grow(g.size * 1100)
	sb.WriteString("<ListRecords>")
	end := min(lo+g.size, hi+1)
	for i := lo; i < end; i++ {
		genRecord(&sb, i, fakeEpoch.Add(time.Duration(i)*time.Minute).Format("2006-01-02T15:04:05Z"))
	}
	tok := ""
	if end <= hi {
		tok = fmt.Sprintf("%d|%d", end, hi)
	}
	fmt.Fprintf(&sb, `<resumptionToken>%s</resumptionToken></ListRecords>`, tok)
	writeOAI(w, sb.String())
}

// BenchmarkHarvestMillion harvests a million generated records in pages of 1000 and reports
// the peak heap in use, sampled every 5 ms. Run it alone:
//
//	go test -run '^$' -bench HarvestMillion -benchtime 1x ./harvester/oaipmh
func BenchmarkHarvestMillion(b *testing.B) {
	const n = 1_000_000
	srv := httptest.NewServer(generator{n: n, size: 1000})
	defer srv.Close()
	for b.Loop() {
		runtime.GC()
		var peak atomic.Uint64
		ctx, stop := context.WithCancel(b.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
		var records int
		h := New(Config{Fetch: fetch.Config{AllowPrivate: true}}, nil)
		err := h.Harvest(ctx, harvester.Source{URL: srv.URL}, nil, false, func(_ context.Context, p harvester.Page) error {
			records += len(p.Records)
			return nil
		})
		stop()
		<-done
		if err != nil || records != n {
			b.Fatalf("%d records, %v", records, err)
		}
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	}
}
