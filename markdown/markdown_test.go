package markdown

import (
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/mdtest"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CC BY-SA 4.0", "CC BY-SA 4.0"},
		{"  Photosynthesis\n\n  basics ", "Photosynthesis basics"},
		{"# not a heading", `\# not a heading`},
		{"- not a list", `\- not a list`},
		{"1. not a list", `1\. not a list`},
		{"2024. A year", `2024\. A year`},
		{"[x](javascript:y)", `\[x\]\(javascript:y\)`},
		{"a <b> & c", `a \<b\> \& c`},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLink(t *testing.T) {
	for _, tc := range []struct{ text, target, want string }{
		{"Work", "https://example.org/a b", "[Work](https://example.org/a%20b)"},
		{"Work", "http://example.org/a) [CLICK](javascript:alert(1)) (", "[Work](http://example.org/a%29%20%5BCLICK%5D%28javascript:alert%281%29%29%20%28)"},
		{"Work", "javascript:alert(1)", "Work"},
		{"", "https://example.org/", `[https://example.org/](https://example.org/)`},
	} {
		if got := Link(tc.text, tc.target); got != tc.want {
			t.Errorf("Link(%q, %q) = %q, want %q", tc.text, tc.target, got, tc.want)
		}
	}
}

// Hostile titles and URLs render, in a real Markdown renderer, as text and at most one
// http(s) link: no heading, list, image, HTML or other link.
func TestHostileRenderHarmless(t *testing.T) {
	for _, h := range mdtest.Hostile {
		for _, other := range mdtest.Hostile {
			mdtest.Check(t, Text(h), mdtest.Shape{})
			mdtest.Check(t, "Before "+Link(h, other)+" after", mdtest.Shape{Links: 1})
			mdtest.Check(t, Quote(h+"\n"+other), mdtest.Shape{})
		}
	}
	if got := Quote("a\n\n# b"); got != "> a\n>\n> \\# b" {
		t.Errorf("Quote = %q", got)
	}
}

// FuzzLink checks that no text or target makes more than the one link, or a link that is not
// http(s), or a heading, image or HTML.
func FuzzLink(f *testing.F) {
	for _, h := range mdtest.Hostile {
		f.Add(h, h)
	}
	f.Fuzz(func(t *testing.T, text, target string) {
		md := "# Title\n\n" + Link(text, target) + " " + Text(text) + "\n\n" + Quote(text)
		mdtest.Check(t, md, mdtest.Shape{Headings: 1, Links: 1})
		if strings.Contains(Text(text), "\n") {
			t.Fatalf("Text(%q) has a line break", text)
		}
	})
}
