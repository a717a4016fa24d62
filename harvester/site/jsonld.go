package site

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
)

// ldEntity is what Orchard reads from the main entity of a page's JSON-LD (schema.org, LRMI,
// AMB).
type ldEntity struct {
	name, description            string
	creators, publishers         []string
	languages, learningTypes     []string
	types, keywords              []string
	published, created, modified string
	images                       []string // thumbnailUrl first, then image
}

type ldInfo struct {
	main     ldEntity
	haveMain bool
}

// siteTypes describe the site or its owner rather than the page's content.
var siteTypes = map[string]bool{
	"website": true, "organization": true, "corporation": true, "newsmediaorganization": true,
	"educationalorganization": true, "collegeoruniversity": true, "breadcrumblist": true,
	"sitenavigationelement": true, "wpheader": true, "wpfooter": true, "wpsidebar": true,
	"searchaction": true, "person": true, "imageobject": true, "localbusiness": true,
}

var trailingComma = regexp.MustCompile(`,\s*([}\]])`)

// parse reads one JSON-LD script. Broken JSON-LD is common (raw newlines in strings, trailing
// commas, HTML comment wrappers); what can be repaired cheaply is, the rest is ignored.
func (l *ldInfo) parse(src string, x *extractor) {
	src = strings.TrimSpace(src)
	for _, w := range []string{"<!--", "-->", "<![CDATA[", "]]>", "//<![CDATA[", "//]]>"} {
		src = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(src, w), w))
	}
	docs := decodeJSON([]byte(src))
	if docs == nil {
		fixed := strings.Map(func(r rune) rune {
			if r < ' ' {
				return ' '
			}
			return r
		}, src)
		docs = decodeJSON([]byte(trailingComma.ReplaceAllString(fixed, "$1")))
	}
	for _, d := range docs {
		for _, item := range topItems(d) {
			l.item(item, x)
		}
	}
}

// decodeJSON decodes one or more concatenated JSON values; nil when the first is broken.
func decodeJSON(b []byte) []any {
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []any
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		out = append(out, v)
	}
	return out
}

// topItems lists the entities at the top of a JSON-LD document: an object, the members of an
// array, and the members of @graph.
func topItems(v any) []map[string]any {
	var out []map[string]any
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, topItems(m)...)
			}
		}
	case map[string]any:
		if g, ok := t["@graph"]; ok {
			out = append(out, topItems(g)...)
		}
		if len(t) > 2 || t["@graph"] == nil {
			out = append(out, t)
		}
	}
	return out
}

func (l *ldInfo) item(m map[string]any, x *extractor) {
	types := ldStrings(m["@type"])
	site := false
	for _, t := range types {
		if siteTypes[strings.ToLower(t)] {
			site = true
		}
	}
	scope := harvester.ScopeResource
	if site {
		scope = harvester.ScopeSite
	}
	l.licenses(m, scope, x, 0)
	if site || l.haveMain {
		return
	}
	// A WebPage whose mainEntity is given describes that entity.
	if me, ok := m["mainEntity"].(map[string]any); ok {
		m = me
		types = ldStrings(m["@type"])
	}
	l.haveMain = true
	e := &l.main
	e.name = firstNonEmpty(ldString(m["name"]), ldString(m["headline"]))
	e.description = ldString(m["description"])
	e.creators = append(ldNames(m["author"]), ldNames(m["creator"])...)
	e.publishers = ldNames(m["publisher"])
	e.languages = ldNames(m["inLanguage"])
	e.learningTypes = ldNames(m["learningResourceType"])
	e.types = types
	if s, ok := m["keywords"].(string); ok {
		e.keywords = strings.Split(s, ",")
	} else {
		e.keywords = ldNames(m["keywords"])
	}
	e.published = ldString(m["datePublished"])
	e.created = ldString(m["dateCreated"])
	e.modified = ldString(m["dateModified"])
	e.images = append(ldImages(m["thumbnailUrl"]), ldImages(m["image"])...)
}

// ldImages reads pictures: URLs, or ImageObjects with a thumbnail, content or plain URL.
func ldImages(v any) []string {
	return ldValues(v, func(t map[string]any) string {
		return firstNonEmpty(ldString(t["thumbnailUrl"]), ldString(t["contentUrl"]), ldString(t["url"]), ldString(t["@id"]))
	})
}

// licenses adds the license statements of an entity and of the entities nested in it. Nested
// entities other than the main entity are parts (an image, a chapter) of the one that holds
// them.
func (l *ldInfo) licenses(m map[string]any, scope harvester.Scope, x *extractor, depth int) {
	if depth > maxJSONLDDepth {
		return
	}
	for _, kf := range [][2]string{{"license", FromJSONLD}, {"useRightsUrl", FromUseRights}} {
		from := kf[1]
		for _, v := range ldList(m[kf[0]]) {
			switch t := v.(type) {
			case string:
				x.add(harvester.Rights{From: from, Value: x.resolveLicense(t), Scope: scope})
			case map[string]any:
				id := firstNonEmpty(ldString(t["@id"]), ldString(t["id"]), ldString(t["url"]))
				name := ldString(t["name"])
				if id != "" {
					x.add(harvester.Rights{From: from, Value: x.resolveLicense(id), Text: name, Scope: scope})
				} else {
					x.add(harvester.Rights{From: from, Value: name, Scope: scope})
				}
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		if key == "license" || key == "useRightsUrl" {
			continue
		}
		v := m[key]
		inner := scope
		if scope == harvester.ScopeResource && key != "mainEntity" && key != "mainEntityOfPage" {
			inner = harvester.ScopePart
		}
		for _, e := range ldList(v) {
			if em, ok := e.(map[string]any); ok {
				l.licenses(em, inner, x, depth+1)
			}
		}
	}
}

func ldList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

// ldString is the text of a JSON-LD value: a string, the first of a list, or an @value.
func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		for _, e := range t {
			if s := ldString(e); s != "" {
				return s
			}
		}
	case map[string]any:
		return firstNonEmpty(ldString(t["@value"]), ldString(t["name"]))
	}
	return ""
}

// ldStrings is every string of a value that is a string or a list of strings.
func ldStrings(v any) []string {
	var out []string
	for _, e := range ldList(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// ldNames reads people, organisations, languages and concepts: strings, or objects with a
// name, a SKOS prefLabel or an id.
func ldNames(v any) []string {
	return ldValues(v, func(t map[string]any) string {
		return firstNonEmpty(ldString(t["name"]), prefLabel(t["prefLabel"]),
			strings.TrimSpace(ldString(t["givenName"])+" "+ldString(t["familyName"])),
			ldString(t["alternateName"]), ldString(t["@id"]), ldString(t["id"]))
	})
}

// ldValues reads a string, an object or a list of them: strings as they are, objects through
// pick, which returns "" for one that says nothing.
func ldValues(v any, pick func(map[string]any) string) []string {
	var out []string
	for _, e := range ldList(v) {
		switch t := e.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			if s := pick(t); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// prefLabel picks an English, then German, then any label of a language map.
func prefLabel(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ldString(v)
	}
	for _, lang := range []string{"en", "de"} {
		if s := ldString(m[lang]); s != "" {
			return s
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if s := ldString(m[k]); s != "" {
			return s
		}
	}
	return ""
}
