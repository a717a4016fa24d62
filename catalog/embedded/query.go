package embedded

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/sync/semaphore"
	"golang.org/x/text/unicode/norm"

	"github.com/orchard-oer/orchard/catalog"
)

// maxFacetValues matches Meilisearch's maxValuesPerFacet so both backends count alike.
const maxFacetValues = 100

// Boosts: the title weighs more than the rest; an exact word more than a stem, a stem more than
// a prefix, a prefix more than a typo.
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

// textQuery requires every word, each in any of its forms, in any searched field.
func textQuery(words []word) query.Query {
	conj := make([]query.Query, 0, len(words))
	for _, w := range words {
		var alts []query.Query
		for _, field := range []struct {
			name  string
			boost float64
		}{{fieldTitle, boostTitle}, {fieldBody, 1}} {
			if w.typos == 0 || field.name == fieldTitle {
				t := query.NewTermQuery(w.text)
				t.SetField(field.name)
				t.SetBoost(field.boost * boostExact)
				alts = append(alts, t)
			}
			if w.prefix {
				p := query.NewPrefixQuery(w.text)
				p.SetField(field.name)
				p.SetBoost(field.boost * boostPrefix)
				alts = append(alts, p)
			}
			if w.typos > 0 {
				// The fuzzy query finds the exact word too and scores each term by
				// 1/(edits+1). In the long body postings that is enough to rank exact words
				// first, so the body needs no exact clause reading the same postings again;
				// titles keep theirs, so that an exact word anywhere beats a typo in a title.
				fz := query.NewFuzzyQuery(w.text)
				fz.SetField(field.name)
				fz.SetFuzziness(w.typos)
				fz.SetBoost(field.boost * boostTypo)
				if field.name == fieldBody {
					fz.SetBoost(boostExact)
				}
				alts = append(alts, fz)
			}
		}
		for lang, s := range w.stems {
			t := query.NewTermQuery(s)
			t.SetField(stemField(lang))
			t.SetBoost(boostStem)
			alts = append(alts, t)
		}
		conj = append(conj, query.NewDisjunctionQuery(alts))
	}
	return query.NewConjunctionQuery(conj)
}

func keywordQuery(field, value string) query.Query {
	t := query.NewTermQuery(value)
	t.SetField(field)
	return t
}

// anyOf matches records with one of values in a facet field.
func anyOf(facet string, values []string) query.Query {
	qs := make([]query.Query, len(values))
	for i, v := range values {
		qs[i] = keywordQuery(catalog.FacetPrefix+facet, v)
	}
	return query.NewDisjunctionQuery(qs)
}

func boolQuery(field string, v bool) query.Query {
	q := query.NewBoolFieldQuery(v)
	q.SetField(field)
	return q
}

// withFilter narrows q by f without changing its scores.
func withFilter(q query.Query, f catalog.Filter) query.Query {
	var must []query.Query
	if !f.WithHidden {
		must = append(must, boolQuery(catalog.FieldHidden, false))
	}
	for _, t := range f.FacetTerms() {
		must = append(must, anyOf(t.Facet, t.Values))
	}
	for _, c := range []struct {
		field string
		v     *bool
	}{{catalog.FieldCommercial, f.Commercial}, {catalog.FieldDerivatives, f.Derivatives}, {catalog.FieldOpen, f.Open}, {catalog.FieldCommons, f.Commons}} {
		if c.v != nil {
			must = append(must, boolQuery(c.field, *c.v))
		}
	}
	if f.YearFrom != 0 || f.YearTo != 0 {
		var lo, hi *float64
		if f.YearFrom != 0 {
			v := float64(f.YearFrom)
			lo = &v
		}
		if f.YearTo != 0 {
			v := float64(f.YearTo)
			hi = &v
		}
		yes := true
		r := query.NewNumericRangeInclusiveQuery(lo, hi, &yes, &yes)
		r.SetField(fieldYear)
		must = append(must, r)
	}
	if len(must) == 0 {
		return q
	}
	b := query.NewBooleanQuery([]query.Query{q}, nil, nil)
	b.Filter = query.NewConjunctionQuery(must)
	return b
}

// sortOrder gives each order a final tie-break on the id so that pages never overlap.
func sortOrder(s catalog.Sort) ([]string, error) {
	switch s {
	case catalog.SortRelevance:
		return []string{"-_score", "_id"}, nil
	case catalog.SortNewest:
		return []string{"-" + catalog.FieldSortDate, "-" + fieldDatestamp, "_id"}, nil
	case catalog.SortTitle:
		return []string{catalog.FieldSortTitle, "_id"}, nil
	}
	return nil, fmt.Errorf("%w: unknown sort %q", catalog.ErrInvalid, s)
}

