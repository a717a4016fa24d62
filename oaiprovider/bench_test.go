package oaiprovider_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/orchard-oer/orchard/oaiprovider"
)

// BenchmarkListRecords harvests a catalog of 10,000 records from the embedded index through
// the provider, page by page with resumption tokens, at the default page size; HTTP is left
// out. It reports records per second.
func BenchmarkListRecords(b *testing.B) {
	const n = 10_000
	r := newRepo(b, n)
	p, err := oaiprovider.New(oaiprovider.Config{BaseURL: "http://orchard.test/oai", AdminEmails: []string{"oai@example.org"},
		Key: []byte("0123456789abcdef0123")}, r.index, r.graves, nil)
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
