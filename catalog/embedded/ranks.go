package embedded

import (
	"slices"
	"strings"
)

// idRanks orders documents as their ids do by numbers: relevance ties are common (a third of a
// large catalog may score alike for a word with many typo forms) and are broken by id, and
// comparing two numbers costs far less than comparing two ids with a long common prefix.
type idRanks struct {
	sorted []uint32 // the live documents numbered below len(rank), by id
	rank   []uint32 // by document number: its place in sorted
}

// staleRanks is how many documents may be added after ranks were built before a search builds
// them again; until then such documents are compared by their ids.
func staleRanks(docs int) int { return max(1024, docs/8) }

// idLess returns a comparison of documents by id. Ranks are built lazily by a search, so that
// writes never pay for them; a document removed since keeps its rank, harmlessly, as document
// numbers are never reused. Callers hold the index's read lock.
func (m *memory) idLess() func(a, b uint32) bool {
	r := m.ranks.Load()
	if r == nil || len(m.docs)-len(r.rank) > staleRanks(len(m.docs)) {
		r = m.rerank()
	}
	d, rank := m.docs, r.rank
	return func(a, b uint32) bool {
		if int(a) < len(rank) && int(b) < len(rank) {
			return rank[a] < rank[b]
		}
		return d[a].id < d[b].id
	}
}

// rerank merges the documents added since ranks were built into them, leaving out those removed.
func (m *memory) rerank() *idRanks {
	m.rankMu.Lock()
	defer m.rankMu.Unlock()
	old := m.ranks.Load()
	if old != nil && len(m.docs)-len(old.rank) <= staleRanks(len(m.docs)) {
		return old // built by another search meanwhile
	}
	if old == nil {
		old = &idRanks{}
	}
	d := m.docs
	var fresh []uint32
	for n := len(old.rank); n < len(d); n++ {
		if d[n].id != "" {
			fresh = append(fresh, uint32(n))
		}
	}
	byID := func(a, b uint32) int { return strings.Compare(d[a].id, d[b].id) }
	slices.SortFunc(fresh, byID)
	r := &idRanks{sorted: make([]uint32, 0, len(old.sorted)+len(fresh)), rank: make([]uint32, len(d))}
	i, j := 0, 0
	for i < len(old.sorted) || j < len(fresh) {
		var n uint32
		if j == len(fresh) || (i < len(old.sorted) && byID(old.sorted[i], fresh[j]) < 0) {
			n, i = old.sorted[i], i+1
		} else {
			n, j = fresh[j], j+1
		}
		if d[n].id != "" {
			r.rank[n] = uint32(len(r.sorted))
			r.sorted = append(r.sorted, n)
		}
	}
	m.ranks.Store(r)
	return r
}
