package site

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/weburl"
)

// Where a rights statement was found; the values of harvester.Rights.From.
const (
	FromLinkRel    = "link[rel=license]"
	FromARel       = "a[rel=license]"
	FromJSONLD     = "json-ld license"
	FromUseRights  = "json-ld useRightsUrl"
	FromMicrodata  = "microdata license"
	FromRDFa       = "rdfa "      // followed by the property, e.g. "rdfa cc:license"
	FromMeta       = "meta "      // followed by the lower-cased name, e.g. "meta dc.rights"
	FromCommons    = "commons "   // followed by the class, e.g. "commons licensetpl_link"
	FromBadge      = "img badge"  // a Creative Commons button image
	FromCCLink     = "a[href] cc" // a plain link to a Creative Commons tool, without rel=license
	FromText       = "text"       // a statement in the visible text
	maxValue       = 2048         // longest rights value or text kept
	maxField       = 8192         // longest title, description or other field kept
	maxDepth       = 512          // deeper elements are not looked at
	maxJSONLDDepth = 24           // nesting followed inside one JSON-LD document
	maxLinks       = 10000        // links kept per page for crawling
)

// HTMLTypes are the media types parsed as pages.
var HTMLTypes = []string{"text/html", "application/xhtml+xml"}

// Extract reads one HTML page into a raw record: its license signals with where they were
// found and what they are about, and its descriptive metadata. It does no I/O. contentType is
// the HTTP Content-Type, used for its charset; it may be empty.
func Extract(pageURL string, body []byte, contentType string) (harvester.Record, error) {
	p, err := extract(pageURL, body, contentType)
	if err != nil {
		return harvester.Record{}, err
	}
	return p.Record, nil
}

// page is what one parse of a page yields.
type page struct {
	Record   harvester.Record
	Links    []string // absolute a[href] targets, fragments stripped
	Encoding Encoding
}

func extract(pageURL string, body []byte, contentType string) (*page, error) {
	base, err := weburl.Parse(pageURL)
	if err != nil {
		return nil, harvester.E(harvester.KindInvalid, "extract "+pageURL, err)
	}
	text, enc := decode(body, contentType)
	doc, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		// The parser refuses pathological nesting; read the page again with the excess
		// elements dropped rather than lose it.
		doc, err = html.Parse(bytes.NewReader(flatten(text)))
		if err != nil {
			return nil, harvester.E(harvester.KindInvalid, "parse html "+pageURL, err)
		}
	}
	x := &extractor{base: base, wayback: isWayback(base)}
	x.walk(doc, ctx{}, 0)
	r := x.record(pageURL)
	return &page{Record: r, Links: x.links, Encoding: enc}, nil
}

// region is where in the page an element sits, which decides what its statements are about.
type region int

const (
	regionNone region = iota
	regionMain        // main, article: the content itself
	regionSite        // footer, header, nav, aside: the site around the content
	regionPart        // figure, figcaption: a part of the content, such as an image
)

type ctx struct {
	region  region
	pre     bool // inside pre or code: text is content, not a statement
	license bool // inside a link that is itself a license signal: its text is that signal's
}

type extractor struct {
	base    *url.URL
	wayback bool
	rights  []harvester.Rights
	seen    map[harvester.Rights]bool
	links   []string
	linkSet map[string]bool

	htmlLang, title, h1 string
	og, meta            map[string]string // og:/article: properties; lower-cased meta names
	canonical           string
	images              []string // microdata image and thumbnailUrl, resolved
	ld                  ldInfo
	ccLinkParents       map[*html.Node]bool
	textCandidates      []textCandidate
}

type textCandidate struct {
	node   *html.Node
	rights harvester.Rights
}

func (x *extractor) add(r harvester.Rights) {
	r.Value = clip(collapse(r.Value), maxValue)
	r.Text = clip(collapse(r.Text), maxValue)
	if r.Value == "" {
		return
	}
	if x.seen == nil {
		x.seen = map[harvester.Rights]bool{}
	}
	if x.seen[r] {
		return
	}
	x.seen[r] = true
	x.rights = append(x.rights, r)
}

