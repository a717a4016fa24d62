package attribution

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/orchard-oer/orchard/normalizer/text"
)

// Format is how a learner wrote an attribution.
type Format string

const (
	FormatText     Format = "text"
	FormatHTML     Format = "html"
	FormatMarkdown Format = "markdown"
)

// link is a hyperlink, or a URL printed in the text (then text is the URL itself).
type link struct {
	text, href string
}

// document is an attribution reduced to what a reader sees: its text, its links, the image
// sources (license buttons) and the spans set off as a title would be (quotes, italics).
type document struct {
	format Format
	text   string
	links  []link
	images []string
	spans  []string
}

var (
	htmlTagRe      = regexp.MustCompile(`(?i)<(a|p|span|div|em|i|b|strong|cite|q|br|img|small|figure|figcaption|li|ul|ol|section|article|script|style)\b[^>]*>`)
	mdLinkRe       = regexp.MustCompile(`(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	mdRefLinkRe    = regexp.MustCompile(`(!?)\[([^\]]+)\]\[([^\]]*)\]`)
	mdRefDefRe     = regexp.MustCompile(`(?m)^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$`)
	mdAutoLinkRe   = regexp.MustCompile(`<((?:https?://|www\.)[^>\s]+)>`)
	mdEmphasisRe   = regexp.MustCompile(`(^|[\s(\[])(?:\*{1,2}|_{1,2})([^*_\n]+?)(?:\*{1,2}|_{1,2})($|[\s.,;:!?)\]])`)
	printedURLRe   = regexp.MustCompile(`(?i)\b(?:https?://|www\.|(?:[a-z0-9-]+\.)+[a-z]{2,}/)[^\s<>"'«»“”‘’]*`)
	quotedSpanRe   = regexp.MustCompile(`"([^"\n]{2,200})"|“([^”\n]{2,200})”|„([^“”\n]{2,200})[“”]|«\s?([^»\n]{2,200}?)\s?»|‘([^’\n]{2,200})’|‹([^›\n]{2,200})›`)
	trailingPunct  = ".,;:!?)]}'\"’”»"
	markdownSignal = regexp.MustCompile(`\]\(|\]\[|^\s{0,3}\[[^\]]+\]:|(?:^|\s)(\*\*?|__?)\S`)
)

// maxSpans bounds the quoted and emphasised spans kept as title candidates: a credit has one title.
const maxSpans = 32

// parseDocument detects the format of s and reads it.
func parseDocument(s string) document {
	switch {
	case htmlTagRe.MatchString(s):
		return parseHTML(s)
	case markdownSignal.MatchString(s):
		return parseMarkdown(s)
	}
	d := document{format: FormatText, text: s}
	d.finish()
	return d
}

// finish adds the URLs printed in the text as links and the quoted spans.
func (d *document) finish() {
	for _, u := range printedURLRe.FindAllString(d.text, -1) {
		u = strings.TrimRight(u, trailingPunct)
		d.links = append(d.links, link{text: u, href: u})
	}
	for _, m := range quotedSpanRe.FindAllStringSubmatch(d.text, maxSpans) {
		for _, g := range m[1:] {
			if g != "" {
				d.spans = append(d.spans, g)
			}
		}
	}
}

// skipped are elements whose content a reader never sees as text.
var skipped = map[string]bool{"script": true, "style": true, "noscript": true, "template": true,
	"iframe": true, "object": true, "head": true, "title": true, "svg": true}

var blocks = map[string]bool{"p": true, "div": true, "br": true, "li": true, "figure": true,
	"figcaption": true, "section": true, "article": true, "tr": true, "td": true, "h1": true,
	"h2": true, "h3": true, "h4": true}

func parseHTML(s string) document {
	d := document{format: FormatHTML}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil { // html.Parse fails only on a failing reader; read the text as it stands
		d.format, d.text = FormatText, s
		d.finish()
		return d
	}
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			text.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipped[n.Data] {
				return
			}
			if blocks[n.Data] {
				text.WriteString("\n")
				defer text.WriteString("\n")
			}
			switch n.Data {
			case "img":
				if src := attr(n, "src"); src != "" {
					d.images = append(d.images, src)
				}
				if alt := attr(n, "alt"); alt != "" {
					text.WriteString(" " + alt + " ")
				}
			case "a", "i", "em", "cite", "q", "b", "strong":
				start := text.Len()
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				inner := strings.TrimSpace(text.String()[start:])
				if n.Data == "a" {
					if href := strings.TrimSpace(attr(n, "href")); webURL(href) {
						d.links = append(d.links, link{text: inner, href: href})
					}
				} else if inner != "" && len(d.spans) < maxSpans {
					d.spans = append(d.spans, inner)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	d.text = text.String()
	hrefs := d.links
	d.links = nil
	d.finish()
	d.links = append(hrefs, d.links...)
	return d
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// webURL keeps http(s) links and drops javascript:, mailto: and fragments.
func webURL(u string) bool {
	low := strings.ToLower(u)
	return strings.HasPrefix(low, "http://") || strings.HasPrefix(low, "https://") || strings.HasPrefix(low, "//")
}

func parseMarkdown(s string) document {
	d := document{format: FormatMarkdown}
	refs := map[string]string{}
	for _, m := range mdRefDefRe.FindAllStringSubmatch(s, -1) {
		refs[strings.ToLower(strings.TrimSpace(m[1]))] = m[2]
	}
	s = mdRefDefRe.ReplaceAllString(s, "")
	var hrefs []link
	s = mdLinkRe.ReplaceAllStringFunc(s, func(m string) string {
		g := mdLinkRe.FindStringSubmatch(m)
		return d.markdownLink(g[1] == "!", g[2], g[3], &hrefs)
	})
	s = mdRefLinkRe.ReplaceAllStringFunc(s, func(m string) string {
		g := mdRefLinkRe.FindStringSubmatch(m)
		key := g[3]
		if key == "" {
			key = g[2]
		}
		return d.markdownLink(g[1] == "!", g[2], refs[strings.ToLower(strings.TrimSpace(key))], &hrefs)
	})
	s = mdAutoLinkRe.ReplaceAllString(s, "$1")
	// Two passes: a match takes the space after it, which the next emphasis needs before it.
	for range 2 {
		for _, m := range mdEmphasisRe.FindAllStringSubmatch(s, maxSpans) {
			d.spans = append(d.spans, m[2])
		}
		s = mdEmphasisRe.ReplaceAllString(s, "$1$2$3")
	}
	d.text = strings.ReplaceAll(s, `\`, "")
	d.finish()
	d.links = append(hrefs, d.links...)
	return d
}

// markdownLink records one [text](href) and returns what a reader sees in its place. Printed
// URLs are found later in the text, so a link whose text is its own URL is not counted twice.
func (d *document) markdownLink(image bool, text, href string, hrefs *[]link) string {
	if image {
		d.images = append(d.images, href)
		return " " + text + " "
	}
	if webURL(href) && strings.TrimSpace(text) != href {
		*hrefs = append(*hrefs, link{text: text, href: href})
	}
	return text
}

// fold is text.Fold: curly quotes, dashes and italics markers never decide a match.
func fold(s string) string { return text.Fold(s) }

// containsWords reports whether the folded text holds the folded phrase on word boundaries.
func containsWords(text, phrase string) bool {
	if phrase == "" {
		return false
	}
	return strings.Contains(" "+text+" ", " "+phrase+" ")
}