// Search runs req: every query word must match (with typos, prefixes and stems), the filter
// narrows the hits and the facet counts alike.
func (ix *Index) Search(ctx context.Context, req catalog.SearchRequest) (catalog.SearchResult, error) {
	req.Normalize()
	if err := catalog.CheckQuery(req.Query); err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	order, err := sortOrder(req.Sort)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	words := ix.words(req.Query)
	var q query.Query = query.NewMatchAllQuery()
	if len(words) > 0 {
		q = textQuery(words)
	}
	for _, f := range req.Facets {
		if !contains(catalog.Facets, f) {
			return catalog.SearchResult{}, fmt.Errorf("search: %w: unknown facet %q", catalog.ErrInvalid, f)
		}
	}
	filtered := withFilter(q, req.Filter)
	release, err := holdAutomata(ctx, words, len(req.Facets) > 0)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	defer release()
	sr := bleve.NewSearchRequestOptions(filtered, req.PerPage, (req.Page-1)*req.PerPage, false)
	sr.Fields = []string{fieldSource}
	sr.SortBy(order)
	// Facets are counted by a second search over the same matches, without scores or sorting,
	// that runs beside the first: the page waits for the slower of the two, not their sum. A
	// write landing between the two can make them differ by that write.
	var facets chan facetResult
	if len(req.Facets) > 0 {
		facets = make(chan facetResult, 1)
		go func() { facets <- ix.countFacets(ctx, filtered) }()
	}
	res, err := ix.bleve.SearchInContext(ctx, sr)
	var fr facetResult
	if facets != nil {
		fr = <-facets
	}
	if err == nil {
		err = fr.err
	}
	if err != nil {
		// The query stays out of the error: it may be long, and errors reach clients.
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	out := catalog.SearchResult{Total: int(res.Total), Hits: make([]catalog.Hit, 0, len(res.Hits)), Facets: map[string]map[string]int{}}
	for _, h := range res.Hits {
		r, err := decode(h)
		if err != nil {
			return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
		}
		m := ix.matcher(words, stemLangs(r.Languages))
		out.Hits = append(out.Hits, catalog.Hit{Record: r, TitleHTML: m.mark(r.Title), Snippet: m.snippet(r.Description)})
	}
	out.Facets = splitFacets(fr.terms, req.Facets)
	return out, nil
}

// automataBudget bounds the memory the typo automata of all running searches hold together;
// a search whose automata do not fit waits for others to finish, or for its client to go.
const automataBudget = 16 << 20

var automata = semaphore.NewWeighted(automataBudget)

// Bytes a typo automaton takes per letter of its word, measured: Bleve builds one for each
// field a word is fuzzy in, and once more for the facet counts.
const (
	automatonBytesOneTypo  = 28 << 10
	automatonBytesTwoTypos = 80 << 10
	fuzzyFields            = 2
)

// holdAutomata reserves the memory the typo automata of words will take until release is
// called.
func holdAutomata(ctx context.Context, words []word, facets bool) (release func(), err error) {
	var n int64
	for _, w := range words {
		per := int64(automatonBytesOneTypo)
		switch w.typos {
		case 0:
			continue
		case 2:
			per = automatonBytesTwoTypos
		}
		n += per * int64(utf8.RuneCountInString(w.text)+1) * fuzzyFields
	}
	if facets {
		n *= 2
	}
	if n == 0 {
		return func() {}, nil
	}
	n = min(n, automataBudget)
	if err := automata.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { automata.Release(n) }, nil
}

type facetResult struct {
	terms *search.FacetResult
	err   error
}

// countFacets counts the facet values of every record q matches.
func (ix *Index) countFacets(ctx context.Context, q query.Query) facetResult {
	sr := bleve.NewSearchRequestOptions(q, 0, 0, false)
	sr.Score = "none"
	sr.AddFacet(fieldFacets, bleve.NewFacetRequest(fieldFacets, allFacetValues))
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return facetResult{err: err}
	}
	return facetResult{terms: res.Facets[fieldFacets]}
}

// allFacetValues lets the combined facet field count every value; splitFacets keeps the top
// maxFacetValues of each facet.
const allFacetValues = 1 << 30

// splitFacets turns the counts of the combined facet field into counts per requested facet,
// each cut to its maxFacetValues most frequent values.
func splitFacets(fr *search.FacetResult, want []string) map[string]map[string]int {
	type count struct {
		term string
		n    int
	}
	byFacet := map[string][]count{}
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			facet, value, ok := strings.Cut(t.Term, facetSep)
			if ok {
				byFacet[facet] = append(byFacet[facet], count{value, t.Count})
			}
		}
	}
	out := make(map[string]map[string]int, len(want))
	for _, f := range want {
		cs := byFacet[f]
		slices.SortFunc(cs, func(a, b count) int { return cmp.Or(b.n-a.n, strings.Compare(a.term, b.term)) })
		m := make(map[string]int, min(len(cs), maxFacetValues))
		for _, c := range cs[:min(len(cs), maxFacetValues)] {
			m[c.term] = c.n
		}
		out[f] = m
	}
	return out
}
