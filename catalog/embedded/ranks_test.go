package embedded

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestIDLess holds the comparison by ranks to the comparison of ids, through documents added
// (some after the ranks were built, some forcing them to be built again) and removed.
func TestIDLess(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := newMemory()
	add := func(k int) {
		for range k {
			m.docs = append(m.docs, doc{id: fmt.Sprintf("source-%02d_%08x", rng.IntN(3), rng.Uint32())})
		}
	}
	check := func(stage string) {
		t.Helper()
		less := m.idLess()
		for range 20000 {
			a, b := uint32(rng.IntN(len(m.docs))), uint32(rng.IntN(len(m.docs)))
			if m.docs[a].id == "" || m.docs[b].id == "" {
				continue
			}
			if got, want := less(a, b), m.docs[a].id < m.docs[b].id; got != want {
				t.Fatalf("%s: less(%q, %q) = %v", stage, m.docs[a].id, m.docs[b].id, got)
			}
		}
	}
	add(3000)
	check("built")
	add(500)
	check("some added")
	for range 300 {
		m.docs[rng.IntN(len(m.docs))] = doc{}
	}
	add(2000)
	check("rebuilt")
	if r := m.ranks.Load(); len(r.rank) != len(m.docs) {
		t.Errorf("ranks cover %d of %d documents", len(r.rank), len(m.docs))
	}
}
