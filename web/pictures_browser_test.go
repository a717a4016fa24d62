package web

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// TestBrowserThumbnails shows results with a thumbnail and with a resource type icon, and
// license icons beside the labels, every picture loaded from Orchard itself.
func TestBrowserThumbnails(t *testing.T) {
	testenv.Slow(t, "Chromium")
	ctx := chrome(t)
	h := newHarness(t)
	withThumbs(t, h, "en-photo", "es-nino")
	base := h.ts.URL
	loaded := func(sel string) string {
		return `[...document.querySelectorAll('` + sel + `')].filter(i => i.complete && i.naturalWidth > 0).map(i => i.getAttribute('src') + ' ' + i.alt)`
	}
	do(t, ctx, "search results show pictures",
		chromedp.Navigate(base+"/?openness=any"),
		chromedp.WaitVisible(css(`.hit img.thumb`)),
		chromedp.Poll[chromedp.Void](`[...document.images].every(i => i.complete)`),
	)
	thumbs := value(t, ctx, "thumbnails", chromedp.Evaluate[[]string](loaded(`.hit img.thumb:not(.type-icon)`)))
	if len(thumbs) != 2 {
		t.Errorf("loaded thumbnails %q, want those of en-photo and es-nino", thumbs)
	}
	for _, want := range []string{"Photosynthesis in Green Plants", "El niño y la ciencia"} {
		found := false
		for _, th := range thumbs {
			found = found || len(th) > len(want) && th[len(th)-len(want):] == want
		}
		if !found {
			t.Errorf("no thumbnail with alt text %q in %q", want, thumbs)
		}
	}
	icons := value(t, ctx, "type icons", chromedp.Evaluate[[]string](loaded(`.hit img.type-icon`)))
	hits := value(t, ctx, "hits", chromedp.Evaluate[int](`document.querySelectorAll('.hit').length`))
	if len(icons) != hits-2 || len(icons) == 0 {
		t.Errorf("%d hits, type icons loaded: %q", hits, icons)
	}
	lic := value(t, ctx, "license icons", chromedp.Evaluate[int](`document.querySelectorAll('.badge img.lic-icon').length - `+
		`[...document.querySelectorAll('.badge img.lic-icon')].filter(i => i.complete && i.naturalWidth > 0).length`))
	if n := value(t, ctx, "license icon count", chromedp.Evaluate[int](`document.querySelectorAll('.badge img.lic-icon').length`)); n == 0 || lic != 0 {
		t.Errorf("%d license icons, %d of them not loaded", n, lic)
	}
	foreign := value(t, ctx, "foreign pictures", chromedp.Evaluate[[]string](`[...document.images].map(i => i.src).filter(s => !s.startsWith(location.origin))`))
	if len(foreign) != 0 {
		t.Errorf("pictures from elsewhere: %q", foreign)
	}
	shot(t, ctx, "search-thumbnails")
	do(t, ctx, "a record page shows its picture",
		chromedp.Navigate(base+"/records/en-photo"),
		chromedp.WaitVisible(css(`.record img.thumb`)),
		chromedp.Poll[chromedp.Void](`[...document.images].every(i => i.complete)`),
	)
	if got := value(t, ctx, "record thumbnail", chromedp.Evaluate[[]string](loaded(`.record img.thumb`))); len(got) != 1 {
		t.Errorf("record page thumbnails %q", got)
	}
	shot(t, ctx, "record-thumbnail")
}
