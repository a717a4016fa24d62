package attribution

import (
	"regexp"
	"strings"

	"github.com/orchard-oer/orchard/normalizer/license"
)

// reference is one place where an attribution names a legal tool.
type reference struct {
	tool  license.Tool
	said  string // what the attribution wrote: a URL or the words
	link  bool   // a hyperlink or a printed URL to the deed or legal code
	known bool   // the reference names a tool (or family) Orchard knows
}

// licenseLinkRe recognises links that are meant as license links even when they name nothing
// known, so that a broken deed link is reported rather than taken for the source.
var licenseLinkRe = regexp.MustCompile(`(?i)^(?:https?:)?//(?:www\.)?(?:creativecommons\.org/(?:licenses|licences|publicdomain)/|rightsstatements\.org/|i\.creativecommons\.org/|licensebuttons\.net/)`)

func isLicenseLink(href string) bool {
	return licenseLinkRe.MatchString(withScheme(href))
}

// withScheme gives a scheme-less printed URL one, for the parser and the matchers.
func withScheme(u string) string {
	if strings.Contains(u, "://") || strings.HasPrefix(u, "//") {
		return u
	}
	return "https://" + u
}

// references lists every license the document links to or names.
func references(d document, plain string) []reference {
	var refs []reference
	for _, l := range d.links {
		r := license.Parse(withScheme(l.href))
		if !r.Tool.Known() && !isLicenseLink(l.href) {
			continue
		}
		refs = append(refs, reference{tool: r.Tool, said: l.href, link: true, known: r.Tool.Known()})
	}
	for _, src := range d.images {
		if r := license.Parse(src); r.Tool.Known() && r.Form == license.FormBadge {
			refs = append(refs, reference{tool: r.Tool, said: src, known: true})
		}
	}
	return append(refs, mentions(plain)...)
}

// starters are the words a license name begins with, in the four deed languages; the named
// elements count only when a version follows closely, since "Attribution:" alone heads a credit.
var starters = map[string]bool{"cc": true, "cc0": true, "creative": true, "creativecommons": true,
	"public": true, "pdm": true, "marque": true, "marca": true}

var namedStarters = map[string]bool{"attribution": true, "namensnennung": true, "atribución": true,
	"atribucion": true, "reconocimiento": true, "paternité": true}

var versionRe = regexp.MustCompile(`\d\.\d`)

// maxWindow bounds the words read for one license name: the longest (the German BY-NC-SA 4.0
// title with "Creative Commons" and "Lizenz") has fourteen.
const maxWindow = 16

// maxWindows bounds the license names read from one attribution, so that a text of nothing but
// starter words costs milliseconds; no real credit names more than a handful of licenses.
const maxWindows = 64

// mentions finds license names in the text: a window of words from a starter word to the end of
// the sentence, shortened from the end until the knowledge base reads it.
func mentions(plain string) []reference {
	words := strings.Fields(plain)
	var refs []reference
	tried := 0
	for i := 0; i < len(words) && tried < maxWindows; i++ {
		w := strings.ToLower(strings.Trim(words[i], `("'“”„«»‘’[*_`))
		head := w
		if j := strings.IndexAny(w, "-:"); j > 0 {
			head = w[:j]
		}
		if !starters[head] && !(namedStarters[head] && versionNear(words, i)) {
			continue
		}
		tried++
		end := i + 1
		for end < len(words) && end-i < maxWindow && !sentenceEnd(words[end-1]) {
			end++
		}
		for j := end; j > i; j-- {
			said := strings.Join(words[i:j], " ")
			r := license.Parse(said)
			if r.Tool.Known() {
				refs = append(refs, reference{tool: r.Tool, said: strings.TrimRight(said, ".,;:"), known: true})
				i = j - 1
				break
			}
		}
	}
	return refs
}

func versionNear(words []string, i int) bool {
	for j := i + 1; j < len(words) && j <= i+8; j++ {
		if versionRe.MatchString(words[j]) {
			return true
		}
	}
	return false
}

