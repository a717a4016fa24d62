// Package mdtest renders Markdown that Orchard writes with a real CommonMark renderer
// (goldmark) and checks that text supplied by records or visitors added nothing to it. It is
// for tests only.
package mdtest

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Hostile are titles, names and URLs that try to break out of Markdown.
var Hostile = []string{
	"http://example.org/a) [CLICK](javascript:alert(1)) (",
	"http://example.org/a\n\n# Injected\n\n[x](javascript:alert(1))",
	"Title ](javascript:alert(1)) *bold* #tag\n# Injected heading\n===\n- item\n1. item\n<script>alert(1)</script>",
	"![img](http://evil.example/x.png) <javascript:alert(1)> &#106;avascript:alert(1) `code`",
	"javascript:alert(1)",
	"http://example.org/a\u2028# Injected\r\n> quoted",
}

// Shape is what a rendered document may hold.
type Shape struct {
	Headings int // exactly this many
	Links    int // at most this many, each to an http(s) URL
}

var (
	hrefRe   = regexp.MustCompile(`(?i)\b(?:href|src)="([^"]*)"`)
	scriptRe = regexp.MustCompile(`(?i)^\s*(?:javascript|vbscript|data|file):`)
)

// Check renders md, with and without GitHub's extensions, and fails t when it holds a link
// or autolink that is not http(s), an image, raw HTML, more links or other headings than
// want allows. With GitHub's extensions, URLs and mail addresses written as text become links
// too: those are not counted, and only script-running targets fail.
func Check(t testing.TB, md string, want Shape) {
	t.Helper()
	for name, g := range map[string]goldmark.Markdown{"commonmark": goldmark.New(), "gfm": goldmark.New(goldmark.WithExtensions(extension.GFM))} {
		src := []byte(md)
		doc := g.Parser().Parse(text.NewReader(src))
		var headings, links int
		err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n := n.(type) {
			case *ast.Heading:
				headings++
			case *ast.Link:
				links++
				checkURL(t, name, string(n.Destination), md)
			case *ast.AutoLink:
				if name == "gfm" {
					// GitHub's renderer links URLs and addresses written as plain text: they
					// show what they lead to, but must not run anything.
					if n.AutoLinkType == ast.AutoLinkURL && scriptRe.MatchString(string(n.URL(src))) {
						t.Errorf("%s: autolink to %q in\n%s", name, n.URL(src), md)
					}
					break
				}
				links++
				checkURL(t, name, string(n.URL(src)), md)
			case *ast.Image:
				t.Errorf("%s: an image in\n%s", name, md)
			case *ast.RawHTML, *ast.HTMLBlock:
				t.Errorf("%s: raw HTML in\n%s", name, md)
			}
			return ast.WalkContinue, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if headings != want.Headings {
			t.Errorf("%s: %d headings, want %d, in\n%s", name, headings, want.Headings, md)
		}
		if links > want.Links {
			t.Errorf("%s: %d links, want at most %d, in\n%s", name, links, want.Links, md)
		}
		var html bytes.Buffer
		if err := g.Convert(src, &html); err != nil {
			t.Fatal(err)
		}
		for _, m := range hrefRe.FindAllStringSubmatch(html.String(), -1) {
			if name == "gfm" {
				if scriptRe.MatchString(m[1]) {
					t.Errorf("%s html: link to %q in\n%s", name, m[1], md)
				}
				continue
			}
			checkURL(t, name+" html", m[1], md)
		}
	}
}

// checkURL fails t unless target is an absolute http(s) URL as a browser reads it.
func checkURL(t testing.TB, where, target, md string) {
	t.Helper()
	u, err := url.Parse(target)
	lower := strings.ToLower(target)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") || err == nil && u.Host == "" {
		t.Errorf("%s: link to %q in\n%s", where, target, md)
	}
}
