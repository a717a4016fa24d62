package license

import (
	"encoding/json"
	"github.com/orchard-oer/orchard/normalizer/text"
	"html"
	"strings"
)

// An HTML fragment is read by what its markup declares, strongest first:
//
//  1. <meta name|property="license|dcterms.license|dc.rights|og:license|…" content="…">
//  2. <link> or <a> with rel="license"
//  3. a JSON-LD "license" (a string, or an object's "@id" or "url")
//  4. any other <a href> or <link href>
//  5. a license button <img src>
//  6. the text
//
// The first that names a known tool wins; a later one that names a different tool adds a warning.
//
// The anchor rule: an anchor's href wins over its visible text when the text names the same tool,
// a less specific form of it (the family, "Creative Commons License"), or nothing recognisable.
// When the text names a different tool ("CC BY" on a link to by-nc/4.0) the reader saw one license
// and the link says another; neither is trusted, and the reading is unknown with a warning naming
// both, for a librarian to decide.

// htmlTag is one start tag with its attributes, and for <a> and <script> the text inside.
type htmlTag struct {
	name  string
	attrs map[string]string
	inner string
}

func scanHTML(s string) (tags []htmlTag, text string) {
	var txt strings.Builder
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			txt.WriteString(s[i:])
			break
		}
		txt.WriteString(s[i : i+lt])
		txt.WriteByte(' ')
		i += lt
		end := tagEnd(s, i)
		if end < 0 {
			break
		}
		raw := s[i+1 : end]
		i = end + 1
		if raw == "" || raw[0] == '/' || raw[0] == '!' || raw[0] == '?' {
			continue
		}
		t := parseTag(raw)
		if t.name == "a" || t.name == "script" {
			close := "</" + t.name
			j := strings.Index(strings.ToLower(s[i:]), close)
			if j < 0 {
				j = len(s) - i
			}
			t.inner = s[i : i+j]
			if t.name == "a" {
				t.inner = htmlText(t.inner)
				txt.WriteString(" ")
			}
			i += j
		}
		tags = append(tags, t)
	}
	return tags, html.UnescapeString(txt.String())
}

// htmlText is the visible text of a fragment, spaces collapsed.
func htmlText(s string) string {
	_, visible := scanHTML(s)
	return text.Collapse(visible)
}

// tagEnd finds the '>' closing the tag that starts at i, skipping quoted attribute values.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j
		}
	}
	return -1
}

func parseTag(raw string) htmlTag {
	raw = strings.TrimSuffix(strings.TrimSpace(raw), "/")
	n := 0
	for n < len(raw) && !strings.ContainsRune(" \t\n\r/", rune(raw[n])) {
		n++
	}
	t := htmlTag{name: strings.ToLower(raw[:n]), attrs: map[string]string{}}
	rest := raw[n:]
	for {
		rest = strings.TrimLeft(rest, " \t\n\r/")
		if rest == "" {
			return t
		}
		k := 0
		for k < len(rest) && !strings.ContainsRune(" \t\n\r=", rune(rest[k])) {
			k++
		}
		key := strings.ToLower(rest[:k])
		rest = strings.TrimLeft(rest[k:], " \t\n\r")
		val := ""
		if strings.HasPrefix(rest, "=") {
			rest = strings.TrimLeft(rest[1:], " \t\n\r")
			if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
				q := rest[0]
				e := strings.IndexByte(rest[1:], q)
				if e < 0 {
					e = len(rest) - 1
				}
				val, rest = rest[1:1+e], rest[min(len(rest), e+2):]
			} else {
				e := strings.IndexAny(rest, " \t\n\r")
				if e < 0 {
					e = len(rest)
				}
				val, rest = rest[:e], rest[e:]
			}
		}
		t.attrs[key] = html.UnescapeString(val)
	}
}

type candidate struct {
	from   string
	value  string
	text   string // an anchor's text
	strong int    // lower is stronger
}

