package embedded

import (
	"html"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// SnippetWords is how many words of a description a snippet shows; the Meilisearch backend
// crops to the same length.
const SnippetWords = 30

// matcher decides which words of a hit to mark, by the same rules the query matched them.
type matcher struct {
	ix    *Index
	words []word
	langs []string
	// seen remembers the verdict on each word, by the hit's languages: the hits of one page
	// repeat most of their words, and analyzing a word is most of what marking costs.
	seen map[string]bool
	key  string // the languages, before the word in keys of seen
}

// matcher returns the matcher of a hit in langs; hits of one search share seen.
func (ix *Index) matcher(words []word, langs []string, seen map[string]bool) matcher {
	return matcher{ix: ix, words: words, langs: langs, seen: seen, key: strings.Join(langs, ",") + "\x00"}
}

func (m matcher) matches(tok []byte) bool {
	if len(m.words) == 0 {
		return false
	}
	key := m.key + string(tok)
	hit, ok := m.seen[key]
	if !ok {
		hit = m.match(tok)
		m.seen[key] = hit
	}
	return hit
}

func (m matcher) match(tok []byte) bool {
	f := m.ix.fold(tok)
	if f == "" {
		return false
	}
	var stems map[string]string
	for _, w := range m.words {
		switch {
		case f == w.text,
			w.prefix && strings.HasPrefix(f, w.text),
			w.typos > 0 && withinDistance(f, w.text, w.typos):
			return true
		}
		for _, lang := range m.langs {
			ws, ok := w.stems[lang]
			if !ok {
				continue
			}
			if stems == nil {
				stems = map[string]string{}
			}
			s, seen := stems[lang]
			if !seen {
				s = m.ix.stem(lang, tok)
				stems[lang] = s
			}
			if s == ws {
				return true
			}
		}
	}
	return false
}

func (m matcher) spans(text string) []span {
	sp := tokens(text)
	for i := range sp {
		sp[i].hit = m.matches([]byte(text[sp[i].start:sp[i].end]))
	}
	return sp
}

// mark returns text HTML-escaped with matched words in <mark>.
func (m matcher) mark(text string) string {
	text = norm.NFC.String(text)
	return render(text, m.spans(text), 0, len(text))
}

// snippet returns about SnippetWords words of text around its first match (or its start),
// HTML-escaped, with matched words in <mark> and "…" where text was cut.
func (m matcher) snippet(text string) string {
	text = norm.NFC.String(text)
	sp := m.spans(text)
	if len(sp) == 0 {
		return html.EscapeString(strings.TrimSpace(text))
	}
	first := 0
	for i, s := range sp {
		if s.hit {
			first = i
			break
		}
	}
	from := max(0, first-SnippetWords/3)
	to := min(len(sp), from+SnippetWords)
	from = max(0, to-SnippetWords)
	start, end := 0, len(text)
	var b strings.Builder
	if from > 0 {
		start = sp[from].start
		b.WriteString("…")
	}
	if to < len(sp) {
		end = sp[to-1].end
	}
	b.WriteString(strings.TrimSpace(render(text, sp[from:to], start, end)))
	if to < len(sp) {
		b.WriteString("…")
	}
	return b.String()
}

// render escapes text[start:end], wrapping the matched spans in <mark>.
func render(text string, sp []span, start, end int) string {
	var b strings.Builder
	pos := start
	for _, s := range sp {
		if !s.hit {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	return b.String()
}

// withinDistance reports whether the Levenshtein distance of a and b is at most k.
func withinDistance(a, b string, k int) bool {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > k || -d > k {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= k
}
