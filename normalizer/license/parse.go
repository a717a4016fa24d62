package license

import (
	"strings"
	"unicode/utf8"
)

// Form says how a statement was written.
type Form string

const (
	FormURL      Form = "url"       // a license, deed or vocabulary URL
	FormBadge    Form = "badge"     // a license button image URL
	FormID       Form = "id"        // an SPDX (or Orchard) id
	FormKeyValue Form = "key-value" // provider fields such as "license=by version=4.0"
	FormHTML     Form = "html"      // an HTML fragment
	FormText     Form = "text"      // free text in English, German, French or Spanish
)

// Reading is what Parse made of one statement. Tool.ID is "" when nothing was recognised.
type Reading struct {
	Input    string
	Tool     Tool
	Warnings []string
	Access   bool // an access term (info:eu-repo/semantics/openAccess), which is not a license
	Form     Form
}

// maxInput bounds the text Parse reads, so that a pathological value costs bounded time.
const maxInput = 64 << 10

// Parse reads one rights statement: a URL, a badge image, an SPDX id, provider key=value fields,
// an HTML fragment or free text. Only real combinations of license, version and port are
// recognised; anything else is unknown, with a warning saying why. Nothing is guessed: a
// statement without a version keeps its family (CC-BY-SA) and says so.
func Parse(s string) Reading {
	r := Reading{Input: s}
	t := trimStatement(s)
	if len(t) > maxInput {
		t = t[:maxInput]
		for !utf8.ValidString(t) && len(t) > 0 {
			t = t[:len(t)-1]
		}
		r.warn("statement truncated to 64 KiB")
	}
	if t == "" {
		return r
	}
	if IsAccessTerm(t) {
		r.Access = true
		return r
	}
	if t[0] == '<' && len(t) > 1 && isLetter(t[1]) {
		parseHTML(t, &r)
		return r
	}
	if looksLikeURL(t) && !strings.ContainsAny(t, " \t\n") {
		if parseURL(t, &r) {
			return r
		}
	}
	if i, ok := lookupID(t); ok {
		r.Tool, r.Form = kb.all[i], FormID
		if r.Tool.IsFamily() {
			r.warn(noVersion(r.Tool))
		}
		return r
	}
	if keyValue(t) {
		parseKeyValue(t, &r)
		return r
	}
	parseText(t, &r)
	return r
}

func (r *Reading) warn(w string) { r.Warnings = append(r.Warnings, w) }

func noVersion(t Tool) string {
	return "no version given: only the family " + t.ID + " is known"
}

// trimStatement drops whitespace, a <…> wrapper, quotes and stray punctuation around a statement.
func trimStatement(s string) string {
	for {
		t := strings.TrimSpace(s)
		t = strings.TrimRight(t, ".,;:")
		t = strings.TrimLeft(t, ",;:")
		if len(t) >= 2 && (t[0] == '"' && t[len(t)-1] == '"' || t[0] == '\'' && t[len(t)-1] == '\'') {
			t = t[1 : len(t)-1]
		}
		// A URL in angle brackets, as in RFC 3986 appendix C; an HTML tag is left alone.
		if len(t) >= 2 && t[0] == '<' && t[len(t)-1] == '>' && !strings.ContainsAny(t[1:len(t)-1], "<> ") {
			t = t[1 : len(t)-1]
		}
		if t == s {
			return t
		}
		s = t
	}
}

func looksLikeURL(s string) bool {
	ls := len(s)
	switch {
	case ls > 2 && s[0] == '/' && s[1] == '/':
		return true
	case ls > 5 && strings.EqualFold(s[:4], "http") && (s[4] == ':' || s[4] == 's' || s[4] == 'S'):
		return true
	case ls > 4 && strings.EqualFold(s[:4], "www."):
		return true
	}
	for _, h := range []string{"creativecommons.org/", "rightsstatements.org/", "licensebuttons.net/"} {
		if ls > len(h) && strings.EqualFold(s[:len(h)], h) {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
