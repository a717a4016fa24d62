package web

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
	"github.com/orchard-oer/orchard/curation"
)

func TestSearchAPI(t *testing.T) {
	h := newHarness(t)
	var res catalog.SearchResult
	h.call("GET", "/api/search?q=biology&commercial=true&lang=en&openness=free", "", nil, 200, &res)
	if res.Total != 1 || res.Hits[0].ID != "en-photo" {
		t.Errorf("commercial English biology, free culture: total %d, hits %v", res.Total, ids(res.Hits))
	}
	if res.Openness != nil {
		t.Errorf("openness counted unasked: %v", res.Openness)
	}
	if res.Facets["license"]["CC-BY-4.0"] != 1 {
		t.Errorf("license facet = %v", res.Facets["license"])
	}
	for _, tc := range []struct {
		query string
		want  []string
		// counts per choice when asked for
		counts map[string]int
	}{
		{"", []string{"de-zelle", "en-apple", "en-cells", "en-photo", "es-nino", "fr-educ"}, nil},
		{"openness=free", []string{"de-zelle", "en-apple", "en-photo", "es-nino"}, nil},
		{"openness=Free+culture", []string{"de-zelle", "en-apple", "en-photo", "es-nino"}, nil},
		{"open=true", []string{"de-zelle", "en-apple", "en-photo", "es-nino"}, nil},
		{"openness=cc&lang=en&openness_counts=true", []string{"en-apple", "en-cells", "en-photo"}, map[string]int{"free": 2, "cc": 3, "any": 5}},
		{"openness=any", []string{"de-zelle", "en-apple", "en-cells", "en-history", "en-photo", "en-zebra", "es-nino", "fr-educ"}, nil},
		{"license=CC+BY+4.0", []string{"en-apple", "en-photo"}, nil},
		{"lang=German&openness=any", []string{"de-zelle", "en-cells"}, nil},
		{"lang=Deutsch", []string{"de-zelle", "en-cells"}, nil},
		{"open=any", []string{"de-zelle", "en-apple", "en-cells", "en-history", "en-photo", "en-zebra", "es-nino", "fr-educ"}, nil},
	} {
		var res catalog.SearchResult
		h.call("GET", "/api/search?per_page=50&"+tc.query, "", nil, 200, &res)
		got := ids(res.Hits)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) || !reflect.DeepEqual(res.Openness, tc.counts) {
			t.Errorf("%q: hits %v, counts %v; want %v, %v", tc.query, got, res.Openness, tc.want, tc.counts)
		}
	}
	h.call("GET", "/api/search?open=any", "", nil, 200, &res)
	if slices.Contains(ids(res.Hits), "en-hidden") {
		t.Error("hidden record shown to a learner")
	}
	for _, tc := range []struct{ query, param string }{
		{"sort=best", "sort"}, {"page=0", "page"}, {"commercial=maybe", "commercial"}, {"year=abc", "year"},
		{"per_page=1000", "per_page"}, {"status=weird", "status"}, {"facets=colour", "facets"},
		{"year_from=2020&year_to=2010", "year_from"}, {"open=sometimes", "open"},
		{"openness=open", "openness"}, {"license=CC+BY+5.0", "license"}, {"lang=Klingon", "lang"}, {"openness_counts=maybe", "openness_counts"},
	} {
		var e apiError
		h.call("GET", "/api/search?"+tc.query, "", nil, 400, &e)
		if e.Param != tc.param || e.Error == "" {
			t.Errorf("%s: error %+v, want param %s", tc.query, e, tc.param)
		}
	}
}

