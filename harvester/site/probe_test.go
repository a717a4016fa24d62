package site

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
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

// A probe of a site whose sitemap hangs answers in time, with robots.txt read and the sitemap
// named as having no answer; credentials in the URL show nowhere.
func TestProbeHangingSite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
			return
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	var logs strings.Builder
	h := New(Config{Fetch: fetch.Config{AllowPrivate: true, Pace: time.Millisecond}, ProbeTimeout: time.Second},
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	url := strings.Replace(srv.URL, "http://", "http://probe:s3cret-pw@", 1) + "/sitemap.xml"
	start := time.Now()
	rep, err := h.Probe(t.Context(), url)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("answered after %s", took)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Robots.Status != 200 || len(rep.TimedOut) != 1 || !strings.HasSuffix(rep.TimedOut[0], "/sitemap.xml") {
		t.Errorf("robots %+v, timed out %q", rep.Robots, rep.TimedOut)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "no answer in time: http://xxxxx@") {
		t.Errorf("report does not say what timed out:\n%s", b.String())
	}
	if s := b.String() + logs.String(); strings.Contains(s, "s3cret-pw") || strings.Contains(s, "probe:") {
		t.Errorf("userinfo shown:\n%s", s)
	}
}
