package license

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/mdtest"
)

// Hostile titles, names and URLs from harvested records come out of a Markdown attribution
// as text and http(s) links only, and out of the HTML one as escaped text and http(s) hrefs.
func TestAttributeHostile(t *testing.T) {
	by, _ := Lookup("CC-BY-4.0")
	unknown := Tool{ID: "LicenseRef-x", Label: "x", URL: "javascript:alert(1)"}
	href := regexp.MustCompile(`href="([^"]*)"`)
	for _, h := range mdtest.Hostile {
		for _, w := range []Work{
			{Title: h, Author: h, AuthorURL: h, SourceURL: h},
			{Title: "Photosynthesis", Author: "Ada", AuthorURL: "https://example.org/ada", SourceURL: h},
			{Title: h, SourceURL: "https://example.org/work"},
		} {
			for _, tool := range []Tool{by, unknown} {
				mdtest.Check(t, Attribute(w, tool, FormatMarkdown), mdtest.Shape{Links: 3})
				out := Attribute(w, tool, FormatHTML)
				if strings.Contains(out, "<script") || strings.ContainsAny(out, "\r\n") {
					t.Errorf("HTML attribution %q", out)
				}
				for _, m := range href.FindAllStringSubmatch(out, -1) {
					if u := html.UnescapeString(m[1]); !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
						t.Errorf("HTML attribution links to %q", u)
					}
				}
			}
		}
	}
}
