package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

// lessonSite is a loopback web site with a robots.txt naming its sitemap and a start page.
func lessonSite(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			_, _ = w.Write([]byte("User-agent: *\nSitemap: http://" + r.Host + "/sitemap.xml\n"))
		case "/sitemap.xml":
			_, _ = w.Write([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://` + r.Host + `/a</loc></url></urlset>`))
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!doctype html><title>Lessons</title>"))
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestSourceAddDetects(t *testing.T) {
	ts := lessonSite(t)
	h := newHarness(t, newPipeline().probes)
	tests := []struct {
		name       string
		body       map[string]any
		code       int
		typ, mode  string
		url, param string
		msg        string // in the detection or the error
	}{
		{"robots.txt", map[string]any{"name": "robots", "url": ts.URL + "/robots.txt"}, 201,
			harvester.TypeWeb, "sitemap", ts.URL + "/sitemap.xml", "", "is a robots.txt"},
		{"start page", map[string]any{"name": "start", "url": ts.URL + "/lessons/"}, 201,
			harvester.TypeWeb, "crawl", ts.URL + "/lessons/", "", "is a start page"},
		{"right type checked", map[string]any{"name": "checked", "url": ts.URL + "/sitemap.xml", "type": "web", "detect": true}, 201,
			harvester.TypeWeb, "sitemap", ts.URL + "/sitemap.xml", "", "is a sitemap"},
		{"wrong type", map[string]any{"name": "wrong", "url": ts.URL + "/sitemap.xml", "type": "oai-pmh", "detect": true}, 400,
			"", "", "", "type", "is a sitemap, which type oai-pmh cannot harvest: use type web, mode sitemap"},
		{"wrong mode", map[string]any{"name": "wrong", "url": ts.URL + "/lessons/", "type": "web", "mode": "sitemap", "detect": true}, 400,
			"", "", "", "type", "is a start page, which type web, mode sitemap cannot harvest: use type web, mode crawl"},
		{"given type, unreadable URL", map[string]any{"name": "down", "url": "http://127.0.0.1:1/oai", "type": "oai-pmh", "detect": true}, 201,
			harvester.TypeOAIPMH, "", "http://127.0.0.1:1/oai", "", ""},
		{"no type, unreadable URL", map[string]any{"name": "down2", "url": "http://127.0.0.1:1/oai"}, 502,
			"", "", "", "", "detect"},
		{"page list", map[string]any{"name": "pages", "url": ts.URL + "/robots.txt?x", "mode": "urls", "urls": []string{ts.URL + "/a"}}, 201,
			harvester.TypeWeb, "urls", ts.URL + "/robots.txt?x", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out struct {
				Source
				apiError
			}
			h.call("POST", "/api/admin/sources", h.librarian, tt.body, tt.code, &out)
			if tt.code != 201 {
				if out.Param != tt.param || !strings.Contains(out.apiError.Error, tt.msg) {
					t.Errorf("error = %+v", out.apiError)
				}
				return
			}
			if out.Type != tt.typ || out.Mode != tt.mode || out.URL != tt.url {
				t.Errorf("source = %+v", out.Source)
			}
			if (out.Detected != nil) != (tt.msg != "") || out.Detected != nil && !strings.Contains(out.Detected.String(), tt.msg) {
				t.Errorf("detected = %+v", out.Detected)
			}
		})
	}

	t.Run("no detection on the server", func(t *testing.T) {
		plain := newHarness(t)
		var e apiError
		plain.call("POST", "/api/admin/sources", plain.librarian, map[string]any{"name": "x", "url": ts.URL}, 503, &e)
	})
}

func TestSourceFormDetects(t *testing.T) {
	ts := lessonSite(t)
	h := newHarness(t, newPipeline().probes)
	b := h.browser()
	b.login(h.librarian)
	form := b.form("/admin/sources/new", "/admin/sources/new")
	if form.Get("type") != "" || !form.Has("type") {
		t.Fatalf("a new source's type is not left to detection: %v", form)
	}
	form.Set("name", "lessons")
	form.Set("url", ts.URL+"/robots.txt")
	form.Set("action", "detect")
	code, body, _ := b.post("/admin/sources/new", form)
	if code != 200 || !strings.Contains(body, `id="detected">Detected: `+ts.URL+"/robots.txt is a robots.txt: type web, mode sitemap") ||
		!strings.Contains(body, `value="web" checked`) || !strings.Contains(body, `value="sitemap" selected`) ||
		!strings.Contains(body, `value="`+ts.URL+`/sitemap.xml"`) {
		t.Fatalf("detect: %d %s", code, body)
	}

	wrong := url.Values{"name": {"wrong"}, "type": {"oai-pmh"}, "url": {ts.URL + "/sitemap.xml"}, "csrf": form["csrf"], "action": {"save"}}
	if code, body, _ := b.post("/admin/sources/new", wrong); code != 400 || !strings.Contains(body, "use type web, mode sitemap") {
		t.Errorf("wrong type saved: %d %s", code, body)
	}

	form.Set("action", "save")
	if code, body, hd := b.post("/admin/sources/new", form); code != http.StatusSeeOther || hd.Get("Location") != "/admin/sources/lessons" {
		t.Fatalf("save: %d %s", code, body)
	}
	src, err := h.sys.Sources().Get(t.Context(), "lessons")
	if err != nil {
		t.Fatal(err)
	}
	if src.Type != harvester.TypeWeb || src.Mode != "sitemap" || src.URL != ts.URL+"/sitemap.xml" {
		t.Errorf("saved %+v", src.Source)
	}
}
