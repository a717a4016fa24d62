package oaipmh

import (
	"testing"
)

// FuzzDecode feeds the page decoder arbitrary bytes: it must not panic or hang, and whatever it
// returns must be consistent. Seeds are in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(listRecords(`<?xml version="1.0" encoding="ISO-8859-1"?>`, dcRecord("a", "t\xe9"), dcRecord("b", "<x"))))
	f.Add([]byte(`<OAI-PMH><ListIdentifiers><header status="deleted"><identifier>x</identifier></header><resumptionToken expirationDate="2024-01-01T00:00:00Z" cursor="5">t</resumptionToken></ListIdentifiers></OAI-PMH>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Decode(body, "oai_dc")
		if err != nil {
			return
		}
		for _, rec := range r.Records {
			if rec.OriginID == "" {
				t.Errorf("record without identifier emitted: %+v", rec)
			}
			if rec.Format != "oai_dc" {
				t.Errorf("format %q", rec.Format)
			}
		}
	})
}
