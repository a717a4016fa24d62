package site

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

func TestProbe(t *testing.T) {
	s := newSite(t)
	h := testHarvester(50)
	rep, err := h.Probe(t.Context(), s.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Robots.Allowed || rep.Robots.Status != 200 {
		t.Errorf("robots %+v", rep.Robots)
	}
	if len(rep.Sitemaps) != 3 || rep.Sitemaps[0].From != "robots.txt" || !rep.Sitemaps[0].Index || rep.SitemapSize != 11 {
		t.Errorf("sitemaps %+v, size %d", rep.Sitemaps, rep.SitemapSize)
	}
	if len(rep.Samples) != 3 || rep.Samples[0].Title != "Page one" || len(rep.Samples[0].Rights) != 1 {
		t.Fatalf("samples %+v", rep.Samples)
	}
	if s.hit("/private/secret") != 0 {
		t.Error("probe fetched a page robots.txt disallows")
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"this URL allowed", "3 read, 11 page URLs", "index of 2 sitemaps", "a[rel=license]", "https://creativecommons.org/licenses/by/4.0/", "/missing", "404"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	rep, err = h.Probe(t.Context(), s.URL+"/private/secret")
	if err != nil {
		t.Fatal(err)
	}
	var b2 strings.Builder
	_ = rep.WriteText(&b2)
	if rep.Robots.Allowed || !strings.Contains(b2.String(), "DISALLOWED") {
		t.Errorf("disallowed URL reported as %+v:\n%s", rep.Robots, b2.String())
	}

	if _, err := h.Probe(t.Context(), "ftp://example.org/"); harvester.KindOf(err) != harvester.KindInvalid {
		t.Errorf("ftp URL: %v", err)
	}
}

func TestProbeNoSitemap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/course" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<title>Course</title><footer>© 2024 Uni. All rights reserved.</footer>`)
	}))
	defer srv.Close()
	rep, err := testHarvester(50).Probe(t.Context(), srv.URL+"/course")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Robots.Status != 404 || !rep.Robots.Allowed || len(rep.Sitemaps) != 0 || rep.SitemapSize != 0 {
		t.Errorf("robots %+v sitemaps %+v", rep.Robots, rep.Sitemaps)
	}
	if len(rep.Samples) != 1 || rep.Samples[0].Title != "Course" || len(rep.Samples[0].Rights) != 1 || rep.Samples[0].Rights[0].Scope != harvester.ScopeSite {
		t.Errorf("samples %+v", rep.Samples)
	}
	var b strings.Builder
	_ = rep.WriteText(&b)
	if !strings.Contains(b.String(), "sitemaps:   none found") {
		t.Errorf("report:\n%s", b.String())
	}
}