func parseHTML(s string, r *Reading) {
	r.Form = FormHTML
	tags, text := scanHTML(s)
	var cands []candidate
	for _, t := range tags {
		rel := " " + strings.ToLower(t.attrs["rel"]) + " "
		isLicense := strings.Contains(rel, " license ")
		switch t.name {
		case "meta":
			name := strings.ToLower(t.attrs["name"])
			if name == "" {
				name = strings.ToLower(t.attrs["property"])
			}
			if IsMetaName(name) && t.attrs["content"] != "" {
				cands = append(cands, candidate{"meta " + name, t.attrs["content"], "", 1})
			}
		case "link", "a":
			href := t.attrs["href"]
			if href == "" {
				continue
			}
			strength := 4
			if isLicense {
				strength = 2
			}
			cands = append(cands, candidate{t.name + " href", href, t.inner, strength})
		case "script":
			if strings.Contains(strings.ToLower(t.attrs["type"]), "ld+json") {
				for _, v := range jsonLDLicenses(t.inner) {
					cands = append(cands, candidate{"json-ld license", v, "", 3})
				}
			}
		case "img":
			if src := t.attrs["src"]; src != "" {
				cands = append(cands, candidate{"img src", src, "", 5})
			}
		}
	}
	var best *Reading
	var bestFrom string
	for strength := 1; strength <= 5; strength++ {
		for _, c := range cands {
			if c.strong != strength {
				continue
			}
			cr := Parse(c.value)
			if c.text != "" && cr.Tool.ID != "" {
				anchorText(&cr, c.text)
			}
			if cr.Tool.ID == "" {
				if c.text != "" && len(cr.Warnings) > 0 && best == nil {
					r.Warnings = append(r.Warnings, cr.Warnings...)
				}
				continue
			}
			if best == nil {
				b := cr
				best, bestFrom = &b, c.from
				continue
			}
			if !cr.Tool.agrees(best.Tool) {
				r.warn("the " + c.from + " says " + cr.Tool.ID + " but the " + bestFrom + " says " +
					best.Tool.ID + "; the " + bestFrom + " wins")
			}
		}
	}
	if best != nil {
		r.Tool = best.Tool
		r.Warnings = append(best.Warnings, r.Warnings...)
		return
	}
	if deceptive(r.Warnings) {
		return
	}
	tr := Reading{Input: s}
	parseText(text, &tr)
	r.Tool = tr.Tool
	r.Warnings = append(r.Warnings, tr.Warnings...)
}

func deceptive(ws []string) bool {
	for _, w := range ws {
		if strings.HasPrefix(w, "anchor text") {
			return true
		}
	}
	return false
}

// anchorText applies the anchor rule to a reading of an href and the anchor's visible text.
func anchorText(href *Reading, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	var tr Reading
	readText(normalizeText(text), &tr)
	if tr.Tool.ID == "" || tr.Tool.agrees(href.Tool) || genericCC(text) {
		return
	}
	href.warn("anchor text names " + tr.Tool.ID + " but the link goes to " + href.Tool.ID +
		"; neither is trusted")
	href.Tool = Tool{}
}

// genericCC reports text such as "Creative Commons License" that names no particular tool.
func genericCC(text string) bool {
	tr := readWords(normalizeText(text))
	return tr.els&^(eCC|eLicense|eScope) == 0
}

// jsonLDLicenses finds the "license" values in a JSON-LD document.
func jsonLDLicenses(src string) []string {
	var doc any
	if err := json.Unmarshal([]byte(strings.TrimSpace(src)), &doc); err != nil {
		return nil
	}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 16 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if k == "license" || k == "schema:license" {
					out = append(out, licenseValues(val)...)
					continue
				}
				walk(val, depth+1)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(doc, 0)
	return out
}

func licenseValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		for _, k := range []string{"@id", "url", "name"} {
			if s, ok := x[k].(string); ok && s != "" {
				return []string{s}
			}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, licenseValues(e)...)
		}
		return out
	}
	return nil
}