func ids(hits []catalog.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func TestRecordAPI(t *testing.T) {
	h := newHarness(t)
	var rec catalog.Record
	h.call("GET", "/api/records/en-photo", "", nil, 200, &rec)
	if rec.Title != "Photosynthesis in Green Plants" {
		t.Errorf("title %q", rec.Title)
	}
	var e apiError
	h.call("GET", "/api/records/nope", "", nil, 404, &e)
	h.call("GET", "/api/records/bad.id", "", nil, 400, &e)
	if e.Param != "id" {
		t.Errorf("bad id: %+v", e)
	}
	h.call("GET", "/api/records/en-hidden", "", nil, 404, nil)
	h.call("GET", "/api/records/en-hidden", h.librarian, nil, 200, &rec)

	var info licenseInfo
	h.call("GET", "/api/records/en-photo/license", "", nil, 200, &info)
	if info.ID != "CC-BY-4.0" || !strings.Contains(info.Attribution.Text, "creativecommons.org/licenses/by/4.0") ||
		!strings.Contains(info.Attribution.HTML, "<a") || !strings.Contains(info.Attribution.Markdown, "](") {
		t.Errorf("license info = %+v", info)
	}
	if info.Explanation.Summary == "" {
		t.Error("no explanation")
	}
}

func TestRemixAPI(t *testing.T) {
	h := newHarness(t)
	var r remixResult
	h.call("GET", "/api/remix?license=CC-BY-4.0&license=CC-BY-SA-4.0", "", nil, 200, &r)
	if !r.Possible || !slices.Contains(r.Compat.Licenses, "CC-BY-SA-4.0") || r.Reason == "" {
		t.Errorf("BY + BY-SA = %+v", r)
	}
	h.call("GET", "/api/remix?record=en-photo&record=en-cells", "", nil, 200, &r)
	if r.Possible || !r.Decidable {
		t.Errorf("BY + BY-ND = %+v", r)
	}
	var e apiError
	h.call("GET", "/api/remix?license=CC-BY-4.0", "", nil, 400, &e)
	if e.Param != "license" {
		t.Errorf("one license: %+v", e)
	}
	h.call("GET", "/api/remix?license=CC-BY-4.0&record=bad.id", "", nil, 400, &e)
	if e.Param != "record" {
		t.Errorf("bad record: %+v", e)
	}
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *Deps) { c.SearchRate, c.SearchBurst = 0.01, 2 })
	for i := range 2 {
		if code, b, _ := h.do("GET", "/api/search?q=cell", "", nil); code != 200 {
			t.Fatalf("search %d: %d %s", i, code, b)
		}
	}
	code, b, hd := h.do("GET", "/api/search?q=cell", "", nil)
	if code != http.StatusTooManyRequests || hd.Get("Retry-After") == "" {
		t.Fatalf("third search: %d %s, Retry-After %q", code, b, hd.Get("Retry-After"))
	}
	if code, _, _ := h.do("GET", "/?q=cell", "", nil); code != http.StatusTooManyRequests {
		t.Errorf("search page not limited: %d", code)
	}
	if code, _, _ := h.do("GET", "/api/search?q=cell", h.librarian, nil); code != 200 {
		t.Errorf("staff limited: %d", code)
	}
	if code, _, _ := h.do("GET", "/api/records/en-photo", "", nil); code != 200 {
		t.Errorf("record read limited: %d", code)
	}
}

// TestAdminRefusals checks every staff endpoint refuses requests without a valid token (401)
// and admin-only ones refuse librarians (403).
func TestAdminRefusals(t *testing.T) {
	h := newHarness(t)
	// Every route is tried with a forged token: more failures than one client may make.
	h.srv.failures = newLimiter(1000, 1000)
	for _, tc := range []struct {
		method, path string
		adminOnly    bool
	}{
		{"GET", "/api/admin/status", false},
		{"GET", "/api/admin/sources", false},
		{"POST", "/api/admin/sources", false},
		{"GET", "/api/admin/sources/x", false},
		{"PUT", "/api/admin/sources/x", false},
		{"PATCH", "/api/admin/sources/x", false},
		{"DELETE", "/api/admin/sources/x", true},
		{"POST", "/api/admin/sources/x/run", false},
		{"POST", "/api/admin/sources/x/cancel", false},
		{"GET", "/api/admin/sources/x/progress", false},
		{"POST", "/api/admin/probe", false},
		{"GET", "/api/admin/runs", false},
		{"GET", "/api/admin/runs/x", false},
		{"GET", "/api/admin/deadletters", false},
		{"GET", "/api/admin/links/broken", false},
		{"GET", "/api/admin/curation", false},
		{"GET", "/api/admin/overrides/en-photo", false},
		{"PUT", "/api/admin/overrides/en-photo", false},
		{"DELETE", "/api/admin/overrides/en-photo", false},
		{"POST", "/api/admin/records/en-photo/hide", false},
		{"GET", "/charts/runs.svg", false},
	} {
		var e apiError
		if code, b, _ := h.do(tc.method, tc.path, "", nil); code != 401 || json.Unmarshal(b, &e) != nil || e.Error == "" {
			t.Errorf("%s %s without token: %d %s", tc.method, tc.path, code, b)
		}
		if code, b, hd := h.do(tc.method, tc.path, "orch_forged", nil); code != 401 || hd.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s with a bad token: %d %s", tc.method, tc.path, code, b)
		}
		if tc.adminOnly {
			if code, b, _ := h.do(tc.method, tc.path, h.librarian, nil); code != 403 {
				t.Errorf("%s %s as librarian: %d %s", tc.method, tc.path, code, b)
			}
		}
	}
}

