package web

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
)

// benchRecords is the catalog size the search page must stay fast at.
const benchRecords = 100_000

var (
	benchWords = strings.Fields(`photosynthesis cell biology fractions geometry algebra history climate energy
		water river mountain language grammar poetry music rhythm chemistry atom molecule physics force motion
		electricity magnet planet star galaxy ecology forest ocean animal plant evolution genetics health
		nutrition statistics probability economics market trade democracy citizenship art painting sculpture
		programming algorithm data network robot engineering bridge architecture map migration culture`)
	benchLicenses = []struct {
		id, family      string
		commercial, der bool
	}{
		{"CC-BY-4.0", "CC-BY", true, true}, {"CC-BY-SA-4.0", "CC-BY-SA", true, true}, {"CC0-1.0", "CC0", true, true},
		{"CC-BY-NC-4.0", "CC-BY-NC", false, true}, {"CC-BY-NC-SA-4.0", "CC-BY-NC-SA", false, true},
		{"CC-BY-ND-4.0", "CC-BY-ND", true, false}, {"CC-BY-3.0-DE", "CC-BY", true, true}, {"", "", false, false},
	}
	benchLangs = []string{"en", "de", "fr", "es", "it", "nl", "pt", "pl"}
	benchTypes = []string{"text", "video", "image", "audio", "interactive", "course"}
)

func benchRecord(r *rand.Rand, i int) catalog.Record {
	words := func(n int) string {
		w := make([]string, n)
		for j := range w {
			w[j] = benchWords[r.IntN(len(benchWords))]
		}
		return strings.Join(w, " ")
	}
	l := benchLicenses[r.IntN(len(benchLicenses))]
	lic := catalog.License{ID: l.id, Family: l.family, Commercial: l.commercial, Derivatives: l.der, Open: l.id != "" && l.commercial && l.der}
	if l.id != "" {
		lic.URL = "https://example.org/" + l.id
		lic.Label = l.id
		lic.Evidence = []catalog.Evidence{{From: "dc:rights", Value: lic.URL, ID: l.id}}
	}
	year := 1995 + r.IntN(31)
	rec := catalog.Record{
		ID: fmt.Sprintf("rec-%06d", i), Source: fmt.Sprintf("source-%d", r.IntN(12)), OriginID: fmt.Sprintf("oai:bench:%d", i),
		URL: fmt.Sprintf("https://bench.example/%d", i), Title: words(3 + r.IntN(5)), Description: words(20 + r.IntN(40)),
		Creators: []string{"Author " + words(1)}, Languages: []string{benchLangs[r.IntN(len(benchLangs))]},
		Subjects: []string{benchWords[r.IntN(20)]}, ResourceTypes: []string{benchTypes[r.IntN(len(benchTypes))]},
		Year: year, Date: fmt.Sprint(year), License: lic,
	}
	rec.SetFields() // biology, history, chemistry and music fill the subject tree
	return rec
}

// BenchmarkSearchPage measures the search page's server time (handler only) over 100k records in
// the embedded index, across typical learner searches, and reports the 95th percentile.
func BenchmarkSearchPage(b *testing.B) {
	if testing.Short() {
		b.Skip("indexes 100k records")
	}
	ix, err := embedded.Open(embedded.Config{Dir: b.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]catalog.Record, 0, 2000)
	for i := range benchRecords {
		batch = append(batch, benchRecord(r, i))
		if len(batch) == cap(batch) || i == benchRecords-1 {
			if err := ix.Upsert(b.Context(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	srv, err := New(Config{SearchRate: 1e9, SearchBurst: 1e9}, slog.New(slog.DiscardHandler), Deps{Index: ix, Thumbs: benchThumbs(b)})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	queries := []string{
		"/", "/?q=photosynthesis", "/?q=cell+biology&commercial=true", "/?q=climate&lang=de&derivatives=true",
		"/?q=music+rhythm&sort=newest", "/?type=video&commercial=true&derivatives=true", "/?q=geometri",
		"/?license=CC-BY-4.0&year=2020&sort=title", "/?q=energy&page=5", "/?q=ocean+animal+plant&source=source-3",
	}
	// Warm up: the index merges the segments of the bulk load in the background for a while.
	for range 3 {
		for _, q := range queries {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, q, nil))
		}
	}
	// The index alone, for the same requests, shows what the page adds.
	b.Run("index", func(b *testing.B) {
		reqs := make([]catalog.SearchRequest, len(queries))
		for i, q := range queries {
			u, _ := url.Parse(q)
			if reqs[i], err = ParseSearch(u.Query()); err != nil {
				b.Fatal(err)
			}
			reqs[i].Facets = shownFacets
		}
		percentiles(b, func(i int) {
			if _, err := ix.Search(b.Context(), reqs[i%len(reqs)]); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("page", func(b *testing.B) {
		percentiles(b, func(i int) {
			req := httptest.NewRequest(http.MethodGet, queries[i%len(queries)], nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d", req.URL, w.Code)
			}
		})
	})
}

// percentiles times each call of fn and reports the median and the 95th percentile.
func percentiles(b *testing.B, fn func(i int)) {
	var times []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		fn(i)
		times = append(times, time.Since(start))
		i++
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
}
