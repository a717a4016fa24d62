package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/mdtest"
	"github.com/orchard-oer/orchard/toolkit"
)

// A toolkit of records with hostile titles, creators, landing and license URLs, with hostile
// notes and title, exports as Markdown with one heading per resource and links only to
// http(s) URLs, and as HTML with no script and http(s) hrefs only. Records loaded by import
// never passed the normalizer, so the export cannot rely on it.
func TestExportHostile(t *testing.T) {
	var entries []toolkitEntry
	for i, h := range mdtest.Hostile {
		rec := catalog.Record{ID: "r" + string(rune('a'+i)), Title: h, URL: h, Creators: []string{h, "Ada"},
			License: catalog.License{ID: "LicenseRef-x", Label: h, URL: h}}
		entries = append(entries, toolkitEntry{Item: toolkit.Item{Record: rec.ID, Note: h}, Rec: &rec, Attr: attributionOf(&rec, "en", "and")})
		entries = append(entries, toolkitEntry{Item: toolkit.Item{Record: h, Note: h}, Missing: true})
	}
	tk := &toolkit.Toolkit{ID: "t1", Title: mdtest.Hostile[2]}
	md, err := renderExport("markdown", tk, entries, planViewOf(nil, entries))
	if err != nil {
		t.Fatal(err)
	}
	// The title, one heading a resource and the remix plan's.
	mdtest.Check(t, string(md), mdtest.Shape{Headings: 1 + len(entries) + 1, Links: 4 * len(entries)})

	page, err := renderExport("html", tk, entries, planViewOf(nil, entries))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), "<script") {
		t.Errorf("script in the HTML export")
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(string(page), -1) {
		if !strings.HasPrefix(m[1], "http://") && !strings.HasPrefix(m[1], "https://") && m[1] != "#ZgotmplZ" {
			t.Errorf("HTML export links to %q", m[1])
		}
	}
}
