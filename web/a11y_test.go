package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/lab"
)

// notPages are the GET routes that answer something other than an HTML page: the API, files,
// feeds, downloads and the live progress stream.
var notPages = []string{"/api/", "/static/", "/thumbs/", "/metrics", "/healthz", "/charts/", "/sitemap", "/oai", "/export", "/csv", "/progress"}

// TestAccessibility runs axe-core in Chromium on every page Orchard serves, as a visitor, a
// learner in a class and a librarian, and fails on any serious or critical violation. A page
// route without an entry here fails the test, so that a new page cannot go unchecked.
func TestAccessibility(t *testing.T) {
	testenv.Slow(t, "Chromium")
	axe := testenv.Axe(t)
	ctx := chrome(t)
	h := newHarness(t)
	base := h.ts.URL

	h.call("POST", "/api/admin/sources", h.admin, map[string]any{"name": "demo", "type": "web", "url": "http://127.0.0.1:1/", "title": "Demo library"}, http.StatusCreated, nil)
	var run map[string]string
	h.call("POST", "/api/admin/sources/demo/run", h.librarian, nil, http.StatusAccepted, &run)
	var tk toolkitJSON
	h.call("POST", "/api/toolkits", "", map[string]any{"title": "Biology", "items": []map[string]string{{"record": "en-photo", "note": "for week 1"}}}, http.StatusCreated, &tk)
	var set lab.Set
	h.call("POST", "/api/lab/sets", h.librarian, labSetBody, http.StatusCreated, &set)
	var class lab.Class
	h.call("POST", "/api/lab/sets/"+set.ID+"/classes", h.librarian, nil, http.StatusCreated, &class)

	type page struct{ pattern, path string }
	visitor := []page{
		{"GET /{$}", "/"},
		{"GET /{$}", "/?q=cells&open=any"},
		{"GET /{$}", "/?q=nothing-matches-this"},
		{"GET /{$}", "/?q=cells&page=99"},
		{"GET /records/{id}", "/records/en-photo"},
		{"GET /records/{id}", "/records/en-history"},
		{"GET /records/{id}", "/records/no-such-record"},
		{"GET /toolkits/{id}", "/toolkits/" + tk.ID},
		{"GET /toolkits/{id}/{key}", strings.TrimPrefix(tk.Edit, base)},
		{"GET /lab", "/lab"},
		{"GET /login", "/login"},
		{"", "/no/such/page"},
	}
	staff := []page{
		{"GET /{$}", "/"},
		{"GET /records/{id}", "/records/en-photo"},
		{"GET /admin/{$}", "/admin/"},
		{"GET /admin/sources/new", "/admin/sources/new"},
		{"GET /admin/sources/{name}", "/admin/sources/demo"},
		{"GET /admin/runs", "/admin/runs"},
		{"GET /admin/runs/{id}", "/admin/runs/" + run["run_id"]},
		{"GET /admin/curation", "/admin/curation"},
		{"GET /admin/links", "/admin/links"},
		{"GET /lab", "/lab"},
		{"GET /lab/sets/{id}", "/lab/sets/" + set.ID},
		{"GET /lab/results/{code}", "/lab/results/" + class.Code},
	}

	checked := map[string]bool{"GET /lab/c/{code}": true} // checked below, after joining
	for _, p := range append(visitor, staff...) {
		checked[p.pattern] = true
	}
	for _, r := range h.srv.Routes() {
		if strings.HasPrefix(r, "GET ") && !checked[r] && !slices.ContainsFunc(notPages, func(s string) bool { return strings.Contains(r, s) }) {
			t.Errorf("page %s is not checked for accessibility: add it to TestAccessibility", r)
		}
	}

	// axe itself must find what it is there to find.
	if found := violations(t, ctx, axe, `data:text/html,<html lang="en"><title>t</title><main><img src="x.png"></main></html>`); len(found) == 0 {
		t.Fatal("axe-core found nothing wrong with an image without alt text")
	}
	for _, p := range visitor {
		accessible(t, ctx, axe, base, p.path)
	}
	do(t, ctx, "join a class",
		chromedp.Navigate(base+"/lab"),
		chromedp.WaitVisible(css(`#join-code`)),
		chromedp.SendKeys(css(`#join-code`), class.Code),
		chromedp.SendKeys(css(`#join-name`), "Kim"),
		chromedp.Submit(css(`#join-name`)),
		chromedp.WaitVisible(css(`#q1-license`)),
	)
	accessible(t, ctx, axe, base, "/lab/c/"+class.Code)
	do(t, ctx, "log in",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`#token`), h.librarian),
		chromedp.Submit(css(`#token`)),
		chromedp.WaitVisible(css(`table.sources`)),
	)
	for _, p := range staff {
		accessible(t, ctx, axe, base, p.path)
	}
}

// accessible loads a page in English and in German, runs axe-core on it and reports each
// serious or critical violation, and any common English word the German page shows.
func accessible(t *testing.T, ctx context.Context, axe, base, path string) {
	t.Helper()
	for _, code := range []string{"en", "de"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		for _, v := range violations(t, ctx, axe, base+path+sep+"locale="+code) {
			t.Errorf("%s (%s): %s", path, code, v)
		}
		if code == "de" {
			if words := englishWords(t, ctx); len(words) > 0 {
				t.Errorf("%s in German shows English: %q", path, words)
			}
		}
	}
}

