package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer"
)

// methaRecords is the size of the repository both harvest: large enough that start-up is
// noise, small enough for several rounds.
const methaRecords = 20_000

// BenchmarkVsMetha harvests one repository of oai_dc records, listed in pages of 100, with
// Orchard's harvester and normalizer (decode and normalize, no index) and with metha-sync, a
// widely used OAI-PMH harvester, as a reference built from its public source outside this
// module; both read the same pre-rendered pages from one loopback server. Each round runs both,
// in alternating order, and the benchmark reports each side's records per second, the median of
// the rounds' ratios, and Orchard's allocations per record. Build metha first:
//
//	scripts/install-metha.sh    # prints the path; set ORCHARD_METHA to it
//	go test -run '^$' -bench VsMetha -benchtime 5x ./bench/pipeline
func BenchmarkVsMetha(b *testing.B) {
	metha := os.Getenv("ORCHARD_METHA")
	if metha == "" {
		b.Skip("ORCHARD_METHA is not set: build metha-sync with scripts/install-metha.sh")
	}
	srv := httptest.NewServer(prerendered(b, repo{size: methaRecords, page: pageSize}, sourceName(0)))
	b.Cleanup(srv.Close)
	url := srv.URL + "/" + sourceName(0)
	h := harvesterFor()
	src := harvester.Source{Name: sourceName(0), Type: harvester.TypeOAIPMH, URL: url}

	orchard := func() (time.Duration, uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n := 0
		err := h.Harvest(b.Context(), src, nil, true, func(_ context.Context, p harvester.Page) error {
			for _, raw := range p.Records {
				if _, err := normalizer.Record(src.Name, raw); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if err != nil || n != methaRecords {
			b.Fatalf("orchard harvested %d records: %v", n, err)
		}
		return took, (after.Mallocs - before.Mallocs) / methaRecords
	}
	reference := func() time.Duration {
		dir := b.TempDir()
		start := time.Now()
		out, err := exec.CommandContext(b.Context(), metha, "-no-intervals", "-q", "-base-dir", dir, url).CombinedOutput()
		took := time.Since(start)
		if err != nil {
			b.Fatalf("metha-sync: %v\n%s", err, out)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.xml.*")) // one compressed file a page
		if len(files) != methaRecords/pageSize {
			b.Fatalf("metha-sync wrote %d pages, want %d\n%s", len(files), methaRecords/pageSize, out)
		}
		return took
	}

	var ours, theirs time.Duration
	var ratios []float64
	var allocs uint64
	round := 0
	for b.Loop() {
		var o, m time.Duration
		if round%2 == 0 {
			m = reference()
			o, allocs = orchard()
		} else {
			o, allocs = orchard()
			m = reference()
		}
		round++
		ours += o
		theirs += m
		ratios = append(ratios, m.Seconds()/o.Seconds())
	}
	slices.Sort(ratios)
	b.ReportMetric(float64(methaRecords*round)/ours.Seconds(), "orchard-records/s")
	b.ReportMetric(float64(methaRecords*round)/theirs.Seconds(), "metha-records/s")
	b.ReportMetric(ratios[len(ratios)/2], "ratio-median")
	b.ReportMetric(float64(allocs), "orchard-allocs/record")
	b.ReportMetric(0, "ns/op")
}

// prerendered serves the pages of g's repositories named names from memory, rendered once, so
// that the server's share of the machine is the same small one for every harvester: a real
// repository is another machine, not a process competing for the harvester's cores.
func prerendered(b *testing.B, g repo, names ...string) http.Handler {
	pages := map[string][]byte{}
	for _, name := range names {
		for _, q := range append([]string{"verb=Identify", "verb=ListRecords&metadataPrefix=oai_dc"}, tokens(g)...) {
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/"+name+"?"+q, nil))
			pages["/"+name+"?"+q] = rec.Body.Bytes()
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		key := "verb=" + q.Get("verb")
		switch {
		case q.Get("resumptionToken") != "":
			key = "verb=ListRecords&resumptionToken=" + q.Get("resumptionToken")
		case q.Get("verb") == "ListRecords":
			key += "&metadataPrefix=oai_dc"
		}
		page, ok := pages[r.URL.Path+"?"+key]
		if !ok {
			b.Errorf("unexpected request %s", r.URL)
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(page)
	})
}

// tokens are the ListRecords queries after the first page.
func tokens(g repo) []string {
	var qs []string
	for from := g.page; from < g.size; from += g.page {
		qs = append(qs, "verb=ListRecords&resumptionToken="+strconv.Itoa(from))
	}
	return qs
}