func TestSourcesAPI(t *testing.T) {
	h := newHarness(t)
	src := map[string]any{"name": "demo", "type": "oai-pmh", "url": "http://127.0.0.1:1/oai", "schedule": "@daily"}
	h.call("POST", "/api/admin/sources", h.admin, src, 201, nil)
	var e apiError
	h.call("POST", "/api/admin/sources", h.admin, src, 409, &e)
	h.call("POST", "/api/admin/sources", h.admin, map[string]any{"name": "Bad Name", "type": "x", "url": "ftp://x"}, 400, &e)
	h.call("POST", "/api/admin/sources", h.admin, map[string]any{"name": "x", "colour": "red"}, 400, &e)
	if e.Param != "body" {
		t.Errorf("unknown field: %+v", e)
	}
	var list []map[string]any
	h.call("GET", "/api/admin/sources", h.librarian, nil, 200, &list)
	if len(list) != 1 || list[0]["name"] != "demo" {
		t.Errorf("list = %v", list)
	}
	src["schedule"] = "@hourly"
	var got map[string]any
	h.call("PUT", "/api/admin/sources/demo", h.admin, src, 200, &got)
	h.call("GET", "/api/admin/sources/demo", h.librarian, nil, 200, &got)
	if got["schedule"] != "@hourly" {
		t.Errorf("after PUT: %v", got)
	}
	h.call("PUT", "/api/admin/sources/other", h.admin, src, 400, &e)
	if e.Param != "name" {
		t.Errorf("PUT name mismatch: %+v", e)
	}
	// Durations travel as strings; a malformed one is named.
	h.call("PATCH", "/api/admin/sources/demo", h.admin, map[string]any{"pace": "5s"}, 200, &got)
	if got["pace"] != "5s" || got["schedule"] != "@hourly" {
		t.Errorf("after PATCH pace: %v", got)
	}
	for _, pace := range []any{"fast", 5000000000} {
		h.call("PATCH", "/api/admin/sources/demo", h.admin, map[string]any{"pace": pace}, 400, &e)
		if pace == "fast" && e.Param != "pace" {
			t.Errorf("pace %v: %+v", pace, e)
		}
	}
	// If-Match with the revision of a GET's ETag refuses an edit of a source changed since.
	code, _, hd := h.do("GET", "/api/admin/sources/demo", h.librarian, nil)
	etag := hd.Get("ETag")
	if code != 200 || etag == "" {
		t.Fatalf("GET: %d, ETag %q", code, etag)
	}
	ifMatch := func(method, etag string, body any) (int, []byte) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(t.Context(), method, h.ts.URL+"/api/admin/sources/demo", strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer "+h.admin)
		req.Header.Set("If-Match", etag)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	if code, b := ifMatch("PUT", etag, map[string]any{"paused": true}); code != 200 {
		t.Errorf("PUT at the current revision: %d %s", code, b)
	}
	if code, b := ifMatch("PATCH", etag, map[string]any{"paused": false}); code != http.StatusPreconditionFailed {
		t.Errorf("PATCH at a stale revision: %d %s", code, b)
	}
	if code, b := ifMatch("PATCH", `"x"`, map[string]any{"paused": false}); code != 400 {
		t.Errorf("PATCH with a malformed If-Match: %d %s", code, b)
	}
	h.call("GET", "/api/admin/sources/demo", h.librarian, nil, 200, &got)
	if got["paused"] != true || got["pace"] != "5s" {
		t.Errorf("after the refused edit: %v", got)
	}
	h.call("GET", "/api/admin/sources/missing", h.librarian, nil, 404, nil)

	var run map[string]string
	h.call("POST", "/api/admin/sources/demo/run?full=true", h.librarian, nil, 202, &run)
	if run["run_id"] == "" {
		t.Fatalf("run = %v", run)
	}
	h.call("POST", "/api/admin/sources/demo/run", h.librarian, nil, 409, nil) // one pending per source
	h.call("POST", "/api/admin/sources/demo/run?full=perhaps", h.librarian, nil, 400, &e)
	if e.Param != "full" {
		t.Errorf("full=perhaps: %+v", e)
	}
	var runs []map[string]any
	h.call("GET", "/api/admin/runs?source=demo&limit=5", h.librarian, nil, 200, &runs)
	if len(runs) != 1 || runs[0]["id"] != run["run_id"] || runs[0]["status"] != "queued" {
		t.Errorf("runs = %v", runs)
	}
	h.call("GET", "/api/admin/runs?limit=zero", h.librarian, nil, 400, &e)
	h.call("GET", "/api/admin/runs", h.librarian, nil, 200, &runs)
	if len(runs) != 1 {
		t.Errorf("all runs = %v", runs)
	}
	h.call("GET", "/api/admin/runs/"+run["run_id"], h.librarian, nil, 200, &got)
	h.call("GET", "/api/admin/runs/demo.nope", h.librarian, nil, 404, nil)
	h.call("POST", "/api/admin/sources/demo/cancel", h.librarian, nil, 202, nil)
	h.call("POST", "/api/admin/sources/demo/cancel", h.librarian, nil, 409, nil)
	h.call("GET", "/api/admin/runs/"+run["run_id"], h.librarian, nil, 200, &got)
	if got["status"] != "cancelled" {
		t.Errorf("after cancel: %v", got)
	}
	var dead []any
	h.call("GET", "/api/admin/deadletters", h.librarian, nil, 200, &dead)
	var status map[string]any
	h.call("GET", "/api/admin/status", h.librarian, nil, 200, &status)
	if srcs, _ := status["sources"].([]any); len(srcs) != 1 {
		t.Errorf("status = %v", status)
	}
	// No sweep waits; then the source leaves with its records (a run), or alone.
	h.call("POST", "/api/admin/sources/demo/sweep?confirm=true", h.librarian, nil, 409, nil)
	h.call("POST", "/api/admin/sources/demo/sweep", h.librarian, nil, 400, nil)
	var removal map[string]string
	h.call("DELETE", "/api/admin/sources/demo", h.admin, nil, 202, &removal)
	if removal["run_id"] == "" {
		t.Errorf("removal with records = %v", removal)
	}
	h.call("POST", "/api/admin/sources/demo/cancel", h.librarian, nil, 202, nil)
	h.call("DELETE", "/api/admin/sources/demo?keep_records=true", h.admin, nil, 204, nil)
	h.call("DELETE", "/api/admin/sources/demo", h.admin, nil, 404, nil)
}

func TestProgressStream(t *testing.T) {
	h := newHarness(t)
	h.call("POST", "/api/admin/sources", h.admin, map[string]any{"name": "demo", "type": "web", "url": "http://127.0.0.1:1/"}, 201, nil)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", h.ts.URL+"/api/admin/sources/demo/progress", nil)
	req.Header.Set("Authorization", "Bearer "+h.librarian)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("progress: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var run map[string]string
	h.call("POST", "/api/admin/sources/demo/run", h.librarian, nil, 202, &run)
	buf := make([]byte, 4096)
	var got strings.Builder
	for !strings.Contains(got.String(), run["run_id"]) {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("read stream: %v; got %q", err, got.String())
		}
		got.Write(buf[:n])
	}
	if !strings.Contains(got.String(), "event: progress\ndata: {") || !strings.Contains(got.String(), `"status":"queued"`) {
		t.Errorf("stream = %q", got.String())
	}
	h.call("GET", "/api/admin/sources/missing/progress", h.librarian, nil, 404, nil)
}

func TestOverridesAndHiding(t *testing.T) {
	h := newHarness(t)
	var queue catalog.SearchResult
	h.call("GET", "/api/admin/curation", h.librarian, nil, 200, &queue)
	if !slices.Contains(ids(queue.Hits), "en-zebra") || !slices.Contains(ids(queue.Hits), "en-apple") {
		t.Fatalf("queue = %v", ids(queue.Hits))
	}
	var rec catalog.Record
	h.call("PUT", "/api/admin/overrides/en-zebra", h.librarian, map[string]string{"license": "CC-BY-SA-4.0", "note": "checked the site"}, 200, &rec)
	if rec.License.ID != "CC-BY-SA-4.0" || rec.License.Override == nil || rec.License.Override.By != "lin" || !rec.License.Open {
		t.Fatalf("after override: %+v", rec.License)
	}
	h.call("GET", "/api/records/en-zebra", "", nil, 200, &rec)
	if rec.License.ID != "CC-BY-SA-4.0" {
		t.Errorf("index not updated: %+v", rec.License)
	}
	decisions, err := curation.Open(t.Context(), h.sys)
	if err != nil {
		t.Fatal(err)
	}
	d, ok, err := decisions.Get(t.Context(), "en-zebra")
	if err != nil || !ok || d.License == nil || d.License.ID != "CC-BY-SA-4.0" || d.License.Note != "checked the site" {
		t.Errorf("decision = %+v %v %v", d, ok, err)
	}
	// A re-harvested record comes back without the override; the decision puts it back.
	fresh := catalogFixture(t, "en-zebra")
	if err := curation.Apply(&fresh, d); err != nil || fresh.License.ID != "CC-BY-SA-4.0" {
		t.Errorf("Apply: %v %+v", err, fresh.License)
	}
	var got curation.Decision
	h.call("GET", "/api/admin/overrides/en-zebra", h.librarian, nil, 200, &got)
	if got.License == nil || got.License.ID != "CC-BY-SA-4.0" {
		t.Errorf("GET decision = %+v", got)
	}
	var e apiError
	h.call("PUT", "/api/admin/overrides/en-zebra", h.librarian, map[string]string{"license": "CC-BY-9.9"}, 400, &e)
	if e.Param != "license" {
		t.Errorf("unknown license: %+v", e)
	}
	h.call("PUT", "/api/admin/overrides/bad.id", h.librarian, map[string]string{"license": "CC0-1.0"}, 400, &e)
	h.call("PUT", "/api/admin/overrides/missing", h.librarian, map[string]string{"license": "CC0-1.0"}, 404, &e)
	var cleared catalog.Record
	h.call("DELETE", "/api/admin/overrides/en-zebra", h.librarian, nil, 200, &cleared)
	if cleared.License.ID != "" || cleared.License.Override != nil {
		t.Errorf("after removing the override: %+v", cleared.License)
	}
	h.call("GET", "/api/admin/overrides/en-zebra", h.librarian, nil, 404, nil)

	h.call("POST", "/api/admin/records/en-photo/hide", h.librarian, nil, 200, &rec)
	if !rec.Hidden {
		t.Error("not hidden")
	}
	h.call("GET", "/api/records/en-photo", "", nil, 404, nil)
	fresh = catalogFixture(t, "en-photo")
	d, _, err = decisions.Get(t.Context(), "en-photo")
	if err == nil {
		err = curation.Apply(&fresh, d)
	}
	if err != nil || !fresh.Hidden {
		t.Errorf("hiding does not survive a harvest: %v %v", err, fresh.Hidden)
	}
	h.call("POST", "/api/admin/records/en-photo/hide", h.librarian, map[string]bool{"hidden": false}, 200, &rec)
	h.call("GET", "/api/records/en-photo", "", nil, 200, nil)
}

func catalogFixture(t *testing.T, id string) catalog.Record {
	for _, r := range catalogtest.Fixtures() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no fixture %s", id)
	return catalog.Record{}
}

func TestToolkitAPI(t *testing.T) {
	h := newHarness(t)
	var tk toolkitJSON
	h.call("POST", "/api/toolkits", "", map[string]any{"title": "Biology", "items": []map[string]string{{"record": "en-photo", "note": "for week 1"}}}, 201, &tk)
	if tk.Key == "" || tk.Edit == "" || len(tk.Items) != 1 {
		t.Fatalf("created %+v", tk)
	}
	h.call("POST", "/api/toolkits", "", map[string]any{"items": []map[string]string{{"record": "missing"}}}, 404, nil)
	h.call("POST", "/api/toolkits", "", map[string]any{"items": []map[string]string{{"record": "bad.id"}}}, 400, nil)
	key := func(k string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("X-Toolkit-Key", k) } }
	h.callWith("PUT", "/api/toolkits/"+tk.ID+"/items/es-nino", map[string]string{"note": "Spanish"}, 200, &tk, key(tk.Key))
	h.callWith("PUT", "/api/toolkits/"+tk.ID+"/items/es-nino", map[string]string{"note": "x"}, 403, nil, key("wrong"))
	h.callWith("PUT", "/api/toolkits/"+tk.ID+"/items/en-hidden", nil, 404, nil, key(tk.Key))
	h.callWith("PUT", "/api/toolkits/"+tk.ID+"/items/bad.id", nil, 400, nil, key(tk.Key))
	h.callWith("PATCH", "/api/toolkits/"+tk.ID, map[string]string{"title": "Biology and physics"}, 200, &tk, key(tk.Key))
	var shared toolkitJSON
	h.call("GET", "/api/toolkits/"+tk.ID, "", nil, 200, &shared)
	if shared.Title != "Biology and physics" || len(shared.Items) != 2 || shared.Key != "" || shared.Edit != "" {
		t.Errorf("shared view %+v", shared)
	}
	h.call("GET", "/api/toolkits/nonexistent0000000000a", "", nil, 404, nil)

	code, md, hd := h.do("GET", "/api/toolkits/"+tk.ID+"/export?format=markdown", "", nil)
	if code != 200 || !strings.HasPrefix(hd.Get("Content-Type"), "text/markdown") {
		t.Fatalf("markdown export: %d %s", code, hd)
	}
	for _, want := range []string{"# Biology and physics", "> for week 1", "https://creativecommons.org/licenses/by/4.0/", "CC0", "El niño y la ciencia"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown export lacks %q:\n%s", want, md)
		}
	}
	code, html, _ := h.do("GET", "/api/toolkits/"+tk.ID+"/export?format=html", "", nil)
	if code != 200 || !strings.Contains(string(html), `rel="license`) || !strings.Contains(string(html), "<blockquote>for week 1</blockquote>") {
		t.Errorf("html export: %d\n%s", code, html)
	}
	var e apiError
	h.call("GET", "/api/toolkits/"+tk.ID+"/export?format=pdf", "", nil, 400, &e)
	if e.Param != "format" {
		t.Errorf("pdf: %+v", e)
	}
	h.callWith("DELETE", "/api/toolkits/"+tk.ID+"/items/en-photo", nil, 200, &tk, key(tk.Key))
	if len(tk.Items) != 1 {
		t.Errorf("after delete: %+v", tk.Items)
	}
}