func (x *extractor) walk(n *html.Node, c ctx, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.ElementNode:
		c = x.element(n, c)
		switch n.DataAtom {
		case atom.Script:
			if isJSONLD(n) {
				x.ld.parse(nodeText(n), x)
			}
			return // script strings are never statements
		case atom.Style, atom.Noscript, atom.Template, atom.Textarea, atom.Iframe:
			return
		}
	case html.TextNode:
		if !c.pre && !c.license {
			x.textNode(n, c)
		}
		return
	case html.CommentNode, html.DoctypeNode:
		return // a license URL inside a comment is not a statement
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		x.walk(ch, c, depth+1)
	}
}

// element reads one element's signals and returns the context for its children.
func (x *extractor) element(n *html.Node, c ctx) ctx {
	c.region = childRegion(n, c.region)
	switch n.DataAtom {
	case atom.Html:
		x.htmlLang = attr(n, "lang")
		if x.htmlLang == "" {
			x.htmlLang = attr(n, "xml:lang")
		}
	case atom.Title:
		if x.title == "" {
			x.title = nodeText(n)
		}
	case atom.H1:
		if x.h1 == "" {
			x.h1 = nodeText(n)
		}
	case atom.Meta:
		x.metaTag(n)
	case atom.Link:
		rel := tokens(attr(n, "rel"))
		if rel["canonical"] && x.canonical == "" {
			x.canonical = x.resolve(attr(n, "href"))
		}
		if rel["license"] {
			if href := attr(n, "href"); href != "" {
				x.add(harvester.Rights{From: FromLinkRel, Value: x.resolveLicense(href), Scope: scopeOf(c.region, harvester.ScopeResource)})
			}
		}
	}
	declared := x.microdata(n, c)
	declared = x.rdfa(n, c) || declared
	x.commons(n, c)
	switch n.DataAtom {
	case atom.A, atom.Area:
		c.license = x.anchor(n, c, declared) || c.license
	case atom.Img:
		x.image(n, c)
	case atom.Pre, atom.Code:
		c.pre = true
	}
	return c
}

// anchor reads a link, and reports whether it was a license signal. declared says that its
// microdata or RDFa already made it one.
func (x *extractor) anchor(n *html.Node, c ctx, declared bool) bool {
	href := strings.TrimSpace(attr(n, "href"))
	if href == "" {
		return declared
	}
	abs := x.resolve(href)
	if n.DataAtom == atom.A && abs != "" {
		x.link(abs)
	}
	if declared {
		x.markLicenseLink(n)
		return true
	}
	if tokens(attr(n, "rel"))["license"] {
		x.add(harvester.Rights{From: FromARel, Value: x.resolveLicense(href), Text: nodeText(n), Scope: scopeOf(c.region, harvester.ScopeResource)})
		x.markLicenseLink(n)
		return true
	}
	if v := x.resolveLicense(href); license.IsToolURL(v) {
		x.add(harvester.Rights{From: FromCCLink, Value: v, Text: nodeText(n), Scope: scopeOf(c.region, harvester.ScopeSite)})
		x.markLicenseLink(n)
		return true
	}
	return false
}

// markLicenseLink notes the elements around a license link: a text statement beside the link
// says the same, and the link is the better evidence.
func (x *extractor) markLicenseLink(n *html.Node) {
	if x.ccLinkParents == nil {
		x.ccLinkParents = map[*html.Node]bool{}
	}
	for p, i := n.Parent, 0; p != nil && i < 3; p, i = p.Parent, i+1 {
		x.ccLinkParents[p] = true
	}
}

func (x *extractor) link(abs string) {
	if len(x.links) >= maxLinks {
		return
	}
	if i := strings.IndexByte(abs, '#'); i >= 0 {
		abs = abs[:i]
	}
	if _, err := weburl.Parse(abs); err != nil {
		return
	}
	if x.linkSet == nil {
		x.linkSet = map[string]bool{}
	}
	if !x.linkSet[abs] {
		x.linkSet[abs] = true
		x.links = append(x.links, abs)
	}
}

func (x *extractor) image(n *html.Node, c ctx) {
	src := attr(n, "src")
	if isBadge(src) {
		x.add(harvester.Rights{From: FromBadge, Value: x.resolve(src), Text: attr(n, "alt"), Scope: scopeOf(c.region, harvester.ScopeSite)})
	}
	if alt := attr(n, "alt"); alt != "" && !c.pre && !c.license {
		x.textStatement(n, alt, c)
	}
}

