package embedded

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/vocab/isced"
)

// The index in memory: every posting list is a roaring bitmap of document numbers, so that a
// filter is a few bitmap operations and a facet count is the cardinality of an intersection.
// Document numbers are given out in order and never reused; a removed record's number leaves
// every bitmap and the live set.

// postings holds the documents a folded word occurs in, by field.
type postings struct {
	title, body *roaring.Bitmap
}

// doc is what the index keeps of one record besides its postings: where its JSON lies in the
// log and the keys it sorts by.
type doc struct {
	id        string
	at        entry
	sortDate  string
	dateHead  uint64 // the first 8 bytes of sortDate, big-endian: most comparisons end here
	datestamp string
	sortTitle string
	listDate  string
}

// head packs the first 8 bytes of s into a number that orders as the strings do (a shorter
// string is padded with zero bytes, which sort first, as its end does).
func head(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

// flagValues are the record's yes/no fields filters use: withheld (hidden, or its link broken),
// commercial, derivatives, open and commons. The index keeps a bitmap of the records for which
// each is true.
func flagValues(r *catalog.Record) [5]bool {
	return [5]bool{r.Withheld(), r.License.Commercial, r.License.Derivatives, r.License.Open, r.License.Commons()}
}

// memory is the searchable state of an index. It is not safe for concurrent use: Index guards it.
type memory struct {
	docs   []doc
	ids    map[string]uint32
	live   *roaring.Bitmap
	words  map[string]*postings
	dict   []string // the keys of words, sorted, for prefix and typo expansion
	fresh  []string // keys of words added since dict was last merged
	forgot bool     // words lost keys since then
	stems  map[string]map[string]*roaring.Bitmap
	facets map[string]map[string]*roaring.Bitmap
	flags  [5]*roaring.Bitmap // by flagValues
	ranks  atomic.Pointer[idRanks]
	rankMu sync.Mutex // held while ranks is rebuilt
}

func newMemory() *memory {
	m := &memory{ids: map[string]uint32{}, live: roaring.New(), words: map[string]*postings{},
		stems: map[string]map[string]*roaring.Bitmap{}, facets: map[string]map[string]*roaring.Bitmap{}}
	for lang := range stemLanguages {
		m.stems[lang] = map[string]*roaring.Bitmap{}
	}
	for _, f := range catalog.Facets {
		m.facets[f] = map[string]*roaring.Bitmap{}
	}
	for i := range m.flags {
		m.flags[i] = roaring.New()
	}
	return m
}

// analyzed is a record broken into what the index keeps of it. Analysis needs no lock, so a
// batch is analyzed in parallel before it is applied.
type analyzed struct {
	rec    catalog.Record
	json   []byte
	title  []string // distinct folded words
	body   []string
	stems  map[string][]string // by language: distinct stems of title and body
	facets [][2]string         // facet, value
}

// analyze breaks r into its terms and JSON. r must be valid.
func (ix *Index) analyze(r *catalog.Record) (analyzed, error) {
	a := analyzed{rec: *r}
	var err error
	if a.json, err = json.Marshal(r); err != nil {
		return a, fmt.Errorf("encode %s: %w", r.ID, err)
	}
	ix.terms(r, &a)
	return a, nil
}

// terms fills the words, stems and facet values of a.
func (ix *Index) terms(r *catalog.Record, a *analyzed) {
	title := map[string]struct{}{}
	ix.analyzers.words(norm.NFC.String(r.Title), title)
	body := map[string]struct{}{}
	ix.analyzers.words(norm.NFC.String(r.Description), body)
	// The labels of the record's fields, in every language, join the body: a field's name
	// finds what is filed under it.
	for _, list := range [][]string{r.Creators, r.Subjects, r.Keywords, isced.Default().Labels(r.Fields)} {
		for _, s := range list {
			ix.analyzers.words(norm.NFC.String(s), body)
		}
	}
	a.title, a.body = keys(title), keys(body)
	for _, lang := range stemLangs(r.Languages) {
		if a.stems == nil {
			a.stems = map[string][]string{}
		}
		for w := range title {
			body[w] = struct{}{}
		}
		a.stems[lang] = ix.stemsOf(lang, keys(body))
	}
	for _, f := range catalog.Facets {
		for _, v := range r.FacetValues(f) {
			a.facets = append(a.facets, [2]string{f, v})
		}
	}
}

func keys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func bitmapOf(m map[string]*roaring.Bitmap, key string) *roaring.Bitmap {
	b := m[key]
	if b == nil {
		b = roaring.New()
		m[key] = b
	}
	return b
}

// add indexes a as document n.
func (m *memory) add(n uint32, a *analyzed, at entry) {
	r := &a.rec
	d := doc{id: r.ID, at: at, sortDate: r.DateKey(), datestamp: r.Datestamp, sortTitle: r.TitleKey(), listDate: r.ListDate()}
	d.dateHead = head(d.sortDate)
	for int(n) >= len(m.docs) {
		m.docs = append(m.docs, doc{})
	}
	m.docs[n] = d
	m.ids[r.ID] = n
	m.live.Add(n)
	for _, w := range a.title {
		m.posting(w).title.Add(n)
	}
	for _, w := range a.body {
		m.posting(w).body.Add(n)
	}
	for lang, stems := range a.stems {
		for _, s := range stems {
			bitmapOf(m.stems[lang], s).Add(n)
		}
	}
	for _, fv := range a.facets {
		bitmapOf(m.facets[fv[0]], fv[1]).Add(n)
	}
	for i, v := range flagValues(r) {
		if v {
			m.flags[i].Add(n)
		}
	}
}

func (m *memory) posting(w string) *postings {
	p := m.words[w]
	if p == nil {
		p = &postings{title: roaring.New(), body: roaring.New()}
		m.words[w] = p
		m.fresh = append(m.fresh, w)
	}
	return p
}

// remove takes document n, analyzed as a, out of every bitmap; words and values left without
// documents are forgotten.
func (m *memory) remove(n uint32, a *analyzed) {
	m.live.Remove(n)
	delete(m.ids, m.docs[n].id)
	m.docs[n] = doc{}
	for _, list := range [][]string{a.title, a.body} {
		for _, w := range list {
			if p := m.words[w]; p != nil {
				p.title.Remove(n)
				p.body.Remove(n)
				if p.title.IsEmpty() && p.body.IsEmpty() {
					delete(m.words, w)
					m.forgot = true
				}
			}
		}
	}
	for lang, stems := range a.stems {
		for _, s := range stems {
			dropFrom(m.stems[lang], s, n)
		}
	}
	for _, fv := range a.facets {
		dropFrom(m.facets[fv[0]], fv[1], n)
	}
	for _, b := range m.flags {
		b.Remove(n)
	}
}

func dropFrom(m map[string]*roaring.Bitmap, key string, n uint32) {
	if b := m[key]; b != nil {
		b.Remove(n)
		if b.IsEmpty() {
			delete(m, key)
		}
	}
}

// settle brings the sorted dictionary up to date after writes: words added are merged in,
// words forgotten are dropped. It costs one pass over the dictionary, not a sort of it.
func (m *memory) settle() {
	if len(m.fresh) == 0 && !m.forgot {
		return
	}
	slices.Sort(m.fresh)
	dict := make([]string, 0, len(m.dict)+len(m.fresh))
	i, j := 0, 0
	for i < len(m.dict) || j < len(m.fresh) {
		var w string
		if j == len(m.fresh) || (i < len(m.dict) && m.dict[i] < m.fresh[j]) {
			w, i = m.dict[i], i+1
		} else {
			w, j = m.fresh[j], j+1
		}
		if _, ok := m.words[w]; ok && (len(dict) == 0 || dict[len(dict)-1] != w) {
			dict = append(dict, w)
		}
	}
	m.dict, m.fresh, m.forgot = dict, m.fresh[:0], false
}

// yearRange is the union of the year facet's values within [from, to] (0 for no bound).
func (m *memory) yearRange(from, to int) *roaring.Bitmap {
	var in []*roaring.Bitmap
	for v, b := range m.facets[catalog.FacetYear] {
		y, err := strconv.Atoi(v)
		if err == nil && (from == 0 || y >= from) && (to == 0 || y <= to) {
			in = append(in, b)
		}
	}
	return roaring.FastOr(in...)
}

// filter returns the live documents f lets through.
func (m *memory) filter(f catalog.Filter) *roaring.Bitmap {
	out := m.live.Clone()
	if !f.WithHidden {
		out.AndNot(m.flags[0])
	}
	for _, t := range f.FacetTerms() {
		anyOf := make([]*roaring.Bitmap, 0, len(t.Values))
		for _, v := range t.Values {
			if b := m.facets[t.Facet][v]; b != nil {
				anyOf = append(anyOf, b)
			}
		}
		out.And(roaring.FastOr(anyOf...))
	}
	for i, v := range []*bool{nil, f.Commercial, f.Derivatives, f.Open, f.Commons} {
		switch {
		case v == nil:
		case *v:
			out.And(m.flags[i])
		default:
			out.AndNot(m.flags[i])
		}
	}
	if f.YearFrom != 0 || f.YearTo != 0 {
		out.And(m.yearRange(f.YearFrom, f.YearTo))
	}
	return out
}

// prefixed returns the range of dict that starts with p.
func prefixed(dict []string, p string) []string {
	lo, _ := slices.BinarySearch(dict, p)
	hi := lo
	for hi < len(dict) && strings.HasPrefix(dict[hi], p) {
		hi++
	}
	return dict[lo:hi]
}