func (h *harness) callWith(method, path string, body any, want int, v any, edit func(*http.Request)) {
	h.t.Helper()
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req, _ := http.NewRequestWithContext(h.t.Context(), method, h.ts.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	edit(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		h.t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			h.t.Fatal(err)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t)
	var health map[string]any
	h.call("GET", "/healthz", "", nil, 200, &health)
	if health["status"] != "ok" || health["records"].(float64) < 8 {
		t.Errorf("healthz = %v", health)
	}
	code, b, _ := h.do("GET", "/metrics", "", nil)
	if code != 200 || !strings.Contains(string(b), `orchard_http_requests_total{code="200",route="GET /healthz"}`) {
		t.Errorf("metrics: %d", code)
	}
}

// TestOpenAPI checks that every registered route is described, with its method, and that the
// wire types' fields are described with durations as strings.
func TestOpenAPI(t *testing.T) {
	h := newHarness(t)
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type string `json:"type"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	h.call("GET", "/api/openapi.json", "", nil, 200, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	for _, route := range h.srv.Routes() {
		method, path, _ := strings.Cut(route, " ")
		path = strings.TrimSuffix(path, "{$}")
		if path == "" {
			path = "/"
		}
		if path == "/static/" {
			path = "/static/{file}"
		}
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s: path %s not in openapi.json", route, path)
			continue
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("route %s: method not in openapi.json", route)
		}
	}
	for name, v := range map[string]any{"Source": Source{}, "Run": Run{}, "Progress": Progress{}} {
		props := doc.Components.Schemas[name].Properties
		for _, f := range reflect.VisibleFields(reflect.TypeOf(v)) {
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if _, ok := props[key]; !ok {
				t.Errorf("schema %s lacks %s", name, key)
			}
		}
	}
	for _, d := range []struct{ schema, field string }{{"Source", "pace"}, {"Progress", "eta"}} {
		if typ := doc.Components.Schemas[d.schema].Properties[d.field].Type; typ != "string" {
			t.Errorf("%s.%s is %q in openapi.json, want string", d.schema, d.field, typ)
		}
	}
}
