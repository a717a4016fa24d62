package embedded

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/orchard-oer/orchard/catalog"
)

// maxExpansions bounds the dictionary words one query word expands to by prefix, and again by
// typos: the most frequent are kept, so a one-letter prefix costs no more than a long one.
const maxExpansions = 64

// alternative is one way a query word matches: the documents matching it that way and its weight.
type alternative struct {
	docs   *roaring.Bitmap
	weight float64
}

// alternatives lists the ways w matches, heaviest first.
func (m *memory) alternatives(w word) []alternative {
	var exactTitle, exactBody []*roaring.Bitmap
	if p := m.words[w.text]; p != nil {
		exactTitle, exactBody = []*roaring.Bitmap{p.title}, []*roaring.Bitmap{p.body}
	}
	var prefixTitle, prefixBody, typoTitle, typoBody []*roaring.Bitmap
	if w.prefix {
		for _, t := range m.mostFrequent(prefixed(m.dict, w.text), w.text) {
			p := m.words[t]
			prefixTitle, prefixBody = append(prefixTitle, p.title), append(prefixBody, p.body)
		}
	}
	if w.typos > 0 {
		for _, t := range m.mostFrequent(m.nearby(w), w.text) {
			p := m.words[t]
			typoTitle, typoBody = append(typoTitle, p.title), append(typoBody, p.body)
		}
	}
	var stems []*roaring.Bitmap
	for lang, s := range w.stems {
		if b := m.stems[lang][s]; b != nil {
			stems = append(stems, b)
		}
	}
	alts := []alternative{
		{roaring.FastOr(exactTitle...), boostTitle * boostExact},
		{roaring.FastOr(prefixTitle...), boostTitle * boostPrefix},
		{roaring.FastOr(exactBody...), boostExact},
		{roaring.FastOr(typoTitle...), boostTitle * boostTypo},
		{roaring.FastOr(stems...), boostStem},
		{roaring.FastOr(prefixBody...), boostPrefix},
		{roaring.FastOr(typoBody...), boostTypo},
	}
	return slices.DeleteFunc(alts, func(a alternative) bool { return a.docs.IsEmpty() })
}

// nearby returns the dictionary words within w's typos of it. Words are looked up among those
// sharing w's first letter, as a typo in the first letter is rare and the dictionary is sorted.
func (m *memory) nearby(w word) []string {
	r, size := utf8.DecodeRuneInString(w.text)
	if r == utf8.RuneError {
		return nil
	}
	n := utf8.RuneCountInString(w.text)
	var out []string
	for _, t := range prefixed(m.dict, w.text[:size]) {
		if d := utf8.RuneCountInString(t) - n; d > w.typos || -d > w.typos || t == w.text {
			continue
		}
		if withinDistance(t, w.text, w.typos) {
			out = append(out, t)
		}
	}
	return out
}

// mostFrequent keeps the maxExpansions words of terms found in the most documents, leaving out
// exact (matched on its own).
func (m *memory) mostFrequent(terms []string, exact string) []string {
	terms = slices.DeleteFunc(slices.Clone(terms), func(t string) bool { return t == exact || m.words[t] == nil })
	if len(terms) <= maxExpansions {
		return terms
	}
	df := func(t string) uint64 { p := m.words[t]; return p.title.GetCardinality() + p.body.GetCardinality() }
	slices.SortFunc(terms, func(a, b string) int { return cmp.Compare(df(b), df(a)) })
	return terms[:maxExpansions]
}

// scratch holds per-document scores; a search takes one from the pool.
var scratch = sync.Pool{New: func() any { return new([]float64) }}

// scores weighs every document of matched by how its words match: per word the heaviest way it
// matches, times the word's rarity (inverse document frequency over unions, the documents each
// word matches in any way), summed over words.
func (m *memory) scores(matched *roaring.Bitmap, alts [][]alternative, unions []*roaring.Bitmap, into []float64) {
	total := float64(m.live.GetCardinality())
	for i, ways := range alts {
		idf := math.Log(1 + total/float64(max(unions[i].GetCardinality(), 1)))
		done := roaring.New()
		for _, a := range ways {
			hit := roaring.And(a.docs, matched)
			hit.AndNot(done)
			w := a.weight * idf
			hit.Iterate(func(n uint32) bool { into[n] += w; return true })
			done.Or(hit)
		}
	}
}

// ranked orders documents for a page; less says whether a comes before b.
type ranked struct {
	docs []uint32
	less func(a, b uint32) bool
}

func (h *ranked) Len() int           { return len(h.docs) }
func (h *ranked) Less(i, j int) bool { return h.less(h.docs[j], h.docs[i]) } // the last in order on top
func (h *ranked) Swap(i, j int)      { h.docs[i], h.docs[j] = h.docs[j], h.docs[i] }
func (h *ranked) Push(x any)         { h.docs = append(h.docs, x.(uint32)) }
func (h *ranked) Pop() any {
	x := h.docs[len(h.docs)-1]
	h.docs = h.docs[:len(h.docs)-1]
	return x
}

