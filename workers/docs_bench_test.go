package workers

import (
	"fmt"
	"testing"
)

// BenchmarkDocsLookup reads the documents of a page of 100 keys, of which every 50th exists
// among 400 stored: one GetMany against one Get per key.
func BenchmarkDocsLookup(b *testing.B) {
	s := openSystem(b, Config{})
	d, err := s.Docs(b.Context(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 20000; i += 50 {
		if _, err := d.Put(b.Context(), fmt.Sprintf("rec_%d", i), map[string]bool{"hidden": true}); err != nil {
			b.Fatal(err)
		}
	}
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = fmt.Sprintf("rec_%d", 5000+i)
	}
	b.Run("GetMany", func(b *testing.B) {
		for b.Loop() {
			if m, err := d.GetMany(b.Context(), keys); err != nil || len(m) != 2 {
				b.Fatal(len(m), err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		for b.Loop() {
			found := 0
			for _, k := range keys {
				var v map[string]bool
				if _, err := d.Get(b.Context(), k, &v); err == nil {
					found++
				}
			}
			if found != 2 {
				b.Fatal(found)
			}
		}
	})
}
