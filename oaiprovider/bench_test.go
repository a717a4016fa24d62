package oaiprovider_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/oaiprovider"
)

// BenchmarkListRecords harvests a catalog of 10,000 records through the provider, page by page
// with resumption tokens, at the default page size, from each index backend; HTTP is left out.
// It reports records per second.
func BenchmarkListRecords(b *testing.B) {
	const n = 10_000
	r := newRepo(b, n)
	indexes := []struct {
		name string
		open func(b *testing.B) catalog.Index
	}{
		{"embedded", func(*testing.B) catalog.Index { return r.index }},
		{"meilisearch", func(b *testing.B) catalog.Index {
			srv := testenv.Meili(b)
			ix, err := meili.New(context.Background(), meili.Config{URL: srv.URL, Key: srv.MasterKey, Index: testenv.IndexName("oai_bench")}, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = ix.DeleteIndex(context.Background()) })
			if err := ix.Upsert(context.Background(), generated(n)); err != nil {
				b.Fatal(err)
			}
			return ix
		}},
	}
	for _, ixc := range indexes {
		b.Run("index="+ixc.name, func(b *testing.B) {
			p, err := oaiprovider.New(oaiprovider.Config{BaseURL: "http://orchard.test/oai", AdminEmails: []string{"oai@example.org"},
				Key: []byte("0123456789abcdef0123")}, ixc.open(b), r.graves, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, prefix := range []string{"oai_dc", "lom"} {
				b.Run(prefix, func(b *testing.B) {
					records := 0
					for b.Loop() {
						got := harvestAll(b, p, prefix)
						if got != n+10 { // and nine dated fixtures (one hidden, served as deleted) and a tombstone
							b.Fatalf("harvested %d records, want %d", got, n+10)
						}
						records += got
					}
					b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
				})
			}
		})
	}
}

// harvestAll lists every record in prefix and returns how many records and tombstones came.
func harvestAll(b *testing.B, p *oaiprovider.Provider, prefix string) int {
	args := url.Values{"verb": {"ListRecords"}, "metadataPrefix": {prefix}}
	count := 0
	for {
		body, err := p.Respond(context.Background(), args)
		if err != nil {
			b.Fatal(err)
		}
		count += bytes.Count(body, []byte("<record>"))
		m := tokenRe.FindSubmatch(body)
		if m == nil {
			return count
		}
		args = url.Values{"verb": {"ListRecords"}, "resumptionToken": {string(m[1])}}
	}
}
