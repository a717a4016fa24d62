// Package isced holds the ISCED-F 2013 fields of education and training as a SKOS vocabulary in
// four languages, and maps free subject strings onto its concepts. It is pure: the vocabulary
// is embedded and parsed in memory.
package isced

import (
	_ "embed"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/orchard-oer/orchard/normalizer/text"
)

// Languages are the languages every concept has a preferred label in; the first is the
// fallback.
var Languages = []string{"en", "de", "fr", "es"}

//go:embed isced-f-2013.rdf
var skosFile []byte

// Concept is one field: broad (two digits), narrow (three) or detailed (four).
type Concept struct {
	Notation string
	URI      string
	Broader  string              // notation of the broader field, empty for a broad field
	Pref     map[string]string   // preferred label by language
	Alt      map[string][]string // alternative labels by language
}

// Level is 1 for a broad field, 2 for a narrow and 3 for a detailed one.
func (c Concept) Level() int { return len(c.Notation) - 1 }

// Vocabulary is a parsed concept scheme with its label index.
type Vocabulary struct {
	concepts map[string]*Concept
	order    []string            // notations in the order of the file
	children map[string][]string // narrower notations, "" holding the broad fields
	byKey    map[string]string   // folded label or URI → notation
}

// The RDF/XML shape of a SKOS concept, as far as Orchard reads it.
type rdfFile struct {
	Concepts []rdfConcept `xml:"http://www.w3.org/2004/02/skos/core# Concept"`
}

type rdfConcept struct {
	About    string     `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
	Notation string     `xml:"http://www.w3.org/2004/02/skos/core# notation"`
	Pref     []rdfLabel `xml:"http://www.w3.org/2004/02/skos/core# prefLabel"`
	Alt      []rdfLabel `xml:"http://www.w3.org/2004/02/skos/core# altLabel"`
	Broader  []rdfRef   `xml:"http://www.w3.org/2004/02/skos/core# broader"`
}

type rdfLabel struct {
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Text string `xml:",chardata"`
}

type rdfRef struct {
	Resource string `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# resource,attr"`
}

// Parse reads a SKOS vocabulary in RDF/XML whose concepts carry skos:notation, and checks
// that it is one tree: every concept has a notation, a preferred label in every language of
// Languages, at most one broader concept that is in the file, and no cycle.
func Parse(data []byte) (*Vocabulary, error) {
	var f rdfFile
	if err := xml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("read SKOS: %w", err)
	}
	v := &Vocabulary{concepts: map[string]*Concept{}, children: map[string][]string{}, byKey: map[string]string{}}
	byURI := map[string]string{}
	for _, rc := range f.Concepts {
		n := strings.TrimSpace(rc.Notation)
		switch {
		case n == "":
			return nil, fmt.Errorf("read SKOS: concept %q has no notation", rc.About)
		case v.concepts[n] != nil:
			return nil, fmt.Errorf("read SKOS: notation %s used twice", n)
		case len(rc.Broader) > 1:
			return nil, fmt.Errorf("read SKOS: concept %s has %d broader concepts", n, len(rc.Broader))
		}
		c := &Concept{Notation: n, URI: rc.About, Pref: map[string]string{}, Alt: map[string][]string{}}
		for _, l := range rc.Pref {
			if c.Pref[l.Lang] != "" {
				return nil, fmt.Errorf("read SKOS: concept %s has two preferred labels in %q", n, l.Lang)
			}
			c.Pref[l.Lang] = strings.TrimSpace(l.Text)
		}
		for _, lang := range Languages {
			if c.Pref[lang] == "" {
				return nil, fmt.Errorf("read SKOS: concept %s has no preferred label in %s", n, lang)
			}
		}
		for _, l := range rc.Alt {
			c.Alt[l.Lang] = append(c.Alt[l.Lang], strings.TrimSpace(l.Text))
		}
		if len(rc.Broader) == 1 {
			c.Broader = rc.Broader[0].Resource // a URI until all concepts are read
		}
		v.concepts[n] = c
		v.order = append(v.order, n)
		byURI[c.URI] = n
	}
	for _, n := range v.order {
		c := v.concepts[n]
		if c.Broader != "" {
			b, ok := byURI[c.Broader]
			if !ok {
				return nil, fmt.Errorf("read SKOS: concept %s: broader %s is not in the vocabulary", n, c.Broader)
			}
			c.Broader = b
		}
		v.children[c.Broader] = append(v.children[c.Broader], n)
	}
	for _, n := range v.order {
		if len(v.Path(n)) > len(v.order) {
			return nil, fmt.Errorf("read SKOS: concept %s is its own ancestor", n)
		}
	}
	v.indexLabels()
	return v, nil
}