// english are common English words that German text does not use.
var english = []string{"the", "and", "of", "with", "for", "is", "are", "this", "that", "you", "your", "not",
	"from", "which", "search", "found", "record", "records", "resources", "page", "show", "add", "save", "may",
	"must", "about", "than", "has", "have", "been", "yet", "here", "there", "what", "when", "how", "all", "none"}

// englishWords finds the common English words in the loaded page's visible text, leaving out
// what a page quotes from its data (marked translate="no": titles, names, descriptions), code
// and form fields.
func englishWords(t *testing.T, ctx context.Context) []string {
	t.Helper()
	text := value(t, ctx, "visible text", chromedp.Evaluate[string](`(() => {
		const body = document.body.cloneNode(true);
		body.querySelectorAll('[translate="no"], [lang], code, pre, kbd, samp, script, style, textarea, select, [hidden], .visually-hidden-data').forEach(e => e.remove());
		return body.textContent;
	})()`))
	// Each word found is reported in the words around it, to show where it is.
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' })
	var found []string
	seen := map[string]bool{}
	for i, w := range words {
		if w = strings.ToLower(w); slices.Contains(english, w) && !seen[w] {
			seen[w] = true
			found = append(found, strings.Join(words[max(0, i-4):min(len(words), i+5)], " "))
		}
	}
	return found
}

// violations loads a page and answers axe-core's serious and critical violations on it, each
// with the first elements it found.
func violations(t *testing.T, ctx context.Context, axe, url string) []string {
	t.Helper()
	do(t, ctx, "load "+url,
		chromedp.Navigate(url),
		chromedp.WaitReady(css(`main`)),
		chromedp.Evaluate[chromedp.Void](`typeof axe === "undefined" ? (0, eval)(`+jsString(axe)+`) : undefined`),
	)
	return value(t, ctx, "axe on "+url, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.slice(0, 3).map(n => n.target.join(" ") + " (" + n.failureSummary.replace(/\s+/g, " ") + ")").join("; ")))`,
		chromedp.EvalAwaitPromise))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a JSON string is a JavaScript string literal
	return string(b)
}

// TestKeyboard walks from search to a record to the toolkit with the keyboard alone, and checks
// that every element it stops on shows where the focus is and that the toolkit names the
// record's source by its title.
func TestKeyboard(t *testing.T) {
	testenv.Slow(t, "Chromium")
	ctx := chrome(t)
	h := newHarness(t)
	// The fixtures' records of source gamma; learners see its title, not its name.
	h.call("POST", "/api/admin/sources", h.admin, map[string]any{"name": "gamma", "type": "web", "url": "http://127.0.0.1:1/", "title": "Gamma Open Library"}, http.StatusCreated, nil)
	do(t, ctx, "open the search page", chromedp.Navigate(h.ts.URL+"/"), chromedp.WaitVisible(css(`#q`)))
	tabTo(t, ctx, `#q`)
	do(t, ctx, "type a query and press Enter", chromedp.KeyEvent("cells"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(css(`.hits .hit`)))
	tabTo(t, ctx, `.hits .hit h3 a`)
	title := value(t, ctx, "result", chromedp.Evaluate[string](`document.activeElement.textContent.trim()`))
	do(t, ctx, "open the record", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(css(`#toolkit-heading`)))
	tabTo(t, ctx, `#note`)
	do(t, ctx, "write a note", chromedp.KeyEvent("Week 3"))
	tabTo(t, ctx, `form[action="/toolkit/items"] button`)
	do(t, ctx, "save to the toolkit", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(css(`#edit-link`)))
	saved := value(t, ctx, "toolkit", chromedp.Text(css(`main`)))
	notes := value(t, ctx, "notes", chromedp.Evaluate[[]string](`[...document.querySelectorAll("main textarea")].map(n => n.value)`))
	if !strings.Contains(saved, title) || !slices.Contains(notes, "Week 3") || !strings.Contains(saved, "Source: Gamma Open Library") {
		t.Errorf("the toolkit does not hold %q with its note (notes %q):\n%s", title, notes, saved)
	}
}

// focused is what has the keyboard focus.
type focused struct {
	Match   bool   `json:"match"`   // it is the element sought
	Visible bool   `json:"visible"` // it shows a focus indicator
	What    string `json:"what"`    // the start of its markup
}

// tabTo presses Tab until the element matching sel has the focus, failing if forty presses do
// not reach it or if an element on the way shows no focus indicator.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	for range 40 {
		do(t, ctx, "Tab towards "+sel, chromedp.KeyEvent(kb.Tab))
		focus := value(t, ctx, "focus", chromedp.Evaluate[focused](`(() => { const el = document.activeElement;
			if (!el || el === document.body) return {what: "the page"};
			const s = getComputedStyle(el);
			return {match: el.matches(`+jsString(sel)+`), visible: s.outlineStyle !== "none" && s.outlineWidth !== "0px" || s.boxShadow !== "none",
				what: el.outerHTML.slice(0, 120)} })()`))
		if !focus.Visible && focus.What != "the page" {
			t.Errorf("no visible focus on %s", focus.What)
		}
		if focus.Match {
			return
		}
	}
	t.Fatalf("forty presses of Tab did not reach %s", sel)
}
