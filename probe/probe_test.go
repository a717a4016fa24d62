package probe

import (
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
