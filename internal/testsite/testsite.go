// Package testsite runs a small web site for tests: a sitemap at /sitemap.xml listing the pages
// a test adds, drops or makes answer an error, each page a short HTML document under CC BY 4.0.
package testsite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// Site is a running site.
type Site struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]page
	stall chan struct{}
}

type page struct {
	status int
	listed bool
}

// Start serves paths, each answering 200 and listed in the sitemap, until the test ends.
func Start(t testing.TB, paths ...string) *Site {
	s := &Site{pages: map[string]page{}}
	for _, p := range paths {
		s.pages[p] = page{http.StatusOK, true}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Sitemap is the sitemap's URL.
func (s *Site) Sitemap() string { return s.URL + "/sitemap.xml" }

// URLs are the full URLs of paths.
func (s *Site) URLs(paths ...string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = s.URL + p
	}
	return out
}

// Set makes path answer status, listed in the sitemap or not.
func (s *Site) Set(path string, status int, listed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = page{status, listed}
}

// Clear empties the site: the sitemap lists nothing and every page answers 404.
func (s *Site) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.pages)
}

// Stall holds every page request (not the sitemap) until release is called.
func (s *Site) Stall() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stall := make(chan struct{})
	s.stall = stall
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stall == stall {
			close(stall)
			s.stall = nil
		}
	}
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if r.URL.Path == "/sitemap.xml" {
		var listed []string
		for p, pg := range s.pages {
			if pg.listed {
				listed = append(listed, p)
			}
		}
		s.mu.Unlock()
		slices.Sort(listed)
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for _, p := range listed {
			fmt.Fprintf(w, "<url><loc>%s%s</loc></url>", s.URL, p)
		}
		fmt.Fprint(w, `</urlset>`)
		return
	}
	pg, ok := s.pages[r.URL.Path]
	stall := s.stall
	s.mu.Unlock()
	if stall != nil {
		<-stall
	}
	if !ok {
		pg.status = http.StatusNotFound
	}
	if pg.status != http.StatusOK {
		http.Error(w, http.StatusText(pg.status), pg.status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<html lang="en"><head><title>Page %s</title>
<link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head><body><p>Text.</p></body></html>`, r.URL.Path)
}