func (x *extractor) metaTag(n *html.Node) {
	name := strings.ToLower(strings.TrimSpace(attr(n, "name")))
	prop := strings.ToLower(strings.TrimSpace(attr(n, "property")))
	content, ok := attrOK(n, "content")
	if !ok {
		content = attr(n, "value") // some captures and CMSs write value= instead of content=
	}
	if equiv := strings.ToLower(attr(n, "http-equiv")); equiv == "content-language" && name == "" {
		name = "content-language"
	}
	if x.meta == nil {
		x.meta, x.og = map[string]string{}, map[string]string{}
	}
	if name != "" {
		if license.IsMetaName(name) {
			x.add(harvester.Rights{From: FromMeta + name, Value: content, Scope: harvester.ScopeResource})
		}
		if _, dup := x.meta[name]; !dup {
			x.meta[name] = content
		}
	}
	if prop != "" {
		if license.IsMetaName(prop) {
			x.add(harvester.Rights{From: FromMeta + prop, Value: content, Scope: harvester.ScopeResource})
		}
		if _, dup := x.og[prop]; !dup {
			x.og[prop] = content
		}
	}
}

// microdata reads itemprop="license", and itemprop="image" or "thumbnailUrl" as pictures.
func (x *extractor) microdata(n *html.Node, c ctx) bool {
	props := tokens(attr(n, "itemprop"))
	if props["thumbnailurl"] || props["image"] {
		for _, k := range []string{"src", "href", "content"} {
			if u := x.resolve(attr(n, k)); u != "" {
				x.images = append(x.images, u)
				break
			}
		}
	}
	if !props["license"] {
		return false
	}
	x.add(harvester.Rights{From: FromMicrodata, Value: x.propValue(n), Scope: scopeOf(c.region, harvester.ScopeResource)})
	return true
}

// rdfaLicense are the RDFa terms for a license, in rel or property.
var rdfaLicense = []string{"cc:license", "dct:license", "dcterms:license", "dc:license", "xhv:license"}

func (x *extractor) rdfa(n *html.Node, c ctx) bool {
	rel, prop := tokens(attr(n, "rel")), tokens(attr(n, "property"))
	found := false
	for _, term := range rdfaLicense {
		if rel[term] || prop[term] {
			x.add(harvester.Rights{From: FromRDFa + term, Value: x.propValue(n), Scope: scopeOf(c.region, harvester.ScopeResource)})
			found = true
		}
	}
	return found
}

// propValue is the value of a microdata or RDFa property on n.
func (x *extractor) propValue(n *html.Node) string {
	for _, k := range []string{"href", "resource", "src", "content"} {
		if v, ok := attrOK(n, k); ok && strings.TrimSpace(v) != "" {
			if k == "content" {
				return v
			}
			return x.resolveLicense(v)
		}
	}
	return nodeText(n)
}

// commons reads the machine-readable license spans of Wikimedia Commons file pages
// (class licensetpl_link, licensetpl_short, licensetpl_long).
func (x *extractor) commons(n *html.Node, c ctx) {
	class := attr(n, "class")
	if !strings.Contains(class, "licensetpl_") {
		return
	}
	for _, cl := range strings.Fields(class) {
		switch cl {
		case "licensetpl_link", "licensetpl_short", "licensetpl_long":
			x.add(harvester.Rights{From: FromCommons + cl, Value: nodeText(n), Scope: scopeOf(c.region, harvester.ScopeResource)})
		}
	}
}

func (x *extractor) textNode(n *html.Node, c ctx) {
	if len(n.Data) < 8 {
		return
	}
	x.textStatement(n, n.Data, c)
}

// textStatement looks for a rights statement in visible text: "All rights reserved" and its
// translations, and license sentences naming a Creative Commons license.
func (x *extractor) textStatement(n *html.Node, s string, c ctx) {
	low := strings.ToLower(s)
	if hasAny(low, reservedPhrases) {
		x.add(harvester.Rights{From: FromText, Value: sentence(s, reservedPhrases), Scope: scopeOf(c.region, harvester.ScopeSite)})
		return
	}
	if hasAny(low, licensePhrases) && hasAny(low, ccNames) {
		x.textCandidates = append(x.textCandidates, textCandidate{node: n.Parent,
			rights: harvester.Rights{From: FromText, Value: sentence(s, licensePhrases), Scope: scopeOf(c.region, harvester.ScopeSite)}})
	}
}

