package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/probe"
)

func TestSearchPage(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	code, body, hd := b.get("/?q=photosynthesis&lang=en&commercial=true")
	if code != 200 || !strings.HasPrefix(hd.Get("Content-Type"), "text/html") {
		t.Fatalf("search page: %d", code)
	}
	for _, want := range []string{
		`<a href="/records/en-photo"><mark>`, // highlighted title
		`class="badge lic-open" href="https://example.org/licenses/CC-BY-4.0" rel="license"`,
		`I want to: Use commercially`,                   // active filter
		`Language: English`,                             // active filter with the language's name
		`href="/?commercial=true&amp;q=photosynthesis"`, // removing the language filter keeps the rest
		`<label for="q">`, `class="skip" href="#main"`, `<main id="main"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
	if hd.Get("Content-Security-Policy") == "" || hd.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers: %v", hd)
	}
	code, body, _ = b.get("/?sort=sideways")
	if code != 400 || !strings.Contains(body, "“sort”") || !strings.Contains(body, "must be relevance, newest or title") {
		t.Errorf("bad sort: %d", code)
	}
}

func TestMarked(t *testing.T) {
	for in, want := range map[string]string{
		"a <mark>b</mark> &amp; c":   "a <mark>b</mark> &amp; c",
		`<script>alert(1)</script>`:  "&lt;script&gt;alert(1)&lt;/script&gt;",
		`<mark onclick="x">y</mark>`: `&lt;mark onclick=&#34;x&#34;&gt;y</mark>`,
		"plain":                      "plain",
	} {
		if got := string(marked(in)); got != want {
			t.Errorf("marked(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecordPage(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	code, body, _ := b.get("/records/en-photo?with=CC-BY-NC-4.0")
	if code != 200 {
		t.Fatalf("record page: %d", code)
	}
	for _, want := range []string{
		`<link rel="license" href="https://example.org/licenses/CC-BY-4.0">`,
		`<script type="application/ld+json">`, `"type":["LearningResource"]`, `"license":{"id":"https://example.org/licenses/CC-BY-4.0"}`,
		`"mainEntityOfPage":[{"id":"` + h.ts.URL + `/records/en-photo"`,
		`id="attr-text"`, `id="attr-html"`, `id="attr-markdown"`, `data-copy="attr-markdown"`,
		`You may`, `class="verdict ok"`, `CC-BY-NC-4.0`, `action="/toolkit/items"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("record page lacks %s", want)
		}
	}
	if strings.Contains(body, `id="curate-heading"`) {
		t.Error("learner sees the curation form")
	}
	if code, _, _ := b.get("/records/en-hidden"); code != 404 {
		t.Errorf("hidden record page: %d", code)
	}
	if code, _, _ := b.get("/records/missing"); code != 404 {
		t.Errorf("missing record page: %d", code)
	}
}

func TestToolkitPages(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	tok := b.csrf("/records/en-photo")
	code, _, hd := b.post("/toolkit/items", url.Values{"record": {"en-photo"}, "note": {"week 1"}, "csrf": {tok}})
	if code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	edit := strings.Split(hd.Get("Location"), "#")[0]
	if code, _, hd := b.get("/toolkits/mine"); code != http.StatusSeeOther || hd.Get("Location") != edit {
		t.Errorf("my toolkit: %d %s, want %s", code, hd.Get("Location"), edit)
	}
	code, body, hd := b.get(edit)
	if code != 200 || !strings.Contains(body, "week 1") || hd.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("edit page: %d %v", code, hd)
	}
	// A second save goes into the same toolkit.
	code, _, hd = b.post("/toolkit/items", url.Values{"record": {"es-nino"}, "csrf": {tok}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), edit) {
		t.Fatalf("second save: %d %s", code, hd.Get("Location"))
	}
	if code, _, _ := b.post(edit, url.Values{"action": {"remove"}, "record": {"es-nino"}, "csrf": {tok}}); code != http.StatusSeeOther {
		t.Errorf("remove: %d", code)
	}
	if code, _, _ := b.post(edit, url.Values{"action": {"note"}, "record": {"en-photo"}, "note": {"week 2"}, "csrf": {tok}}); code != http.StatusSeeOther {
		t.Errorf("note: %d", code)
	}
	share := "/toolkits/" + strings.Split(edit, "/")[2]
	code, body, _ = b.get(share)
	if code != 200 || !strings.Contains(body, "week 2") || strings.Contains(body, "El niño") || strings.Contains(body, `name="csrf"`+` value="`+tok+`"><input type="hidden" name="record"`) {
		t.Errorf("share page: %d", code)
	}
	code, md, _ := b.get(share + "/export/markdown")
	if code != 200 || !strings.Contains(md, "creativecommons.org/licenses/by/4.0") {
		t.Errorf("export: %d %s", code, md)
	}
	if code, _, _ := b.get(share + "/wrongkey"); code != 403 {
		t.Errorf("wrong key: %d", code)
	}
	// Without the CSRF token, or from another site, forms are refused.
	if code, body, _ := b.post("/toolkit/items", url.Values{"record": {"en-photo"}}); code != 403 || !strings.Contains(body, "CSRF") {
		t.Errorf("no csrf: %d", code)
	}
	other := h.browser()
	if code, _, _ := other.post("/toolkit/items", url.Values{"record": {"en-photo"}, "csrf": {tok}}); code != 403 {
		t.Errorf("csrf token of another visitor: %d", code)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", h.ts.URL+"/toolkit/items", strings.NewReader(url.Values{"record": {"en-photo"}, "csrf": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if code, _, _ := b.send(req); code != 403 {
		t.Errorf("cross-site post: %d", code)
	}
}

func TestStaffPages(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	if code, _, hd := b.get("/admin/curation"); code != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous curation: %d %s", code, hd.Get("Location"))
	}
	code, body, _ := b.post("/login", url.Values{"token": {"orch_wrong"}, "csrf": {b.csrf("/login")}})
	if code != 401 || !strings.Contains(body, "not valid") {
		t.Errorf("bad login: %d", code)
	}
	b.login(h.librarian)
	for _, path := range []string{"/admin/", "/admin/runs", "/admin/curation", "/records/en-hidden"} {
		if code, body, _ := b.get(path); code != 200 {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	tok := b.csrf("/admin/curation")
	if code, _, _ := b.post("/admin/curation/en-zebra", url.Values{"action": {"license"}, "license": {"CC-BY-4.0"}, "note": {"n"}}); code != 403 {
		t.Errorf("curation without csrf: %d", code)
	}
	if code, body, _ := b.post("/admin/curation/en-zebra", url.Values{"action": {"license"}, "license": {"CC-BY-4.0"}, "note": {"n"}, "csrf": {tok}}); code != http.StatusSeeOther {
		t.Errorf("curation: %d %s", code, body)
	}
	var d curation.Decision
	h.call("GET", "/api/admin/overrides/en-zebra", h.librarian, nil, 200, &d)
	if d.License == nil || d.License.ID != "CC-BY-4.0" {
		t.Errorf("decision %+v", d)
	}
	if code, _, _ := b.post("/logout", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
		t.Errorf("logout: %d", code)
	}
	if code, _, _ := b.get("/admin/"); code != http.StatusSeeOther {
		t.Errorf("after logout: %d", code)
	}

	a := h.browser()
	a.login(h.admin)
	tok = a.csrf("/admin/sources/new")
	form := url.Values{"name": {"demo"}, "type": {"web"}, "url": {"http://127.0.0.1:1/"}, "csrf": {tok}, "action": {"save"}}
	if code, body, hd := a.post("/admin/sources/new", form); code != http.StatusSeeOther || hd.Get("Location") != "/admin/sources/demo" {
		t.Fatalf("add source: %d %s", code, body)
	}
	form.Set("name", "Bad Name")
	if code, body, _ := a.post("/admin/sources/new", form); code != 400 || !strings.Contains(body, "must be 1 to 63") {
		t.Errorf("bad source: %d", code)
	}
	if code, body, _ := a.get("/admin/sources/demo"); code != 200 || !strings.Contains(body, `data-progress="/admin/sources/demo/progress"`) {
		t.Errorf("source page: %d", code)
	}
	if code, _, _ := a.post("/admin/sources/demo/run", url.Values{"csrf": {tok}, "action": {"run"}}); code != http.StatusSeeOther {
		t.Errorf("run now: %d", code)
	}
	if code, body, _ := a.get("/admin/"); code != 200 || !strings.Contains(body, "queued") || !strings.Contains(body, "<svg") {
		t.Errorf("sources page: %d", code)
	}
}

// TestSessionAPIWrites checks that API writes carried by a session cookie need the CSRF header.
func TestSessionAPIWrites(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.login(h.librarian)
	tok := b.csrf("/admin/curation")
	put := func(csrf string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "PUT", h.ts.URL+"/api/admin/overrides/en-zebra", strings.NewReader(`{"license":"CC0-1.0"}`))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set(csrfHeader, csrf)
		}
		code, _, _ := b.send(req)
		return code
	}
	if code := put(""); code != 403 {
		t.Errorf("session write without CSRF header: %d", code)
	}
	if code := put("wrong"); code != 403 {
		t.Errorf("session write with a wrong CSRF header: %d", code)
	}
	if code := put(tok); code != 200 {
		t.Errorf("session write with the CSRF header: %d", code)
	}
}

func TestProbeAPI(t *testing.T) {
	site := http.NewServeMux()
	var base string
	site.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("User-agent: *\nAllow: /\nSitemap: " + base + "/sitemap.xml\n"))
	})
	site.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>` + base + `/lesson</loc></url></urlset>`))
	})
	site.HandleFunc("/lesson", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>Tides</title></head><body><h1>Tides</h1>
<p>Licensed <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a></p></body></html>`))
	})
	ts := httptest.NewServer(site)
	defer ts.Close()
	base = ts.URL
	p := newPipeline()
	h := newHarness(t, p.probes)
	var rep probe.Report
	h.call("POST", "/api/admin/probe", h.librarian, map[string]string{"url": ts.URL + "/", "type": "web"}, 200, &rep)
	if !rep.OK || len(rep.Samples) != 1 || rep.Samples[0].License != "CC-BY-SA-4.0" || rep.Samples[0].Status != "open" || rep.Summary == "" {
		t.Errorf("probe = %+v", rep)
	}
	var e apiError
	h.call("POST", "/api/admin/probe", h.librarian, map[string]string{"url": "notaurl", "type": "web"}, 400, &e)
	if e.Param != "url" {
		t.Errorf("bad url: %+v", e)
	}
	h.call("POST", "/api/admin/probe", h.librarian, map[string]string{"url": ts.URL, "type": "gopher"}, 400, &e)
	if e.Param != "type" {
		t.Errorf("bad type: %+v", e)
	}
	h.call("POST", "/api/admin/probe", h.librarian, map[string]string{"type": "web"}, 400, &e)
}

func TestChartsStaticAndRunPages(t *testing.T) {
	h := newHarness(t)
	code, svg, hd := h.do("GET", "/charts/licenses.svg", "", nil)
	if code != 200 || hd.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(svg), `role="img"`) ||
		!strings.Contains(string(svg), "CC BY 4.0") || !strings.Contains(string(svg), "Unknown") {
		t.Errorf("license chart: %d %s", code, svg)
	}
	if code, svg, _ := h.do("GET", "/charts/licenses.svg?source=beta", "", nil); code != 200 || strings.Contains(string(svg), "CC BY-SA 4.0") {
		t.Errorf("beta license chart: %d %s", code, svg)
	}
	h.call("POST", "/api/admin/sources", h.librarian, map[string]any{"name": "demo", "type": "web", "url": "http://127.0.0.1:1/"}, 201, nil)
	var run map[string]string
	h.call("POST", "/api/admin/sources/demo/run", h.librarian, nil, 202, &run)
	if code, svg, _ := h.do("GET", "/charts/runs.svg?source=demo", h.librarian, nil); code != 200 || !strings.Contains(string(svg), "queued") {
		t.Errorf("runs chart: %d %s", code, svg)
	}
	for _, path := range []string{"/static/style.css", "/static/app.js"} {
		if code, _, hd := h.do("GET", path, "", nil); code != 200 || hd.Get("Cache-Control") == "" {
			t.Errorf("%s: %d", path, code)
		}
	}
	b := h.browser()
	b.login(h.librarian)
	if code, body, _ := b.get("/admin/runs/" + run["run_id"]); code != 200 || !strings.Contains(body, "queued") {
		t.Errorf("run page: %d", code)
	}
	if code, _, _ := b.get("/admin/runs/demo.missing"); code != 404 {
		t.Errorf("missing run page: %d", code)
	}
	if code, _, _ := b.get("/admin/sources/missing"); code != 404 {
		t.Errorf("missing source page: %d", code)
	}
}

func TestStartToolkit(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	code, body, _ := b.get("/toolkits/mine")
	if code != 200 || !strings.Contains(body, "Start a toolkit") {
		t.Fatalf("no toolkit yet: %d", code)
	}
	code, _, hd := b.post("/toolkits", url.Values{"title": {"Physics"}, "csrf": {b.csrf("/toolkits/mine")}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), "/toolkits/") {
		t.Fatalf("start: %d %v", code, hd)
	}
	if code, body, _ := b.get(hd.Get("Location")); code != 200 || !strings.Contains(body, `<h1 translate="no">Physics</h1>`) {
		t.Errorf("new toolkit: %d", code)
	}
	if code, _, _ := b.get("/toolkits/unknown000000000000000"); code != 404 {
		t.Errorf("unknown toolkit: %d", code)
	}
}
