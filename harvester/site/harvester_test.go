package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
)

// site is a small web site for harvest tests. Its second generation (next) answers like the
// same site some time later: some pages are gone.
type site struct {
	*httptest.Server
	t    testing.TB
	gen  atomic.Int32
	mu   sync.Mutex
	hits map[string]int
	hdrs map[string][]http.Header
}

const lastModified = "Mon, 02 Jan 2006 15:04:05 GMT"

func newSite(t testing.TB) *site {
	s := &site{t: t, hits: map[string]int{}, hdrs: map[string][]http.Header{}}
	mux := http.NewServeMux()
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.hdrs[r.URL.Path] = append(s.hdrs[r.URL.Path], r.Header.Clone())
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	htmlPage := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: /\n\nUser-agent: Orchard\nDisallow: /private/\nAllow: /\n\nSitemap: %s/sitemap_index.xml\n", s.URL)
	})
	mux.HandleFunc("/sitemap_index.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%[1]s/sitemap1.xml</loc></sitemap><sitemap><loc> %[1]s/sitemap2.xml.gz </loc></sitemap></sitemapindex>`, s.URL)
	})
	mux.HandleFunc("/sitemap1.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for _, p := range []string{"/page1", "/private/secret", "/missing", "/latin1-header", "/latin1-meta", "/file.pdf", "/loop"} {
			fmt.Fprintf(w, "<url><loc>%s%s</loc><lastmod>2024-03-04</lastmod></url>", s.URL, p)
		}
		fmt.Fprint(w, `</urlset>`)
	})
	mux.HandleFunc("/sitemap2.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for _, p := range []string{"/page2", "/gone", "/deleted", "/page1"} {
			fmt.Fprintf(&b, "<url><loc>\n  %s%s\n</loc></url>", s.URL, p)
		}
		b.WriteString(`</urlset>`)
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Write(gz(t, []byte(b.String())))
	})
	mux.HandleFunc("/page1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		htmlPage(`<html lang="en"><title>Page one</title><main><a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY</a></main></html>`)(w, r)
	})
	mux.HandleFunc("/page2", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", lastModified)
		if r.Header.Get("If-Modified-Since") == lastModified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		htmlPage(`<title>Page two</title><meta name="dc.rights" content="All rights reserved">`)(w, r)
	})
	mux.HandleFunc("/private/secret", htmlPage(`<title>Secret</title>`))
	mux.HandleFunc("/latin1-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
		w.Write([]byte("<title>Gr\xfc\xdfe aus K\xf6ln</title>"))
	})
	mux.HandleFunc("/latin1-meta", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><meta http-equiv="content-type" content="text/html; charset=iso-8859-1"><title>M` + "\xfc" + `nchen</title></head></html>`))
	})
	mux.HandleFunc("/file.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4"))
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	for _, p := range []string{"/gone", "/deleted"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			if s.gen.Load() > 0 {
				code := map[string]int{"/gone": http.StatusGone, "/deleted": http.StatusNotFound}[p]
				w.WriteHeader(code)
				return
			}
			htmlPage(`<title>Soon gone `+p+`</title>`)(w, r)
		})
	}
	// Crawl part of the site.
	page := func(title string, links ...string) http.HandlerFunc {
		var b strings.Builder
		fmt.Fprintf(&b, "<title>%s</title>", title)
		for _, l := range links {
			fmt.Fprintf(&b, `<a href="%s">x</a>`, l)
		}
		b.WriteString(`<link rel="stylesheet" href="/docs/style-not-a-page"><img src="/docs/img-not-a-page">`)
		return htmlPage(b.String())
	}
	mux.HandleFunc("/start", page("start", "/docs/a", "/docs/b#top", "docs/b", "/blog/x", "https://elsewhere.example/docs/z", "/private/p", "mailto:a@b"))
	mux.HandleFunc("/docs/a", page("a", "/docs/a1", "/docs/b", "/start"))
	mux.HandleFunc("/docs/b", page("b", "/docs/b1", "/docs/b2"))
	mux.HandleFunc("/docs/a1", page("a1", "/docs/a2"))
	mux.HandleFunc("/docs/a2", page("a2"))
	mux.HandleFunc("/docs/b1", page("b1"))
	mux.HandleFunc("/docs/b2", page("b2"))
	mux.HandleFunc("/blog/x", page("blog"))
	return s
}

func (s *site) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) lastHeader(path string) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hdrs[path]
	if len(h) == 0 {
		return nil
	}
	return h[len(h)-1]
}

func testHarvester(pageSize int) *Harvester {
	return New(Config{Fetch: fetch.Config{AllowPrivate: true, Pace: time.Millisecond, MaxRetries: -1}, PageSize: pageSize}, nil)
}

// collect runs a harvest and gathers its pages.
func collect(t *testing.T, h *Harvester, src harvester.Source, cp json.RawMessage, full bool) []harvester.Page {
	t.Helper()
	var pages []harvester.Page
	err := h.Harvest(t.Context(), src, cp, full, func(ctx context.Context, p harvester.Page) error {
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		t.Fatalf("harvest: %v", err)
	}
	if len(pages) == 0 || !pages[len(pages)-1].Done {
		t.Fatalf("last page not done: %d pages", len(pages))
	}
	for _, p := range pages[:len(pages)-1] {
		if p.Done {
			t.Fatal("a page before the last is done")
		}
	}
	return pages
}

func byOrigin(pages []harvester.Page) (map[string]harvester.Record, map[string]string) {
	recs, quar := map[string]harvester.Record{}, map[string]string{}
	for _, p := range pages {
		for _, r := range p.Records {
			recs[r.OriginID] = r
		}
		for _, q := range p.Quarantined {
			quar[q.OriginID] = q.Reason
		}
	}
	return recs, quar
}

func TestHarvestSitemap(t *testing.T) {
	s := newSite(t)
	h := testHarvester(3)
	src := harvester.Source{Name: "site", Type: harvester.TypeWeb, URL: s.URL + "/sitemap_index.xml", Pace: time.Millisecond}
	pages := collect(t, h, src, nil, false)
	recs, quar := byOrigin(pages)
	if last := pages[len(pages)-1]; !last.Done || !last.Sweep || slices.ContainsFunc(pages[:len(pages)-1], func(p harvester.Page) bool { return p.Sweep }) {
		t.Errorf("only the last page of a whole sitemap says a full run may sweep")
	}

	if got := slices.Sorted(maps.Keys(recs)); !slices.Equal(got, []string{
		s.URL + "/deleted", s.URL + "/gone", s.URL + "/latin1-header", s.URL + "/latin1-meta", s.URL + "/page1", s.URL + "/page2"}) {
		t.Errorf("records for %q", got)
	}
	p1 := recs[s.URL+"/page1"]
	if len(p1.Rights) != 1 || p1.Rights[0].Value != "https://creativecommons.org/licenses/by/4.0/" || p1.Rights[0].Scope != res {
		t.Errorf("page1 rights %+v", p1.Rights)
	}
	if p1.Datestamp != "2024-03-04" {
		t.Errorf("page1 datestamp %q, want the sitemap's lastmod", p1.Datestamp)
	}
	if d := recs[s.URL+"/page2"].Datestamp; d != "2006-01-02T15:04:05Z" {
		t.Errorf("page2 datestamp %q, want Last-Modified", d)
	}
	if got := recs[s.URL+"/latin1-header"].Titles; !slices.Equal(got, []string{"Grüße aus Köln"}) {
		t.Errorf("latin-1 by header: %q", got)
	}
	if got := recs[s.URL+"/latin1-meta"].Titles; !slices.Equal(got, []string{"München"}) {
		t.Errorf("latin-1 by meta: %q", got)
	}
	if n := s.hit("/private/secret"); n != 0 {
		t.Errorf("robots.txt disallowed page fetched %d times", n)
	}
	if n := s.hit("/file.pdf"); n != 1 {
		t.Errorf("pdf fetched %d times", n)
	}
	if !strings.Contains(quar[s.URL+"/missing"], "404") {
		t.Errorf("404 not reported: %q", quar)
	}
	if !strings.Contains(quar[s.URL+"/loop"], "redirect") {
		t.Errorf("redirect loop not reported: %q", quar)
	}
	if n := s.hit("/loop") + s.hit("/loop2"); n > 7 {
		t.Errorf("redirect loop followed %d times", n)
	}
	if n := s.hit("/page1"); n != 1 {
		t.Errorf("page1 listed twice, fetched %d times", n)
	}
	last := pages[len(pages)-1].Progress
	if last.Expected != 10 || last.Records != 6 || last.Quarantined != 2 || last.Pages != len(pages) || last.Requests < 14 {
		t.Errorf("progress %+v", last)
	}
	if len(pages) < 3 {
		t.Errorf("%d pages, want several of 3 web pages each", len(pages))
	}
	if ua := s.lastHeader("/page1").Get("User-Agent"); !strings.Contains(ua, "Orchard") {
		t.Errorf("User-Agent %q", ua)
	}

	// The next run asks conditionally, emits nothing for unchanged pages and deletes the
	// known pages that are gone.
	s.gen.Store(1)
	next := collect(t, h, src, pages[len(pages)-1].Checkpoint, false)
	recs2, _ := byOrigin(next)
	if h := s.lastHeader("/page1").Get("If-None-Match"); h != `"v1"` {
		t.Errorf("If-None-Match %q", h)
	}
	if h := s.lastHeader("/page2").Get("If-Modified-Since"); h != lastModified {
		t.Errorf("If-Modified-Since %q", h)
	}
	for _, p := range []string{"/page1", "/page2"} {
		if _, ok := recs2[s.URL+p]; ok {
			t.Errorf("unchanged %s emitted again", p)
		}
	}
	for _, p := range []string{"/gone", "/deleted"} {
		if r, ok := recs2[s.URL+p]; !ok || !r.Deleted || len(r.Titles) != 0 {
			t.Errorf("%s: want a deletion, got %+v", p, r)
		}
	}
	if n := next[len(next)-1].Progress.Deleted; n != 2 {
		t.Errorf("progress counts %d deletions", n)
	}

	// The run after keeps validators of unchanged pages, and a full run ignores them.
	third := collect(t, h, src, next[len(next)-1].Checkpoint, false)
	if recs3, _ := byOrigin(third); len(recs3) != 2 { // the latin-1 pages send no validators
		t.Errorf("third run emitted %d records: %v", len(recs3), slices.Sorted(maps.Keys(recs3)))
	}
	full := collect(t, h, src, next[len(next)-1].Checkpoint, true)
	if recs4, _ := byOrigin(full); recs4[s.URL+"/page1"].OriginID == "" {
		t.Error("full run did not emit unchanged page1")
	}
}

func TestHarvestResume(t *testing.T) {
	s := newSite(t)
	h := testHarvester(2)
	src := harvester.Source{URL: s.URL + "/sitemap_index.xml", Pace: time.Millisecond}
	all := collect(t, h, src, nil, false)
	want, _ := byOrigin(all)

	// A second site, so that request counts start from zero; the first run dies after
	// its second page was handed over.
	s2 := newSite(t)
	src.URL = s2.URL + "/sitemap_index.xml"
	var first []harvester.Page
	errStop := errors.New("worker died")
	err := h.Harvest(t.Context(), src, nil, false, func(ctx context.Context, p harvester.Page) error {
		if len(first) == 2 {
			return errStop
		}
		first = append(first, p)
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("harvest error %v, want the emit error", err)
	}
	hitsBefore := map[string]int{}
	for _, p := range []string{"/page1", "/latin1-header", "/missing"} {
		hitsBefore[p] = s2.hit(p)
	}
	// A new process resumes from the last checkpoint it was given.
	rest := collect(t, testHarvester(2), src, first[len(first)-1].Checkpoint, false)
	got, _ := byOrigin(append(first, rest...))
	if len(got) != len(want) {
		t.Errorf("resumed harvest gave %d records, want %d", len(got), len(want))
	}
	for k := range want {
		if _, ok := got[strings.Replace(k, s.URL, s2.URL, 1)]; !ok {
			t.Errorf("resumed harvest lost %s", k)
		}
	}
	for p, n := range hitsBefore {
		if s2.hit(p) != n {
			t.Errorf("%s fetched again after resuming", p)
		}
	}
	if s2.hit("/sitemap_index.xml") != 1 {
		t.Errorf("sitemap index read %d times", s2.hit("/sitemap_index.xml"))
	}
	if exp := rest[len(rest)-1].Progress.Expected; exp != 10 {
		t.Errorf("expected %d after resuming", exp)
	}
}

// TestHarvestCheckpointPolicy hands a harvest checkpoints it must not resume: it harvests the
// source as it is now, in full, and says why on the run.
func TestHarvestCheckpointPolicy(t *testing.T) {
	old := newSite(t)
	h := testHarvester(2)
	src := harvester.Source{URL: old.URL + "/sitemap_index.xml", Pace: time.Millisecond}
	whole, _ := byOrigin(collect(t, h, src, nil, false))
	var halfway json.RawMessage
	errStop := errors.New("stop")
	err := h.Harvest(t.Context(), src, nil, false, func(ctx context.Context, p harvester.Page) error {
		halfway = p.Checkpoint
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("harvest error %v, want the emit error", err)
	}
	var v1 map[string]any
	if err := json.Unmarshal(halfway, &v1); err != nil {
		t.Fatal(err)
	}
	v1["v"] = 1
	delete(v1, "fp")
	v1raw, _ := json.Marshal(v1)

	tests := []struct {
		name string
		cp   json.RawMessage
		warn string
	}{
		{"URL changed", halfway, "settings changed"},
		{"garbage", json.RawMessage(`{"v": 2, "queue": "not a queue"`), "unreadable"},
		{"not JSON", json.RawMessage("\x00\xff"), "unreadable"},
		{"other version", v1raw, "version 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := newSite(t)
			src := harvester.Source{URL: now.URL + "/sitemap_index.xml", Pace: time.Millisecond}
			pages := collect(t, testHarvester(2), src, tt.cp, false)
			if len(pages[0].Warnings) != 1 || !strings.Contains(pages[0].Warnings[0], tt.warn) {
				t.Errorf("first page's warnings %q, want one about %q", pages[0].Warnings, tt.warn)
			}
			got, _ := byOrigin(pages)
			if len(got) != len(whole) {
				t.Errorf("%d records, want the whole site's %d", len(got), len(whole))
			}
			for k := range got {
				if !strings.HasPrefix(k, now.URL) {
					t.Errorf("harvested %s, from the checkpoint's queue", k)
				}
			}
			if now.hit("/sitemap_index.xml") != 1 {
				t.Errorf("sitemap index read %d times, want a fresh start", now.hit("/sitemap_index.xml"))
			}
			again := collect(t, testHarvester(2), src, pages[len(pages)-1].Checkpoint, false)
			if len(again[0].Warnings) != 0 {
				t.Errorf("warnings %q on the next run", again[0].Warnings)
			}
		})
	}
}

func TestHarvestCrawl(t *testing.T) {
	tests := []struct {
		name string
		src  harvester.Source
		want []string
	}{
		{"depth 1", harvester.Source{MaxDepth: 1}, []string{"/start", "/docs/a", "/docs/b", "/blog/x"}},
		{"prefix", harvester.Source{MaxDepth: 3, PathPrefix: "/docs/"}, []string{"/start", "/docs/a", "/docs/b", "/docs/a1", "/docs/b1", "/docs/b2", "/docs/a2"}},
		{"pages", harvester.Source{MaxDepth: 5, MaxPages: 3}, []string{"/start", "/docs/a", "/docs/b"}},
		{"depth 2 under prefix", harvester.Source{MaxDepth: 2, PathPrefix: "/docs"}, []string{"/start", "/docs/a", "/docs/b", "/docs/a1", "/docs/b1", "/docs/b2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			src := tt.src
			src.URL, src.Mode, src.Pace = s.URL+"/start#intro", ModeCrawl, time.Millisecond
			pages := collect(t, testHarvester(2), src, nil, false)
			var got []string
			for _, p := range pages {
				for _, r := range p.Records {
					got = append(got, strings.TrimPrefix(r.OriginID, s.URL))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("crawled %q, want %q", got, tt.want)
			}
			for _, p := range []string{"/private/p", "/docs/style-not-a-page", "/docs/img-not-a-page"} {
				if s.hit(p) != 0 {
					t.Errorf("%s fetched", p)
				}
			}
		})
	}
}

func TestHarvestURLs(t *testing.T) {
	s := newSite(t)
	src := harvester.Source{Mode: ModeURLs, URLs: []string{s.URL + "/page2", " " + s.URL + "/page1 ", s.URL + "/page2"}, Pace: time.Millisecond}
	pages := collect(t, testHarvester(50), src, nil, false)
	recs, _ := byOrigin(pages)
	if len(recs) != 2 || len(pages) != 1 || pages[0].Progress.Records != 2 {
		t.Errorf("records %v in %d pages", slices.Sorted(maps.Keys(recs)), len(pages))
	}
}

func TestHarvestRefusesPrivate(t *testing.T) {
	s := newSite(t)
	h := New(Config{Fetch: fetch.Config{Pace: time.Millisecond}, PageSize: 2}, nil)
	err := h.Harvest(t.Context(), harvester.Source{URL: s.URL + "/sitemap_index.xml"}, nil, false,
		func(context.Context, harvester.Page) error { return nil })
	if !errors.Is(err, fetch.ErrPrivateAddress) || harvester.KindOf(err) != harvester.KindPermanent {
		t.Fatalf("err %v (kind %v), want a permanent private-address refusal", err, harvester.KindOf(err))
	}
	if s.hit("/robots.txt") != 0 {
		t.Error("loopback server reached")
	}
}

func TestHarvestBadInput(t *testing.T) {
	h := testHarvester(2)
	emit := func(context.Context, harvester.Page) error { return nil }
	for name, tt := range map[string]struct {
		src harvester.Source
		cp  string
	}{
		"relative URL": {src: harvester.Source{URL: "/sitemap.xml"}},
		"unknown mode": {src: harvester.Source{URL: "https://example.org/", Mode: "spider"}},
	} {
		t.Run(name, func(t *testing.T) {
			var cp json.RawMessage
			if tt.cp != "" {
				cp = json.RawMessage(tt.cp)
			}
			if err := h.Harvest(t.Context(), tt.src, cp, false, emit); harvester.KindOf(err) != harvester.KindInvalid {
				t.Errorf("err %v, want invalid", err)
			}
		})
	}
}
