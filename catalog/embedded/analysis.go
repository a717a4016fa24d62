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
	fold        analysis.CharFilter
	tokenizer   analysis.Tokenizer
	lower       analysis.TokenFilter
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
		fold:        fold,
		tokenizer:   tok,
		lower:       lower,
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

// words adds the distinct folded words of text to seen, as the folded analyzer splits them.
// Most catalog text is ASCII, or becomes ASCII once folded: such text is split by asciiWords
// rather than the Unicode word segmenter, which is most of the cost of analyzing a record.
func (a analyzers) words(text string, seen map[string]struct{}) {
	b := apostropheFilter{}.Filter([]byte(text))
	if !isASCII(b) {
		b = a.fold.Filter(b)
	}
	// An underscore joins whatever it touches; such text is rare and left to the segmenter.
	if isASCII(b) && bytes.IndexByte(b, '_') < 0 {
		asciiWords(b, seen)
		return
	}
	for _, t := range a.lower.Filter(a.tokenizer.Tokenize(b)) {
		if _, ok := seen[string(t.Term)]; !ok {
			seen[string(t.Term)] = struct{}{}
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiWords adds the words of ASCII text to seen in lower case, split by the Unicode word
// rules as they apply to ASCII: a word is a run of letters and digits, and it goes on across
// one '.' between two letters or two digits, one ':' between two letters, and one ',' or ';'
// between two digits. text has no underscore.
func asciiWords(text []byte, seen map[string]struct{}) {
	for i := 0; i < len(text); {
		if !isAlnum(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) {
			if isAlnum(text[j]) {
				j++
			} else if j+1 < len(text) && joins(text[j-1], text[j], text[j+1]) {
				j += 2
			} else {
				break
			}
		}
		lowerASCII(text[i:j], seen)
		i = j
	}
}

// joins says whether mid between prev and next keeps them in one word.
func joins(prev, mid, next byte) bool {
	letters := isLetter(prev) && isLetter(next)
	digits := isDigit(prev) && isDigit(next)
	switch mid {
	case '.':
		return letters || digits
	case ':':
		return letters
	case ',', ';':
		return digits
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }

// lowerASCII adds w in lower case to seen, allocating only for a word not seen yet.
func lowerASCII(w []byte, seen map[string]struct{}) {
	var buf [64]byte
	lw := buf[:0]
	if len(w) > len(buf) {
		lw = make([]byte, 0, len(w))
	}
	for _, c := range w {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lw = append(lw, c)
	}
	if _, ok := seen[string(lw)]; !ok {
		seen[string(lw)] = struct{}{}
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
