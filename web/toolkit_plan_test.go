package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestToolkitPlan plans toolkits through the API and the page: which ones may be collected or
// adapted, the pair that clashes, the licenses an adaptation may carry, and the marking block.
func TestToolkitPlan(t *testing.T) {
	h := newHarness(t)
	newToolkit := func(records ...string) toolkitJSON {
		var items []map[string]string
		for _, r := range records {
			items = append(items, map[string]string{"record": r})
		}
		var tk toolkitJSON
		h.call("POST", "/api/toolkits", "", map[string]any{"title": "Plan", "items": items}, 201, &tk)
		return tk
	}
	plan := func(tk toolkitJSON, q string, want int) planJSON {
		var p planJSON
		h.call("GET", "/api/toolkits/"+tk.ID+"/plan"+q, "", nil, want, &p)
		return p
	}

	// CC BY and CC0 adapt under BY or BY-SA; the marking names both works.
	open := newToolkit("en-photo", "es-nino")
	p := plan(open, "", 200)
	if !p.Collection.Possible || !p.Adaptation.Possible || !slices.Contains(p.Adaptation.Licenses, "CC-BY-4.0") || !slices.Contains(p.Adaptation.Licenses, "CC-BY-SA-4.0") {
		t.Errorf("BY + CC0: %+v", p)
	}
	q := "?" + url.Values{"title": {"My lesson"}, "author": {"Kim"}, "license": {"CC BY-SA 4.0"}, "kind": {"adaptation"}}.Encode()
	p = plan(open, q, 200)
	for _, want := range []string{`"My lesson" by Kim is licensed under CC BY-SA 4.0`, "It adapts:", "Photosynthesis", "El niño"} {
		if !strings.Contains(p.Marking, want) {
			t.Errorf("marking lacks %q:\n%s", want, p.Marking)
		}
	}
	// ShareAlike: the adaptation keeps BY-SA (or goes one way to GPLv3), never NC.
	sa := newToolkit("de-zelle", "en-photo")
	if p := plan(sa, "", 200); !slices.Equal(p.Adaptation.Licenses, []string{"CC-BY-SA-4.0", "GPL-3.0-only", "GPL-3.0-or-later"}) {
		t.Errorf("BY-SA + BY may carry %v", p.Adaptation.Licenses)
	}
	var e apiError
	h.call("GET", "/api/toolkits/"+sa.ID+"/plan?title=x&license=CC-BY-NC-4.0", "", nil, 400, &e)
	if e.Param != "license" {
		t.Errorf("an NC license for a BY-SA adaptation: %+v", e)
	}

	// NC and ND: a collection, not an adaptation; the ND item blocks it.
	mixed := newToolkit("fr-educ", "en-cells")
	p = plan(mixed, "", 200)
	if !p.Collection.Possible || !slices.Equal(p.Collection.NonCommercial, []string{"fr-educ"}) {
		t.Errorf("NC + ND collection: %+v", p.Collection)
	}
	if p.Adaptation.Possible || len(p.Adaptation.Blockers) != 1 || p.Adaptation.Blockers[0].Record != "en-cells" {
		t.Errorf("NC + ND adaptation: %+v", p.Adaptation)
	}
	// All rights reserved: not even a collection.
	if p := plan(newToolkit("en-photo", "en-history"), "", 200); p.Collection.Possible || len(p.Collection.Blockers) != 1 {
		t.Errorf("with an all-rights-reserved item: %+v", p.Collection)
	}

	// The page shows both answers and writes the marking from its form.
	code, body, _ := h.do("GET", "/toolkits/"+open.ID+q, "", nil)
	if code != http.StatusOK {
		t.Fatalf("toolkit page: %d", code)
	}
	for _, want := range []string{`id="plan-collection"`, `id="plan-adaptation"`, `id="plan-marking"`, "It adapts:", `<option value="CC-BY-SA-4.0">`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("toolkit page lacks %q", want)
		}
	}
	// The exports carry the plan too.
	for _, format := range []string{"markdown", "html"} {
		code, body, _ := h.do("GET", "/api/toolkits/"+mixed.ID+"/export?format="+format, "", nil)
		if code != http.StatusOK || !strings.Contains(string(body), "Remix plan") || !strings.Contains(string(body), "As an adaptation: no.") {
			t.Errorf("%s export without the plan: %d\n%s", format, code, body)
		}
	}
	code, body, _ = h.do("GET", "/toolkits/"+mixed.ID+"?title=x&license=CC-BY-4.0&kind=adaptation", "", nil)
	if code != http.StatusOK || !strings.Contains(string(body), `class="error" role="alert"`) || strings.Contains(string(body), `id="plan-marking"`) {
		t.Errorf("a marking the toolkit does not allow: %d", code)
	}
}
