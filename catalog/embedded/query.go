package embedded

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"golang.org/x/text/unicode/norm"

	"github.com/orchard-oer/orchard/catalog"
)

// maxFacetValues matches Meilisearch's maxValuesPerFacet so both backends count alike.
const maxFacetValues = 100

// Weights: the title weighs more than the rest; an exact word more than a stem, a stem more than
// a prefix, a prefix more than a typo. A typo in a title weighs less than an exact word anywhere.
const (
	boostTitle  = 3.0
	boostExact  = 1.0
	boostStem   = 0.8
	boostPrefix = 0.5
	boostTypo   = 0.3
)

var tokenizer = unicode.NewUnicodeTokenizer()

// span is one word of a text by byte offsets, with whether a query matched it.
type span struct {
	start, end int
	hit        bool
}

// tokens splits text into words as the analyzers do (Unicode word rules, then apostrophes), but
// keeps offsets into text itself for highlighting.
func tokens(text string) []span {
	var out []span
	for _, t := range tokenizer.Tokenize([]byte(text)) {
		start := t.Start
		for start < t.End {
			i := strings.IndexAny(text[start:t.End], apostrophes)
			if i < 0 {
				out = append(out, span{start: start, end: t.End})
				break
			}
			if i > 0 {
				out = append(out, span{start: start, end: start + i})
			}
			_, size := utf8.DecodeRuneInString(text[start+i:])
			start += i + size
		}
	}
	return out
}

// word is one query word, folded, with how it may match.
type word struct {
	text   string
	typos  int  // edit distance allowed
	prefix bool // the last word of a query still being typed
	stems  map[string]string
}

// typos allows one typo from 5 letters and two from 9, as Meilisearch does by default, and none
// beyond catalog.MaxFuzzyRunes.
func typos(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n > catalog.MaxFuzzyRunes:
		return 0
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// fold gives the indexed form of one token.
func (ix *Index) fold(tok []byte) string {
	ts := ix.folded.Analyze(tok)
	if len(ts) == 0 {
		return ""
	}
	if len(ts) == 1 {
		return string(ts[0].Term)
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t.Term)
	}
	return strings.Join(parts, "")
}

// stem gives the stemmed form of one token in a language, or "" when the analyzer drops it.
func (ix *Index) stem(lang string, tok []byte) string {
	ts := ix.stems[lang].Analyze(tok)
	if len(ts) == 0 {
		return ""
	}
	return string(ts[len(ts)-1].Term)
}

// words splits a query the way records are split. The last word matches as a prefix unless the
// query ends with a space, as in Meilisearch.
func (ix *Index) words(q string) []word {
	q = norm.NFC.String(q)
	var out []word
	for _, t := range tokens(q) {
		raw := q[t.start:t.end]
		f := ix.fold([]byte(raw))
		if f == "" {
			continue
		}
		w := word{text: f, typos: typos(f), stems: map[string]string{}}
		for lang := range stemLanguages {
			if s := ix.stem(lang, []byte(raw)); s != "" {
				w.stems[lang] = s
			}
		}
		if len(out) >= catalog.MaxFuzzyWords {
			w.typos = 0
		}
		out = append(out, w)
	}
	if len(out) > 0 && !strings.HasSuffix(q, " ") {
		out[len(out)-1].prefix = true
	}
	return out
}
