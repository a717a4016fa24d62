package web

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog/catalogtest"
)

type urlset struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

type sitemapIndex struct {
	Maps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func TestSitemap(t *testing.T) {
	var visible []string
	for _, r := range catalogtest.Fixtures() {
		if !r.Hidden {
			visible = append(visible, r.ID)
		}
	}
	slices.Sort(visible)
	fetch := func(h *harness, path string, v any) int {
		t.Helper()
		code, body, hdr := h.do(http.MethodGet, path, "", nil)
		if code == http.StatusOK {
			if !strings.HasPrefix(hdr.Get("Content-Type"), "application/xml") {
				t.Errorf("%s: content type %q", path, hdr.Get("Content-Type"))
			}
			if err := xml.Unmarshal(body, v); err != nil {
				t.Fatalf("%s: %v\n%s", path, err, body)
			}
		}
		return code
	}
	pages := func(h *harness, set urlset) []string {
		var ids []string
		for _, u := range set.URLs {
			id, ok := strings.CutPrefix(u.Loc, h.ts.URL+"/records/")
			if !ok || u.LastMod == "" {
				t.Errorf("sitemap entry %+v", u)
			}
			ids = append(ids, id)
		}
		return ids
	}

	// One sitemap while the catalog fits.
	h := newHarness(t)
	var one urlset
	if code := fetch(h, "/sitemap.xml", &one); code != http.StatusOK || !slices.Equal(pages(h, one), visible) {
		t.Errorf("sitemap: %d %v, want the visible records %v", code, pages(h, one), visible)
	}

	// An index of parts when it does not.
	h = newHarness(t, func(c *Config, _ *Deps) { c.SitemapSize = 3 })
	var idx sitemapIndex
	if code := fetch(h, "/sitemap.xml", &idx); code != http.StatusOK || len(idx.Maps) != (len(visible)+2)/3 {
		t.Fatalf("sitemap index: %d %+v, want parts of 3 for %d records", code, idx, len(visible))
	}
	var all []string
	for i, m := range idx.Maps {
		path := strings.TrimPrefix(m.Loc, h.ts.URL)
		var part urlset
		if code := fetch(h, path, &part); code != http.StatusOK || len(part.URLs) != min(3, len(visible)-3*i) {
			t.Errorf("%s: %d with %d pages", path, code, len(part.URLs))
		}
		all = append(all, pages(h, part)...)
	}
	if !slices.Equal(all, visible) {
		t.Errorf("parts list %v, want %v", all, visible)
	}
	for _, path := range []string{"/sitemaps/9.xml", "/sitemaps/0.xml", "/sitemaps/x.xml", "/sitemaps/1"} {
		if code := fetch(h, path, &urlset{}); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
}
