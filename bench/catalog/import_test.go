package catalog

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// importCount is how many records BenchmarkImport loads: ORCHARD_BENCH_IMPORT_RECORDS, 30,000
// by default.
func importCount() int {
	if n, err := strconv.Atoi(os.Getenv("ORCHARD_BENCH_IMPORT_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 30_000
}

// writeJSONL writes recs as the JSON Lines file `orchard import` reads.
func writeJSONL(b *testing.B, recs []catalog.Record) string {
	path := filepath.Join(b.TempDir(), "records.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// importFile runs what `orchard import FILE` runs, with its default batches and window.
func importFile(b *testing.B, ix catalog.Index, path string, want int) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rep, err := catalog.Import(context.Background(), ix, f, catalog.ImportOptions{})
	if err != nil || rep.Imported != want {
		b.Fatalf("imported %d of %d: %v", rep.Imported, want, err)
	}
}

// BenchmarkImport loads a JSON Lines file of synthetic records into an empty index as
// `orchard import` does. For Meilisearch each iteration first posts the same documents straight
// to Meilisearch in batches of 5,000, all sent and then waited for (encoded beforehand, outside
// the time), and then imports the file; it reports both rates and import's share of the raw
// one, so that the ratio compares runs under the same load. The first raw load is not counted:
// it warms Meilisearch up.
func BenchmarkImport(b *testing.B) {
	recs := Records(importCount())
	path := writeJSONL(b, recs)
	b.Run("meili", func(b *testing.B) {
		srv := testenv.Meili(b)
		bodies := rawBatches(b, recs)
		fresh := func() (string, *meili.Index) {
			name := testenv.IndexName("orchard_bench_import")
			return name, newMeili(b, name) // the same settings for both
		}
		name, ix := fresh()
		rawLoad(b, srv, name, bodies)
		dropMeili(b, ix)
		var raw, imp time.Duration
		b.ResetTimer()
		b.StopTimer()
		for range b.N {
			name, ix := fresh()
			start := time.Now()
			rawLoad(b, srv, name, bodies)
			raw += time.Since(start)
			dropMeili(b, ix)

			_, ix = fresh()
			start = time.Now()
			importFile(b, ix, path, len(recs))
			imp += time.Since(start)
			dropMeili(b, ix)
		}
		n := float64(len(recs) * b.N)
		b.ReportMetric(n/imp.Seconds(), "import-docs/s")
		b.ReportMetric(n/raw.Seconds(), "raw-docs/s")
		b.ReportMetric(raw.Seconds()/imp.Seconds(), "x-raw")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("embedded", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			ix, err := embedded.Open(embedded.Config{Dir: b.TempDir()}, quiet)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			importFile(b, ix, path, len(recs))
			b.StopTimer()
			ix.Close()
		}
		reportRate(b, len(recs))
	})
}
