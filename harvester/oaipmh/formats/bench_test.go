package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// BenchmarkMap reports records per second for reading whole ListRecords responses (envelope
// tokens included) and mapping each record's metadata.
func BenchmarkMap(b *testing.B) {
	dir := testenv.Corpus(b)
	for _, bm := range []struct{ name, file string }{
		{"oai_dc", "oai/dspace-mit/ListRecords_oai_dc_2015.xml"},
		{"lom", "oai/cesta-ufrgs/ListRecords_lom.xml"},
		{"datacite", "oai/zenodo/ListRecords_datacite.xml"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			doc, err := os.ReadFile(filepath.Join(dir, bm.file))
			if err != nil {
				b.Fatal(err)
			}
			recs, err := walkRecords(bytes.NewReader(doc))
			if err != nil || len(recs) == 0 {
				b.Fatalf("%d records, %v", len(recs), err)
			}
			b.SetBytes(int64(len(doc)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := walkRecords(bytes.NewReader(doc)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