// indexLabels lets every label, in any language, and every URI find its concept. When a label
// names several concepts (the detailed field "Law" under the narrow field "Law"), the deepest
// one wins: its ancestors come with it anyway.
func (v *Vocabulary) indexLabels() {
	for _, n := range v.order {
		c := v.concepts[n]
		keys := []string{c.URI}
		for _, lang := range Languages {
			keys = append(keys, c.Pref[lang])
			keys = append(keys, c.Alt[lang]...)
		}
		for _, k := range keys {
			k = key(k)
			if old, ok := v.byKey[k]; ok && len(old) >= len(n) {
				continue
			}
			v.byKey[k] = n
		}
	}
}

var (
	defaultOnce  sync.Once
	defaultVocab *Vocabulary
)

// Default is the shipped ISCED-F 2013 vocabulary. Its file is tested to parse, so failing to
// parse it here is a broken build.
func Default() *Vocabulary {
	defaultOnce.Do(func() {
		v, err := Parse(skosFile)
		if err != nil {
			panic("isced: shipped vocabulary: " + err.Error())
		}
		defaultVocab = v
	})
	return defaultVocab
}

// Concept returns the concept with the notation.
func (v *Vocabulary) Concept(notation string) (Concept, bool) {
	c, ok := v.concepts[notation]
	if !ok {
		return Concept{}, false
	}
	return *c, true
}

// Notations lists every concept's notation in the order of the vocabulary.
func (v *Vocabulary) Notations() []string { return slices.Clone(v.order) }

// Children lists the narrower concepts of notation; of "" the broad fields.
func (v *Vocabulary) Children(notation string) []string { return v.children[notation] }

// Path lists the concept and its ancestors, broadest first ("05", "051", "0511"); nil for an
// unknown notation.
func (v *Vocabulary) Path(notation string) []string {
	var out []string
	for n := notation; n != "" && len(out) <= len(v.order); {
		c, ok := v.concepts[n]
		if !ok {
			return nil
		}
		out = append(out, n)
		n = c.Broader
	}
	slices.Reverse(out)
	return out
}

// Label is the preferred label of notation in lang, else in English; empty for an unknown
// notation.
func (v *Vocabulary) Label(notation, lang string) string {
	c, ok := v.concepts[notation]
	if !ok {
		return ""
	}
	if l := c.Pref[strings.ToLower(lang)]; l != "" {
		return l
	}
	return c.Pref[Languages[0]]
}

// Labels lists every preferred and alternative label of the notations in every language, the
// words a search should find them by.
func (v *Vocabulary) Labels(notations []string) []string {
	var out []string
	for _, n := range notations {
		c, ok := v.concepts[n]
		if !ok {
			continue
		}
		for _, lang := range Languages {
			out = append(out, c.Pref[lang])
			out = append(out, c.Alt[lang]...)
		}
	}
	return out
}

// Match finds the concept a subject names: by a label in any language (case, diacritics and
// punctuation aside), by notation ("0511", "ISCED 0511", "ISCED-F 2013: 051"; a bare broad
// field "05" only with the prefix, as two digits alone are too often something else), or by
// the concept's URI. A subject written as a path ("Naturwissenschaften > Biologie") maps to the
// deepest concept one of its parts names.
func (v *Vocabulary) Match(subject string) (string, bool) {
	if n, ok := v.matchOne(subject); ok {
		return n, true
	}
	best := ""
	for _, part := range strings.FieldsFunc(subject, func(r rune) bool { return strings.ContainsRune(">/|;", r) }) {
		if n, ok := v.matchOne(part); ok && len(n) > len(best) {
			best = n
		}
	}
	return best, best != ""
}

func (v *Vocabulary) matchOne(s string) (string, bool) {
	k := key(s)
	if k == "" {
		return "", false
	}
	if n, ok := v.byKey[k]; ok {
		return n, true
	}
	code, prefixed := strings.CutPrefix(k, "isced ")
	if prefixed {
		code, _ = strings.CutPrefix(code, "f ")
		code, _ = strings.CutPrefix(code, "2013 ")
	}
	if _, ok := v.concepts[code]; ok && (prefixed || len(code) > 2) {
		return code, true
	}
	return "", false
}

// Fields maps subjects onto the vocabulary and returns the notations of the concepts they name
// and of all their ancestors, sorted, each once (so "0511" and "0533" give 05, 051, 0511, 053,
// 0533); nil when none maps.
func (v *Vocabulary) Fields(subjects []string) []string {
	var out []string
	for _, s := range subjects {
		n, ok := v.Match(s)
		if !ok {
			continue
		}
		for _, a := range v.Path(n) {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}

// key is the form labels are compared in: text.Fold, so case, diacritics and punctuation
// never decide a match.
func key(s string) string { return text.Fold(s) }