var (
	reservedPhrases = []string{"all rights reserved", "all right reserved", "alle rechte vorbehalten",
		"todos los derechos reservados", "tous droits réservés", "tutti i diritti riservati",
		"todos os direitos reservados", "alle rechten voorbehouden", "版权所有", "版權所有", "無断転載"}
	licensePhrases = []string{"licensed under", "licenced under", "lizenziert unter", "available under",
		"veröffentlicht unter", "steht unter", "unter der lizenz", "unter einer", "creative commons namensnennung",
		"creative commons attribution", "distributed under", "license:", "lizenz:"}
	ccNames = []string{"cc by", "cc-by", "cc0", "creative commons", "cc zero", "public domain"}
)

// sentence cuts the sentence holding the first phrase out of s (at most maxValue bytes).
func sentence(s string, phrases []string) string {
	s = collapse(s)
	if len(s) <= 200 {
		return s
	}
	low := strings.ToLower(s)
	at := -1
	for _, p := range phrases {
		if i := strings.Index(low, p); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return clip(s, 200)
	}
	start := max(0, at-120)
	end := min(len(s), at+200)
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	return strings.TrimSpace(s[start:end])
}

func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// childRegion is the region of n's children given the region of n.
func childRegion(n *html.Node, r region) region {
	if r == regionPart {
		return r
	}
	switch n.DataAtom {
	case atom.Figure, atom.Figcaption:
		return regionPart
	case atom.Main, atom.Article:
		if r == regionNone {
			return regionMain
		}
		return r
	case atom.Nav, atom.Aside:
		return regionSite
	case atom.Footer, atom.Header:
		if r == regionMain {
			return r // an article's own footer speaks about the article
		}
		return regionSite
	}
	switch strings.ToLower(attr(n, "role")) {
	case "main":
		if r == regionNone {
			return regionMain
		}
	case "contentinfo", "banner", "navigation", "complementary":
		return regionSite
	}
	if r == regionNone {
		if id := strings.ToLower(attr(n, "id") + " " + attr(n, "class")); strings.Contains(id, "footer") || strings.Contains(id, "sidebar") {
			return regionSite
		}
	}
	return r
}

func scopeOf(r region, fallback harvester.Scope) harvester.Scope {
	switch r {
	case regionMain:
		return harvester.ScopeResource
	case regionSite:
		return harvester.ScopeSite
	case regionPart:
		return harvester.ScopePart
	}
	return fallback
}

// record assembles the raw record once the whole page was read.
func (x *extractor) record(pageURL string) harvester.Record {
	for _, tc := range x.textCandidates {
		if !x.ccLinkParents[tc.node] {
			x.add(tc.rights)
		}
	}
	ld := x.ld.main
	r := harvester.Record{OriginID: pageURL, Format: "html", URL: pageURL, Rights: x.rights}
	canonical := firstNonEmpty(x.canonical, x.resolve(x.og["og:url"]))
	if canonical != "" {
		r.URL = canonical
		r.Identifiers = []string{canonical}
	}
	r.Titles = fields(ld.name, x.og["og:title"], x.meta["dc.title"], x.h1, x.title)
	r.Descriptions = fields(ld.description, x.og["og:description"], x.meta["description"], x.meta["dc.description"])
	r.Creators = fields(append(ld.creators, splitList(x.meta["author"], ";")...)...)
	r.Creators = fields(append(r.Creators, x.meta["dc.creator"], x.meta["dcterms.creator"])...)
	r.Publishers = fields(append(ld.publishers, x.meta["dc.publisher"], x.meta["dcterms.publisher"])...)
	r.Languages = fields(append([]string{x.htmlLang}, append(ld.languages, x.meta["content-language"], x.meta["dc.language"], x.meta["dcterms.language"])...)...)
	r.Types = fields(append(ld.learningTypes, ld.types...)...)
	r.Keywords = fields(append(splitList(x.meta["keywords"], ","), ld.keywords...)...)
	r.Thumbnails = x.thumbnails()
	r.Dates = fields(ld.published, ld.created, x.og["article:published_time"], x.meta["dc.date"], x.meta["dcterms.issued"],
		x.meta["dcterms.created"], x.meta["dcterms.date"], ld.modified, x.og["article:modified_time"])
	return r
}

