package catalog

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/web"
)

// apiCases are learner searches as the HTTP API receives them.
var apiCases = []struct {
	name  string
	query func(i int) url.Values
}{
	{"query", func(i int) url.Values { return url.Values{"q": {Queries[i%len(Queries)]}} }},
	{"query+filters", func(i int) url.Values {
		return url.Values{"q": {Queries[i%len(Queries)]}, "lang": {"en,de"}, "commercial": {"true"}, "type": {"text,video"}}
	}},
	{"empty+filters", func(i int) url.Values {
		return url.Values{"year_from": {"2010"}, "page": {strconv.Itoa(1 + i%5)}}
	}},
}

// BenchmarkAPISearch measures GET /api/search over loopback HTTP against Meilisearch, and the
// same searches (the very request Orchard sends, facets and all) posted straight to
// Meilisearch; the difference of the p50s is what the API adds.
func BenchmarkAPISearch(b *testing.B) {
	srv := testenv.Meili(b)
	get := apiServer(b, searchIndex(b, "meili"))
	for _, c := range apiCases {
		b.Run(c.name+"/api", func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				lat = append(lat, get(b, c.query(i)))
				i++
			}
			reportLatency(b, lat)
		})
		b.Run(c.name+"/meili-raw", func(b *testing.B) {
			rawSearch(b, srv, func(i int) catalog.SearchRequest {
				req, err := web.ParseSearch(c.query(i))
				if err != nil {
					b.Fatal(err)
				}
				return req
			})
		})
	}
}

// apiServer serves the API over ix on loopback until the benchmark ends and returns a function
// that sends one search to it and times the answer, read to its end.
func apiServer(b *testing.B, ix catalog.Index) func(b *testing.B, q url.Values) time.Duration {
	api, err := web.New(web.Config{SearchRate: 1e9, SearchBurst: 1 << 30}, quiet, web.Deps{Index: ix})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(api.Handler())
	b.Cleanup(hs.Close)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: time.Minute}
	return func(b *testing.B, q url.Values) time.Duration {
		u := hs.URL + "/api/search?" + q.Encode()
		t0 := time.Now()
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
		}
		return time.Since(t0)
	}
}
