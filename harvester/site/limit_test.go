package site

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

// A site whose sitemaps name 300,000 pages is harvested no further than its page limit, from
// the source or from the harvester's default, and the run says where it stopped.
func TestSitemapPageLimit(t *testing.T) {
	const children, perChild = 6, 50_000
	var pages, sitemaps atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.URL.Path == "/sitemap_index.xml":
			sitemaps.Add(1)
			fmt.Fprint(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range children {
				fmt.Fprintf(w, "<sitemap><loc>http://%s/sitemap-%d.xml</loc></sitemap>", r.Host, i)
			}
			fmt.Fprint(w, `</sitemapindex>`)
		case strings.HasPrefix(r.URL.Path, "/sitemap-"):
			sitemaps.Add(1)
			bw := bufio.NewWriter(w) // written as it is generated, never held whole
			fmt.Fprint(bw, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range perChild {
				fmt.Fprintf(bw, "<url><loc>http://%s/p%s-%d</loc></url>\n", r.Host, r.URL.Path, i)
			}
			fmt.Fprint(bw, `</urlset>`)
			bw.Flush()
		default:
			pages.Add(1)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head><title>%s</title><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head></html>`, r.URL.Path)
		}
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name          string
		source, deflt int
	}{{"source", 20, 0}, {"default", 0, 20}} {
		t.Run(tt.name, func(t *testing.T) {
			pages.Store(0)
			sitemaps.Store(0)
			h := testHarvester(50)
			h.cfg.MaxPages = tt.deflt
			src := harvester.Source{URL: srv.URL + "/sitemap_index.xml", MaxPages: tt.source}
			got := collect(t, h, src, nil, false)
			last := got[len(got)-1]
			if n := pages.Load(); n > 20 || last.Progress.Records != 20 {
				t.Errorf("%d pages fetched, %d records; want at most 20 and 20", n, last.Progress.Records)
			}
			if n := sitemaps.Load(); n != 2 {
				t.Errorf("%d sitemap files read, want the index and one child", n)
			}
			if len(last.Warnings) != 1 || !strings.Contains(last.Warnings[0], "stopped at 20 pages") {
				t.Errorf("warnings %q", last.Warnings)
			}
			if !last.Done || last.Sweep {
				t.Errorf("a run cut short by the page limit: done %t, sweep %t; want done and no sweep", last.Done, last.Sweep)
			}
		})
	}
}
