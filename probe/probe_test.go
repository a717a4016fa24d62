package probe

import (
	"bytes"
	"compress/gzip"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/internal/oaiserver"
)

// website is a small site on loopback: robots.txt, a sitemap and one page under CC BY-SA 4.0.
func website(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			_, _ = w.Write([]byte("User-agent: *\nAllow: /\n"))
		case "/sitemap.xml":
			_, _ = w.Write([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://` + r.Host + `/lesson</loc></url></urlset>`))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<html lang="en"><head><title>Tides</title></head><body><main><h1>Tides</h1>
<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a></main></body></html>`))
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestProbe(t *testing.T) {
	repo := oaiserver.Start(t, []oaiserver.Record{
		{ID: "1", Datestamp: "2024-01-10T00:00:00Z", Title: []string{"Maps"}, Rights: []string{"http://creativecommons.org/licenses/by/4.0/"}},
	}, oaiserver.Options{})
	web := website(t)
	log := slog.New(slog.DiscardHandler)
	p := New(oaipmh.New(oaipmh.Config{Fetch: fetch.Config{AllowPrivate: true}}, log),
		site.New(site.Config{Fetch: fetch.Config{AllowPrivate: true, Pace: 10 * time.Millisecond}}, log))

	tests := []struct {
		name, typ, url string
		wantType       string
		wantLicense    string // of the first sample
		fallback       bool
		wantErr        func(error) bool
	}{
		{"repository", harvester.TypeOAIPMH, repo.URL, harvester.TypeOAIPMH, "CC-BY-4.0", false, nil},
		{"repository, type not given", Any, repo.URL, harvester.TypeOAIPMH, "CC-BY-4.0", false, nil},
		{"web site", harvester.TypeWeb, web.URL + "/lesson", harvester.TypeWeb, "CC-BY-SA-4.0", false, nil},
		{"web site, type not given: OAI-PMH first, then the web", Any, web.URL + "/sitemap.xml", harvester.TypeWeb, "CC-BY-SA-4.0", true, nil},
		{"web site probed as a repository", harvester.TypeOAIPMH, web.URL + "/", harvester.TypeOAIPMH, "", false,
			func(err error) bool { return err != nil }},
		{"unknown type", "gopher", web.URL, "", "", false,
			func(err error) bool {
				return errors.Is(err, ErrUnknownType) && strings.Contains(err.Error(), "oai-pmh")
			}},
		{"not a URL, type not given", Any, "notaurl", harvester.TypeWeb, "", true,
			func(err error) bool { return harvester.KindOf(err) == harvester.KindInvalid }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := p.Probe(t.Context(), tt.typ, tt.url)
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if (rep.Fallback != "") != tt.fallback || tt.fallback && !strings.HasPrefix(rep.Fallback, "not an OAI-PMH repository") {
				t.Errorf("fallback = %q", rep.Fallback)
			}
			if tt.wantErr != nil {
				return
			}
			if rep.Type != tt.wantType || rep.URL != tt.url || !rep.OK || rep.Summary == "" || rep.Verdict == "" || rep.Report == nil {
				t.Errorf("report = %+v", rep)
			}
			if len(rep.Samples) == 0 || rep.Samples[0].License != tt.wantLicense || rep.Samples[0].Status != "open" {
				t.Fatalf("samples = %+v", rep.Samples)
			}
		})
	}
}

func TestNewSample(t *testing.T) {
	tests := []struct {
		name    string
		rights  []harvester.Rights
		license string
		status  string
	}{
		{"no statement", nil, "", "unknown"},
		{"a CC URL", []harvester.Rights{{From: "dc:rights", Value: "https://creativecommons.org/licenses/by-nc/4.0/"}}, "CC-BY-NC-4.0", "closed"},
		{"words", []harvester.Rights{{From: "dc:rights", Value: "some words"}}, "", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSample("id", "title", tt.rights)
			if s.License != tt.license || string(s.Status) != tt.status || s.Rights == nil {
				t.Errorf("sample = %+v", s)
			}
		})
	}
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// kinds is a loopback site with one URL of each kind a source may be given; robots.txt is
// answered per host name, so that both kinds of robots.txt can be served.
func kinds(t *testing.T) *httptest.Server {
	urlset := `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://127.0.0.1/a</loc></url></urlset>`
	gz := gzipped(t, urlset)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			if r.URL.Query().Has("none") {
				_, _ = w.Write([]byte("User-agent: *\nAllow: /\n"))
				return
			}
			_, _ = w.Write([]byte("User-agent: *\nAllow: /\nSitemap: http://" + r.Host + "/sitemap.xml\nSitemap: http://" + r.Host + "/more.xml\n"))
		case "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(urlset))
		case "/sitemap.xml.gz":
			w.Header().Set("Content-Type", "application/gzip")
			_, _ = w.Write(gz)
		case "/index.xml":
			_, _ = w.Write([]byte(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>http://` + r.Host + `/sitemap.xml</loc></sitemap></sitemapindex>`))
		case "/feed.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items":[]}`))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><html><head><title>Lessons</title></head><body><a href="/a">A</a></body></html>`))
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func testProber() *Prober {
	log := slog.New(slog.DiscardHandler)
	fc := fetch.Config{AllowPrivate: true, Pace: time.Millisecond, MaxRetries: 1}
	return New(oaipmh.New(oaipmh.Config{Fetch: fc, ProbeTimeout: 10 * time.Second}, log),
		site.New(site.Config{Fetch: fc, ProbeTimeout: 10 * time.Second}, log))
}

func TestDetect(t *testing.T) {
	repo := oaiserver.Start(t, []oaiserver.Record{
		{ID: "1", Datestamp: "2024-01-10T00:00:00Z", Title: []string{"Maps"}},
	}, oaiserver.Options{})
	ts := kinds(t)
	p := testProber()
	tests := []struct {
		name, url           string
		what, typ, mode, to string
		note                string
	}{
		{"OAI-PMH base URL", repo.URL, "an OAI-PMH repository", harvester.TypeOAIPMH, "", repo.URL, ""},
		{"OAI-PMH request URL", repo.URL + "?verb=Identify", "an OAI-PMH repository", harvester.TypeOAIPMH, "", repo.URL, ""},
		{"sitemap", ts.URL + "/sitemap.xml", "a sitemap", harvester.TypeWeb, site.ModeSitemap, ts.URL + "/sitemap.xml", ""},
		{"gzipped sitemap", ts.URL + "/sitemap.xml.gz", "a sitemap", harvester.TypeWeb, site.ModeSitemap, ts.URL + "/sitemap.xml.gz", ""},
		{"sitemap index", ts.URL + "/index.xml", "a sitemap index", harvester.TypeWeb, site.ModeSitemap, ts.URL + "/index.xml", ""},
		{"robots.txt with sitemaps", ts.URL + "/robots.txt", "a robots.txt", harvester.TypeWeb, site.ModeSitemap, ts.URL + "/sitemap.xml", "it lists 2 sitemaps; the first is used"},
		{"robots.txt without sitemaps", ts.URL + "/robots.txt?none", "a robots.txt", harvester.TypeWeb, site.ModeCrawl, ts.URL + "/", "it lists no sitemap: crawl from the home page"},
		{"start page", ts.URL + "/lessons/", "a start page", harvester.TypeWeb, site.ModeCrawl, ts.URL + "/lessons/", ""},
		{"start page at an OAI-like URL", ts.URL + "/about-oai", "a start page", harvester.TypeWeb, site.ModeCrawl, ts.URL + "/about-oai", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := p.Detect(t.Context(), tt.url)
			if err != nil {
				t.Fatal(err)
			}
			want := Detection{Given: tt.url, What: tt.what, Type: tt.typ, Mode: tt.mode, URL: tt.to, Note: tt.note}
			if d != want {
				t.Errorf("detection = %+v, want %+v", d, want)
			}
			if !strings.HasPrefix(d.String(), tt.url+" is "+tt.what+": type "+tt.typ) {
				t.Errorf("line = %q", d.String())
			}
		})
	}

	t.Run("neither", func(t *testing.T) {
		if d, err := p.Detect(t.Context(), ts.URL+"/feed.json"); !errors.Is(err, ErrUndetected) {
			t.Errorf("detection = %+v, err = %v", d, err)
		}
		if d, err := p.Detect(t.Context(), "notaurl"); harvester.KindOf(err) != harvester.KindInvalid {
			t.Errorf("detection = %+v, err = %v", d, err)
		}
	})
	t.Run("private network refused", func(t *testing.T) {
		log := slog.New(slog.DiscardHandler)
		guarded := New(oaipmh.New(oaipmh.Config{}, log), site.New(site.Config{}, log))
		d, err := guarded.Detect(t.Context(), ts.URL+"/sitemap.xml")
		if err == nil || !strings.Contains(err.Error(), "private") {
			t.Errorf("detection = %+v, err = %v", d, err)
		}
	})
}

func TestDetectionCheck(t *testing.T) {
	sitemap := Detection{Given: "http://x/sitemap.xml", What: "a sitemap", Type: harvester.TypeWeb, Mode: site.ModeSitemap, URL: "http://x/sitemap.xml"}
	repo := Detection{Given: "http://x/oai", What: "an OAI-PMH repository", Type: harvester.TypeOAIPMH, URL: "http://x/oai"}
	tests := []struct {
		name      string
		d         Detection
		typ, mode string
		wantErr   string
	}{
		{"no type", sitemap, "", "", ""},
		{"right type, no mode", sitemap, harvester.TypeWeb, "", ""},
		{"right type and mode", sitemap, harvester.TypeWeb, site.ModeSitemap, ""},
		{"page list", sitemap, harvester.TypeWeb, site.ModeURLs, ""},
		{"repository", repo, harvester.TypeOAIPMH, "", ""},
		{"sitemap as a repository", sitemap, harvester.TypeOAIPMH, "", "http://x/sitemap.xml is a sitemap, which type oai-pmh cannot harvest: use type web, mode sitemap"},
		{"sitemap crawled", sitemap, harvester.TypeWeb, site.ModeCrawl, "http://x/sitemap.xml is a sitemap, which type web, mode crawl cannot harvest: use type web, mode sitemap"},
		{"repository as a web site", repo, harvester.TypeWeb, "", "http://x/oai is an OAI-PMH repository, which type web cannot harvest: use type oai-pmh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Check(tt.typ, tt.mode)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrWrongType) || !strings.HasSuffix(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
