package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// acceptLanguage makes the browser ask for pages in lang, as a learner's browser set to it does.
func acceptLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return err
	})
}

// TestBrowserSubjectTree walks the subject tree as a learner: broad fields in German, a branch
// opened, a detailed field chosen, and the same tree in Spanish.
func TestBrowserSubjectTree(t *testing.T) {
	testenv.Slow(t, "Chromium")
	ctx := chrome(t)
	h := newHarness(t)
	tree := `.facet[data-facet="field"] > .tree`
	visible := func(step, notation string) bool {
		return value(t, ctx, step, chromedp.Evaluate[bool](`(() => { const a = document.querySelector('`+tree+` a[data-value="`+notation+`"]'); return !!a && a.checkVisibility() })()`))
	}
	do(t, ctx, "a German learner opens the search page",
		acceptLanguage("de-DE,de;q=0.9"),
		chromedp.Navigate(h.ts.URL+"/?openness=any"),
		chromedp.WaitVisible(css(tree)),
	)
	broad := value(t, ctx, "broad fields", chromedp.Evaluate[[]string](`[...document.querySelectorAll('`+tree+` > li > a')].map(a => a.textContent + ' ' + a.nextElementSibling.textContent)`))
	if strings.Join(broad, "|") != "Pädagogik 1|Kunst und Geisteswissenschaften 1|Naturwissenschaften, Mathematik und Statistik 4|Landwirtschaft, Forstwirtschaft, Fischerei und Tiermedizin 1" {
		t.Errorf("broad fields = %q", broad)
	}
	if visible("narrow field hidden", "051") {
		t.Errorf("narrow fields shown before their broad field is opened")
	}
	names := value(t, ctx, "toggle names", chromedp.Evaluate[[]string](`[...document.querySelectorAll('`+tree+` summary')].map(s => s.textContent.trim())`))
	for _, n := range names {
		if !strings.HasPrefix(n, "Engere Fachgebiete von ") {
			t.Errorf("a toggle is named %q", n)
		}
	}
	do(t, ctx, "open natural sciences and biology with the keyboard",
		chromedp.Focus(css(tree+` > li:has(> a[data-value="05"]) > details > summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(css(tree+` a[data-value="051"]`)),
		chromedp.Focus(css(tree+` li:has(> a[data-value="051"]) > details > summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(css(tree+` a[data-value="0511"]`)),
	)
	do(t, ctx, "choose biology",
		chromedp.Click(css(tree+` a[data-value="0511"]`)),
		chromedp.WaitVisible(css(tree+` a.on[data-value="0511"]`)),
	)
	if n := value(t, ctx, "hits", chromedp.Evaluate[int](`document.querySelectorAll('.hits .hit').length`)); n != 3 {
		t.Errorf("biology shows %d records, want 3", n)
	}
	if !visible("chosen field shown", "0511") {
		t.Errorf("the chosen field's branch is not open")
	}
	shot(t, ctx, "search-subjects")
	do(t, ctx, "a Spanish learner sees the same tree in Spanish",
		acceptLanguage("es"),
		chromedp.Reload(),
		chromedp.WaitVisible(css(tree+` a.on[data-value="0511"]`)),
	)
	if got := value(t, ctx, "Spanish label", chromedp.Evaluate[string](`document.querySelector('`+tree+` a[data-value="0511"]').firstChild.textContent`)); got != "Biología" {
		t.Errorf("biology in Spanish = %q", got)
	}
	if got := value(t, ctx, "Spanish broad label", chromedp.Evaluate[string](`document.querySelector('`+tree+` a[data-value="05"]').textContent`)); got != "Ciencias naturales, matemáticas y estadística" {
		t.Errorf("natural sciences in Spanish = %q", got)
	}
}
