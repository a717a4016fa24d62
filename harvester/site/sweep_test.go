package site

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

// A run that could not read one of the sitemaps a site names may miss pages the site still
// offers: it never says that a full run's unseen pages are gone.
func TestSweepOnlyWhenEverySitemapWasRead(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int // of the second child sitemap
		sweep  bool
	}{{"all read", http.StatusOK, true}, {"one failed", http.StatusInternalServerError, false}} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/index.xml":
					fmt.Fprintf(w, `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>http://%[1]s/one.xml</loc></sitemap><sitemap><loc>http://%[1]s/two.xml</loc></sitemap></sitemapindex>`, r.Host)
				case "/one.xml", "/two.xml":
					if r.URL.Path == "/two.xml" && tt.status != http.StatusOK {
						http.Error(w, "down", tt.status)
						return
					}
					fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://%s/page%s</loc></url></urlset>`, r.Host, r.URL.Path)
				default:
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, `<html><head><title>A page</title></head></html>`)
				}
			}))
			defer srv.Close()
			pages := collect(t, testHarvester(10), harvester.Source{URL: srv.URL + "/index.xml", Mode: ModeSitemap}, nil, true)
			if last := pages[len(pages)-1]; last.Sweep != tt.sweep {
				t.Errorf("sweep %t, want %t", last.Sweep, tt.sweep)
			}
		})
	}
}
