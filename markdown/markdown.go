// Package markdown writes the Markdown that Orchard hands out (attributions, toolkit exports)
// from text and URLs that harvested records and visitors supply. Text comes out as literal text
// on one line and links only to http(s) URLs, so that nothing supplied can add a link, an
// image, a heading, a list or raw HTML.
package markdown

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/orchard-oer/orchard/weburl"
)

// Text writes s as inline Markdown that renders as s: runs of white space, line breaks among
// them, become one space, and every character that could start Markdown syntax is escaped.
func Text(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(inline, c) >= 0,
			i == 0 && strings.IndexByte(lineStart, c) >= 0,
			(c == '.' || c == ')') && digitsBefore(s, i):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// inline are the characters escaped anywhere: emphasis, code, links, images, autolinks and
// HTML, entities, tables, strikethrough and headings.
const inline = "\\`*_[]()<>!&|~#"

// lineStart are escaped where a line begins: list items, block quotes and setext underlines.
const lineStart = "-+=>:"

// digitsBefore reports whether s[:i] is all digits, so that s[i] would make an ordered list
// item ("1." or "1)") at the start of a line.
func digitsBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	for j := range i {
		if s[j] < '0' || s[j] > '9' {
			return false
		}
	}
	return true
}

// Link writes a link to target with text as its words. A target that is not an absolute
// http(s) URL gives the text alone; an accepted one is written with spaces, parentheses,
// angle brackets and control characters percent-encoded, so it cannot end the link early,
// and with the semicolon of anything that reads as an HTML entity percent-encoded, since
// Markdown would read "&#64;" in a target as "@" and lead elsewhere than the URL checked.
func Link(text, target string) string {
	u, err := weburl.Mend(target)
	if err != nil {
		return Text(text)
	}
	if strings.TrimSpace(text) == "" {
		text = u
	}
	return "[" + Text(text) + "](" + entityRe.ReplaceAllString(u, "$1%3B") + ")"
}

// entityRe matches what a Markdown renderer decodes as an entity reference.
var entityRe = regexp.MustCompile(`(&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31}));`)

// Quote writes s as a block quote, line for line.
func Quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		if t := Text(l); t != "" {
			lines[i] = "> " + t
		} else {
			lines[i] = ">"
		}
	}
	return strings.Join(lines, "\n")
}