// top returns the first k documents of set in the order less, in that order, keeping only k at a
// time: sort keys are compared for every match but nothing is sorted beyond the page.
func top(set *roaring.Bitmap, k int, less func(a, b uint32) bool) []uint32 {
	h := &ranked{docs: make([]uint32, 0, k+1), less: less}
	it := set.Iterator()
	for it.HasNext() {
		n := it.Next()
		if len(h.docs) < k {
			heap.Push(h, n)
		} else if less(n, h.docs[0]) {
			h.docs[0] = n
			heap.Fix(h, 0)
		}
	}
	out := make([]uint32, len(h.docs))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(uint32)
	}
	return out
}

// order returns how s orders documents, each with a final tie-break on the id so that pages
// never overlap. Without scores (an empty query) relevance is the order of ids.
func (m *memory) order(s catalog.Sort, score []float64) (func(a, b uint32) bool, error) {
	d, byID := m.docs, m.idLess()
	switch s {
	case catalog.SortRelevance:
		return func(a, b uint32) bool {
			if score != nil && score[a] != score[b] {
				return score[a] > score[b]
			}
			return byID(a, b)
		}, nil
	case catalog.SortNewest:
		return func(a, b uint32) bool {
			if d[a].dateHead != d[b].dateHead {
				return d[a].dateHead > d[b].dateHead
			}
			if c := cmp.Compare(d[b].sortDate, d[a].sortDate); c != 0 {
				return c < 0
			}
			if c := cmp.Compare(d[b].datestamp, d[a].datestamp); c != 0 {
				return c < 0
			}
			return byID(a, b)
		}, nil
	case catalog.SortTitle:
		return func(a, b uint32) bool {
			if c := cmp.Compare(d[a].sortTitle, d[b].sortTitle); c != 0 {
				return c < 0
			}
			return byID(a, b)
		}, nil
	}
	return nil, fmt.Errorf("%w: unknown sort %q", catalog.ErrInvalid, s)
}

// facetCounts counts, for each facet of want, its values among matched: one intersection
// cardinality per value, cut to the maxFacetValues most frequent.
func (m *memory) facetCounts(matched *roaring.Bitmap, want []string) map[string]map[string]int {
	type count struct {
		term string
		n    int
	}
	out := make(map[string]map[string]int, len(want))
	for _, f := range want {
		var cs []count
		for v, b := range m.facets[f] {
			if n := int(matched.AndCardinality(b)); n > 0 {
				cs = append(cs, count{v, n})
			}
		}
		slices.SortFunc(cs, func(a, b count) int { return cmp.Or(b.n-a.n, strings.Compare(a.term, b.term)) })
		c := make(map[string]int, min(len(cs), maxFacetValues))
		for _, x := range cs[:min(len(cs), maxFacetValues)] {
			c[x.term] = x.n
		}
		out[f] = c
	}
	return out
}

// Search runs req: every query word must match (exactly, by stem, as a prefix or with typos),
// the filter narrows the hits and the facet counts alike. Facets are counted from the same
// matches the page is taken from; sort keys are compared in memory and only the page's records
// are read from the log.
func (ix *Index) Search(ctx context.Context, req catalog.SearchRequest) (catalog.SearchResult, error) {
	req.Normalize()
	if err := catalog.CheckQuery(req.Query); err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	for _, f := range req.Facets {
		if !contains(catalog.Facets, f) {
			return catalog.SearchResult{}, fmt.Errorf("search: %w: unknown facet %q", catalog.ErrInvalid, f)
		}
	}
	if err := ctx.Err(); err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	words := ix.words(req.Query)
	if err := ix.readLock(); err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	defer ix.mu.RUnlock()
	m := ix.mem
	matched := m.filter(req.Filter)
	alts := make([][]alternative, len(words))
	unions := make([]*roaring.Bitmap, len(words))
	for i, w := range words {
		alts[i] = m.alternatives(w)
		unions[i] = roaring.New()
		for _, a := range alts[i] {
			unions[i].Or(a.docs)
		}
		matched.And(unions[i])
		if err := ctx.Err(); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
		}
	}
	var score []float64
	if req.Sort == catalog.SortRelevance && len(words) > 0 {
		buf := scratch.Get().(*[]float64)
		if len(*buf) < len(m.docs) {
			*buf = make([]float64, len(m.docs))
		}
		score = *buf
		m.scores(matched, alts, unions, score)
		defer func() {
			matched.Iterate(func(n uint32) bool { score[n] = 0; return true })
			scratch.Put(buf)
		}()
	}
	less, err := m.order(req.Sort, score)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	from := (req.Page - 1) * req.PerPage
	page := top(matched, from+req.PerPage, less)
	page = page[min(from, len(page)):]
	out := catalog.SearchResult{Total: int(matched.GetCardinality()), Hits: make([]catalog.Hit, 0, len(page))}
	seen := map[string]bool{}
	for _, n := range page {
		r, err := ix.record(m.docs[n])
		if err != nil {
			return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
		}
		mt := ix.matcher(words, stemLangs(r.Languages), seen)
		out.Hits = append(out.Hits, catalog.Hit{Record: r, TitleHTML: mt.mark(r.Title), Snippet: mt.snippet(r.Description)})
	}
	out.Facets = m.facetCounts(matched, req.Facets)
	return out, nil
}