// thumbnails lists the page's pictures, resolved against it: schema.org's first, then Open
// Graph's and Twitter's, then microdata's, whichever attribute (name or property) a page put them in.
func (x *extractor) thumbnails() []string {
	var out []string
	for _, u := range x.ld.main.images {
		out = append(out, x.resolve(u))
	}
	for _, k := range []string{"og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"} {
		out = append(out, x.resolve(x.og[k]), x.resolve(x.meta[k]))
	}
	// Microdata last: itemprop="image" also marks authors' and publishers' pictures.
	return fields(append(out, x.images...)...)
}

// fields cleans values and drops empty and repeated ones, keeping their order.
func fields(vs ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		v = clip(collapse(v), maxField)
		if v == "" || seen[strings.ToLower(v)] {
			continue
		}
		seen[strings.ToLower(v)] = true
		out = append(out, v)
	}
	return out
}

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// resolve makes href absolute against the page URL; it returns "" for what is not a URL.
func (x *extractor) resolve(href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := x.base.Parse(href)
	if err != nil {
		return ""
	}
	return u.String()
}

// resolveLicense resolves a license link and unwraps web archive copies of it, so that a page
// archived at web.archive.org still names the license it linked to.
func (x *extractor) resolveLicense(href string) string {
	abs := x.resolve(href)
	if abs == "" {
		return strings.TrimSpace(href)
	}
	if x.wayback || strings.Contains(abs, "web.archive.org/web/") {
		return unwrapWayback(abs)
	}
	return abs
}

func isWayback(u *url.URL) bool {
	return u.Host == "web.archive.org" && strings.HasPrefix(u.Path, "/web/")
}

// unwrapWayback turns https://web.archive.org/web/20160218174457im_/http://x/y into http://x/y.
func unwrapWayback(s string) string {
	const marker = "web.archive.org/web/"
	i := strings.Index(s, marker)
	if i < 0 {
		return s
	}
	rest := s[i+len(marker):]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return s
	}
	inner := rest[j+1:]
	if _, err := weburl.Parse(inner); err == nil {
		return inner
	}
	return s
}

func isBadge(src string) bool {
	return len(src) <= maxValue && license.IsBadge(src)
}

func isJSONLD(n *html.Node) bool {
	t := strings.ToLower(strings.TrimSpace(attr(n, "type")))
	return t == "application/ld+json" || strings.HasPrefix(t, "application/ld+json;")
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// tokens splits a space-separated attribute (rel, itemprop, property) into lower-case tokens.
func tokens(s string) map[string]bool {
	if s == "" {
		return nil
	}
	if len(s) > 512 {
		s = s[:512]
	}
	m := map[string]bool{}
	for _, f := range strings.Fields(strings.ToLower(s)) {
		m[f] = true
	}
	return m
}

// nodeText is the text inside n, bounded.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > maxDepth || b.Len() > maxField {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
			case html.ElementNode:
				if c.DataAtom != atom.Script && c.DataAtom != atom.Style {
					rec(c, depth+1)
				}
			}
		}
	}
	if n.DataAtom == atom.Script {
		// Script content is one raw text child; take it whole, it is bounded by the body cap.
		if n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
			return n.FirstChild.Data
		}
		return ""
	}
	rec(n, 0)
	return b.String()
}

// collapse trims s and folds runs of white space and control characters into one space.
func collapse(s string) string {
	if s == "" {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == 0xa0 || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// String prints a rights statement for reports.
func rightsString(r harvester.Rights) string {
	s := fmt.Sprintf("%-28s %-8s %s", r.From, r.Scope, r.Value)
	if r.Text != "" && r.Text != r.Value {
		s += fmt.Sprintf(" (%q)", clip(r.Text, 80))
	}
	return s
}

// flattenDepth is the nesting kept when a page nests too deeply for the parser.
const flattenDepth = 256

// flatten rewrites a page without the start and end tags nested deeper than flattenDepth,
// counting nesting naively by tags; their text stays.
func flatten(b []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(b))
	out := bytes.NewBuffer(make([]byte, 0, len(b)))
	depth, dropped := 0, 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if isVoid(atom.Lookup(name)) {
				break
			}
			if depth >= flattenDepth {
				dropped++
				continue
			}
			depth++
		case html.EndTagToken:
			if dropped > 0 {
				dropped--
				continue
			}
			depth = max(0, depth-1)
		}
		out.Write(z.Raw())
	}
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