// sentenceEnd reports whether a word closes a sentence or a parenthesis; the full stop of a
// version number ("4.0") does not.
func sentenceEnd(w string) bool {
	if strings.HasSuffix(w, ")") || strings.HasSuffix(w, ";") || strings.HasSuffix(w, "|") {
		return true
	}
	return strings.HasSuffix(w, ".") && !versionRe.MatchString(strings.TrimSuffix(w, "."))
}

// checkLicense grades the license element: every reference must name the record's tool (or its
// family), and a license that asks for credit needs its deed linked, not only named.
func checkLicense(d document, plain string, want license.Tool) Element {
	refs := references(d, plain)
	el := Element{Present: len(refs) > 0}
	linked, named := false, false
	for _, r := range refs {
		if el.Found == "" {
			el.Found = r.said
		}
		switch {
		case !r.known:
			el.Found = r.said
			el.Problem = "the license link " + r.said + " leads to no license; link " + want.Label + " to " + want.URL
		case r.tool.ID == want.ID || r.tool.URL == want.URL: // GPL-3.0-only and -or-later share one page
			linked = linked || r.link
			named = true
			continue
		case r.tool.IsFamily() && r.tool.Family == want.Family:
			named = true
			continue
		default:
			el.Found = r.said
			el.Problem = mismatch(r.tool, want)
		}
		return el
	}
	pd := want.Kind == license.KindPublicDomain
	switch {
	case !el.Present:
		el.Problem = "no license is named: add " + want.Label + " with a link to " + want.URL
	case !linked && !(pd && named):
		if d.format == FormatText {
			el.Problem = "the license is not linked: print its URL " + want.URL
		} else {
			el.Problem = "the license is not linked: link " + want.Label + " to " + want.URL
		}
	case pd:
		el.Problem = publicDomainWording(plain, want)
	}
	el.Correct = el.Problem == ""
	return el
}

// mismatch says how a named tool differs from the record's, naming the element the law cares
// about: version, port, or the license elements themselves.
func mismatch(got, want license.Tool) string {
	fix := "; the work is under " + want.Label + " (" + want.URL + ")"
	switch {
	case got.Family == want.Family && got.Version != want.Version:
		return "wrong license version: " + got.Label + " instead of " + want.Label + fix
	case got.Family == want.Family && got.Jurisdiction != want.Jurisdiction:
		if want.Jurisdiction == "" {
			return "wrong license port: " + got.Label + " is a national port, the work is under " + want.Label + fix
		}
		return "wrong license port: " + got.Label + " instead of " + want.Label + fix
	case !got.Commercial && want.Commercial:
		return "the license says NonCommercial (" + got.Label + ") but the work is not restricted so" + fix
	}
	return "wrong license: " + got.Label + fix
}

var (
	licensingWords  = []string{"licen", "lizen"}
	dedicationWords = []string{"dedicat", "dedica", "dedie", "gewidmet", "widmung", "verzicht", "waive",
		"public domain", "gemeinfrei", "domaine public", "dominio publico"}
	markWords = []string{"mark", "markiert", "gekennzeichnet", "marque", "marca", "marcad",
		"public domain", "gemeinfrei", "domaine public", "dominio publico"}
)

// publicDomainWording checks that CC0 and the Public Domain Mark are not called licenses: CC0
// dedicates a work to the public domain and the Mark labels one that is already there.
func publicDomainWording(plain string, want license.Tool) string {
	text := fold(plain)
	if hasPrefixWord(text, licensingWords) {
		if want.ID == "CC-PDM-1.0" {
			return "the Public Domain Mark is not a license: write that the work is marked with " + want.Label + " (" + want.URL + ")"
		}
		return "CC0 is not a license: write that the work is dedicated to the public domain under " + want.Label + " (" + want.URL + ")"
	}
	words := dedicationWords
	verb := "dedicated to the public domain under"
	if want.ID == "CC-PDM-1.0" {
		words, verb = markWords, "marked with"
	}
	if !hasPrefixWord(text, words) {
		return "say what the tool does: the work is " + verb + " " + want.Label
	}
	return ""
}

// hasPrefixWord reports whether a folded text has a word (or words) starting with one of stems.
func hasPrefixWord(text string, stems []string) bool {
	t := " " + text
	for _, s := range stems {
		if strings.Contains(t, " "+s) {
			return true
		}
	}
	return false
}
