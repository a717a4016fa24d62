package remix

import (
	"testing"

	"github.com/orchard-oer/orchard/internal/mdtest"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// A marking in Markdown holds no heading and no link but to http(s) URLs, whatever the
// titles, names and URLs of the learner's work and of the items.
func TestMarkingHostile(t *testing.T) {
	for _, h := range mdtest.Hostile {
		items := []Item{
			{Title: h, Author: h, SourceURL: h, License: "CC-BY-4.0"},
			{Title: "Cells", Author: "Ada", SourceURL: "https://example.org/cells", License: "CC-BY-SA-4.0"},
		}
		own := Own{Title: h, Author: h, URL: h, License: "CC-BY-SA-4.0", Kind: KindAdaptation}
		md, err := Marking(own, items, license.FormatMarkdown)
		if err != nil {
			t.Fatal(err)
		}
		mdtest.Check(t, md, mdtest.Shape{Links: 6})
	}
}
