package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/sourcetest"
)

// TestSourceEditsKeepSettings sets each setting of a source, edits another one through every
// edit path the server offers, and checks that the first survived.
func TestSourceEditsKeepSettings(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.login(h.librarian)
	api := func(method string) func(t *testing.T, f sourcetest.Field, name string) {
		return func(t *testing.T, f sourcetest.Field, name string) {
			body := map[string]any{"paused": true}
			if f.Other() == "Schedule" {
				body = map[string]any{"schedule": sourcetest.OtherSchedule}
			}
			if code, b, _ := h.do(method, "/api/admin/sources/"+name, h.librarian, body); code != http.StatusOK {
				t.Fatalf("%s: %d %s", method, code, b)
			}
		}
	}
	paths := []struct {
		name string
		edit func(t *testing.T, f sourcetest.Field, name string)
	}{
		{"api put", api(http.MethodPut)},
		{"api patch", api(http.MethodPatch)},
		{"page form", func(t *testing.T, f sourcetest.Field, name string) {
			page := "/admin/sources/" + name
			form := b.form(page, page)
			if f.Other() == "Schedule" {
				form.Set("schedule", sourcetest.OtherSchedule)
			} else {
				form.Set("paused", "true")
			}
			form.Set("action", "save")
			if code, body, _ := b.post(page, form); code != http.StatusSeeOther {
				t.Fatalf("save form: %d %s", code, body)
			}
		}},
	}
	for _, f := range sourcetest.Fields(t) {
		for i, p := range paths {
			t.Run(f.Name+"/"+p.name, func(t *testing.T) {
				name := strings.ToLower(fmt.Sprintf("%s-%d", f.Name, i))
				src := sourcetest.Base(name)
				f.Set(&src)
				if _, err := h.sys.Sources().Add(t.Context(), src); err != nil {
					t.Fatal(err)
				}
				p.edit(t, f, name)
				got, err := h.sys.Sources().Get(t.Context(), name)
				if err != nil {
					t.Fatal(err)
				}
				f.Check(t, got)
			})
		}
	}
}

// form reads the values a browser would submit with the form posting to action on page.
func (b *browser) form(page, action string) url.Values {
	b.h.t.Helper()
	code, body, _ := b.get(page)
	if code != http.StatusOK {
		b.h.t.Fatalf("%s: %d", page, code)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		b.h.t.Fatal(err)
	}
	vals := url.Values{}
	var in func(n *html.Node, form bool)
	in = func(n *html.Node, form bool) {
		if n.Type == html.ElementNode {
			a := attrs(n)
			switch n.Data {
			case "form":
				form = a["action"] == action
			case "input":
				checkable := a["type"] == "checkbox" || a["type"] == "radio"
				_, checked := a["checked"]
				if form && a["name"] != "" && a["type"] != "submit" && (!checkable || checked) {
					vals.Add(a["name"], a["value"])
				}
			case "textarea":
				if form && n.FirstChild != nil {
					vals.Add(a["name"], n.FirstChild.Data)
				} else if form {
					vals.Add(a["name"], "")
				}
			case "option":
				if _, sel := a["selected"]; form && sel {
					vals.Add(attrs(n.Parent)["name"], a["value"])
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			in(c, form)
		}
	}
	in(doc, false)
	if vals.Get("csrf") == "" {
		b.h.t.Fatalf("no form posting to %s on %s", action, page)
	}
	return vals
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

// TestSourceFormRefusesStaleSave checks that saving a source page loaded before someone else
// changed the source refuses instead of undoing their change.
func TestSourceFormRefusesStaleSave(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.login(h.librarian)
	if _, err := h.sys.Sources().Add(t.Context(), sourcetest.Base("demo")); err != nil {
		t.Fatal(err)
	}
	form := b.form("/admin/sources/demo", "/admin/sources/demo")
	h.call("PATCH", "/api/admin/sources/demo", h.librarian, map[string]any{"schedule": "@daily"}, 200, nil)
	form.Set("paused", "true")
	form.Set("action", "save")
	if code, body, _ := b.post("/admin/sources/demo", form); code != http.StatusConflict || !strings.Contains(body, "reload") {
		t.Errorf("stale save: %d", code)
	}
	if got, _ := h.sys.Sources().Get(t.Context(), "demo"); got.Schedule != "@daily" || got.Paused {
		t.Errorf("after a stale save: %+v", got)
	}
}

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
