package embedded

import (
	"bytes"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// apostropheFilter turns apostrophes into spaces, so that "l'éducation" is found by
// "education", as in Meilisearch; the Unicode word rules alone keep such words whole.
type apostropheFilter struct{}

func (apostropheFilter) Filter(input []byte) []byte {
	if !hasApostrophe(input) {
		return input
	}
	out := make([]byte, 0, len(input))
	for len(input) > 0 {
		r, size := utf8.DecodeRune(input)
		if bytes.ContainsRune([]byte(apostrophes), r) {
			out = append(out, ' ')
		} else {
			out = append(out, input[:size]...)
		}
		input = input[size:]
	}
	return out
}

// hasApostrophe is bytes.ContainsAny(input, apostrophes) without decoding every rune.
func hasApostrophe(input []byte) bool {
	return bytes.IndexByte(input, '\'') >= 0 || bytes.Contains(input, []byte("’")) || bytes.Contains(input, []byte("ʼ"))
}

// analyzers are the text analysis of the index: the folded form every record is indexed in
// (Unicode word boundaries, diacritics folded to ASCII, lower case) and, per stemmed language,
// the token filters that make a folded word its stem.
type analyzers struct {
	folded      analysis.Analyzer
	stems       map[string]analysis.Analyzer
	stemFilters map[string][]analysis.TokenFilter
	stemCache   map[string]*stemCache
}

// stemCache remembers the stems of words already seen: a catalog repeats its words, and stemming
// is a quarter of the cost of analyzing a record. It stops growing at maxCachedStems words.
type stemCache struct {
	mu    sync.RWMutex
	stems map[string]string
}

const maxCachedStems = 1 << 18

func newAnalyzers() (analyzers, error) {
	c := registry.NewCache()
	fold, err := c.CharFilterNamed(asciifolding.Name)
	if err != nil {
		return analyzers{}, err
	}
	tok, err := c.TokenizerNamed(unicode.Name)
	if err != nil {
		return analyzers{}, err
	}
	chars := []analysis.CharFilter{apostropheFilter{}, fold}
	lower, err := c.TokenFilterNamed(lowercase.Name)
	if err != nil {
		return analyzers{}, err
	}
	a := analyzers{
		folded:      &analysis.DefaultAnalyzer{CharFilters: chars, Tokenizer: tok, TokenFilters: []analysis.TokenFilter{lower}},
		stems:       map[string]analysis.Analyzer{},
		stemFilters: map[string][]analysis.TokenFilter{},
		stemCache:   map[string]*stemCache{},
	}
	for lang, names := range stemLanguages {
		var fs []analysis.TokenFilter
		for _, name := range names {
			f, err := c.TokenFilterNamed(name)
			if err != nil {
				return analyzers{}, fmt.Errorf("%s stemming: %w", lang, err)
			}
			fs = append(fs, f)
		}
		a.stems[lang] = &analysis.DefaultAnalyzer{CharFilters: chars, Tokenizer: tok, TokenFilters: fs}
		a.stemFilters[lang] = fs
		a.stemCache[lang] = &stemCache{stems: map[string]string{}}
	}
	return a, nil
}

// words adds the distinct folded words of text to seen.
func (a analyzers) words(text string, seen map[string]struct{}) {
	for _, t := range a.folded.Analyze([]byte(text)) {
		if _, ok := seen[string(t.Term)]; !ok {
			seen[string(t.Term)] = struct{}{}
		}
	}
}

// stemsOf returns the distinct stems in lang of folded words. Stemming runs on the folded words
// rather than the text again: the stemmed analyzers fold and split alike, and their filters see
// one word at a time.
func (a analyzers) stemsOf(lang string, words []string) []string {
	c := a.stemCache[lang]
	seen := make(map[string]struct{}, len(words))
	var todo []string
	c.mu.RLock()
	for _, w := range words {
		if s, ok := c.stems[w]; !ok {
			todo = append(todo, w)
		} else if s != "" {
			seen[s] = struct{}{}
		}
	}
	c.mu.RUnlock()
	if len(todo) > 0 {
		stems := make([]string, len(todo))
		for i, w := range todo {
			ts := analysis.TokenStream{&analysis.Token{Term: []byte(w), Type: analysis.AlphaNumeric}}
			for _, f := range a.stemFilters[lang] {
				ts = f.Filter(ts)
			}
			if len(ts) == 1 {
				stems[i] = string(ts[0].Term)
			}
			if stems[i] != "" {
				seen[stems[i]] = struct{}{}
			}
		}
		c.mu.Lock()
		for i, w := range todo {
			if len(c.stems) < maxCachedStems {
				c.stems[w] = stems[i]
			}
		}
		c.mu.Unlock()
	}
	return keys(seen)
}
