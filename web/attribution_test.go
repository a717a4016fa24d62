package web

import (
	"net/url"
	"strings"
	"testing"

	grade "github.com/orchard-oer/orchard/normalizer/attribution"
)

func TestAttributionCheckAPI(t *testing.T) {
	h := newHarness(t)
	good := `<p><a href="https://alpha.example/1">Photosynthesis in Green Plants</a> by Ada Lovelace, ` +
		`<a href="https://creativecommons.org/licenses/by/4.0/deed.de">CC BY 4.0</a><script>alert(1)</script></p>`
	var v grade.Verdict
	h.call("POST", "/api/attribution/check", "", map[string]any{"record": "en-photo", "text": good}, 200, &v)
	if !v.OK || !v.Title || !v.Author || !v.Source || !v.License || v.Modified != nil || len(v.Problems) != 0 {
		t.Errorf("good attribution of en-photo: %+v", v)
	}

	h.call("POST", "/api/attribution/check", "", map[string]any{"record": "en-photo", "adapted": true,
		"text": "Photosynthesis in Green Plants by Ada Lovelace, https://alpha.example/1, CC BY 4.0"}, 200, &v)
	if v.OK || v.License || v.Modified == nil || *v.Modified || len(v.Problems) != 2 {
		t.Errorf("adapted, no license link, no notice: %+v", v)
	}

	v = grade.Verdict{}
	h.call("POST", "/api/attribution/check", "", map[string]any{"title": "Leaves", "authors": []string{"Sam Lee"},
		"url": "https://example.org/leaves", "license": "CC-BY-NC-4.0",
		"text": `"Leaves" by Sam Lee, https://example.org/leaves, https://creativecommons.org/licenses/by-nc/4.0/`}, 200, &v)
	if !v.OK {
		t.Errorf("facts without a record: %+v", v)
	}

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		param  string
	}{
		{"unknown record", map[string]any{"record": "missing", "text": "x"}, 404, ""},
		{"bad record id", map[string]any{"record": "bad.id", "text": "x"}, 400, "record"},
		{"no license", map[string]any{"title": "T", "text": "x"}, 400, "license"},
		{"unknown license", map[string]any{"license": "CC-XYZ-9.0", "text": "x"}, 400, "license"},
		{"too large", map[string]any{"record": "en-photo", "text": strings.Repeat("a", 70<<10)}, 413, "text"},
		{"unknown field", map[string]any{"record": "en-photo", "text": "x", "colour": "red"}, 400, "body"},
	} {
		var e apiError
		h.call("POST", "/api/attribution/check", "", tc.body, tc.status, &e)
		if e.Error == "" || e.Param != tc.param {
			t.Errorf("%s: error %+v, want param %q", tc.name, e, tc.param)
		}
	}
}

func TestCheckMyAttributionBox(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	tok := b.csrf("/records/en-photo")
	const path = "/records/en-photo/attribution"
	code, body, _ := b.post(path, url.Values{"csrf": {tok}, "adapted": {"1"},
		"text": {`Photosynthesis in Green Plants by Ada Lovelace, https://alpha.example/1, CC BY 4.0 <script>alert("x")</script>`}})
	if code != 200 {
		t.Fatalf("check: %d", code)
	}
	for _, want := range []string{"Not correct yet.", "<strong>License</strong>: wrong: the license is not linked",
		"<strong>Changes</strong>: missing", "<strong>Title</strong>: correct", "checked", "&lt;script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, `<script>alert("x")`) {
		t.Error("the learner's script is echoed unescaped")
	}
	_, body, _ = b.post(path, url.Values{"csrf": {tok}, "text": {`<a href="https://alpha.example/1">Photosynthesis in Green Plants</a> by Ada Lovelace, <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>`}})
	if !strings.Contains(body, "Correct.") || !strings.Contains(body, `class="verdict ok"`) {
		t.Error("a correct attribution is not called correct")
	}
	_, body, _ = b.post(path, url.Values{"csrf": {tok}, "text": {strings.Repeat("a", 70<<10)}})
	if !strings.Contains(body, "at most 64 KiB") {
		t.Error("a 70 KiB attribution is not refused clearly")
	}
	if code, _, _ := b.post(path, url.Values{"text": {"x"}}); code != 403 {
		t.Errorf("without the CSRF token: %d, want 403", code)
	}
	if code, _, _ := b.post("/records/missing/attribution", url.Values{"csrf": {tok}, "text": {"x"}}); code != 404 {
		t.Errorf("unknown record: %d, want 404", code)
	}
}
