package workers

import (
	"fmt"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// BenchmarkPipeline measures records per second from harvested pages through normalize into
// the index, with 1, 2 and 4 workers sharing 8 sources of 1,000 records (pages of 100).
func BenchmarkPipeline(b *testing.B) {
	indexes := []struct {
		name string
		open func(b *testing.B) catalog.Index
	}{
		{"embedded", func(b *testing.B) catalog.Index { return openIndex(b, b.TempDir()) }},
		{"meilisearch", func(b *testing.B) catalog.Index {
			srv := testenv.Meili(b)
			return openMeili(b, srv.URL, srv.MasterKey, testenv.IndexName("workers_bench"))
		}},
	}
	const sources, pages, per = 8, 10, 100
	for _, ixc := range indexes {
		for _, n := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("index=%s/workers=%d", ixc.name, n), func(b *testing.B) {
				ix := ixc.open(b)
				s := openSystem(b, fastConfig(b.TempDir()))
				ctx := b.Context()
				for i := range sources {
					if _, err := s.Sources().Add(ctx, testSource(fmt.Sprintf("bench-%d", i))); err != nil {
						b.Fatal(err)
					}
				}
				startWorkers(b, s, pipeline(ix, &pager{pages: pages, per: per}), n)
				b.ResetTimer()
				start := time.Now()
				var names []string
				for i := range sources {
					names = append(names, fmt.Sprintf("bench-%d", i))
				}
				for b.Loop() {
					harvestNow(b, s, names...)
				}
				b.ReportMetric(float64(b.N*sources*pages*per)/time.Since(start).Seconds(), "records/s")
			})
		}
	}
}
