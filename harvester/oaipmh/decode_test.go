package oaipmh

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
	"golang.org/x/text/encoding/charmap"
)

const dcOpen = `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">`

func dcRecord(id, title string) string {
	return fmt.Sprintf(`<record><header><identifier>%s</identifier><datestamp>2024-01-01</datestamp></header><metadata>%s<dc:title>%s</dc:title></oai_dc:dc></metadata></record>`, id, dcOpen, title)
}

func listRecords(decl string, records ...string) string {
	return decl + `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-05-01T10:00:00Z</responseDate><request>x</request><ListRecords>` +
		strings.Join(records, "\n") + `<resumptionToken completeListSize="10" cursor="0">next</resumptionToken></ListRecords></OAI-PMH>`
}

func titles(r *Response) []string {
	var ts []string
	for _, rec := range r.Records {
		ts = append(ts, strings.Join(rec.Titles, "|"))
	}
	return ts
}

func TestDecodeEncodings(t *testing.T) {
	latin1 := func(s string) string {
		b, _ := charmap.ISO8859_1.NewEncoder().String(s)
		return b
	}
	utf16 := func(s string) string {
		var b []byte
		b = append(b, 0xFF, 0xFE)
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	tests := []struct {
		name string
		body string
		want string
	}{
		{"utf-8", listRecords(`<?xml version="1.0" encoding="UTF-8"?>`, dcRecord("a", "Ünïcødé")), "Ünïcødé"},
		{"BOM", "\xef\xbb\xbf" + listRecords(`<?xml version="1.0"?>`, dcRecord("a", "Ünïcødé")), "Ünïcødé"},
		{"latin-1 declared", latin1(listRecords(`<?xml version="1.0" encoding="ISO-8859-1"?>`, dcRecord("a", "Ünïcødé"))), "Ünïcødé"},
		{"latin-1 declared, utf-8 sent", listRecords(`<?xml version="1.0" encoding="ISO-8859-1"?>`, dcRecord("a", "Ünïcødé")), "Ünïcødé"},
		{"utf-8 declared, latin-1 bytes", listRecords(`<?xml version="1.0" encoding="UTF-8"?>`, dcRecord("a", latin1("Ünïcødé"))), "Ünïcødé"},
		{"windows-1252 declared", "<?xml version='1.0' encoding='windows-1252'?>" + listRecords("", dcRecord("a", "\x93quoted\x94")), "“quoted”"},
		{"utf-16 with BOM", utf16(listRecords(`<?xml version="1.0" encoding="UTF-16"?>`, dcRecord("a", "Ünïcødé"))), "Ünïcødé"},
		{"control characters", listRecords("", dcRecord("a", "bell\x07 form\x0cfeed &#x1;&#27;ok")), "bell formfeed ok"},
		{"non-characters", listRecords("", dcRecord("a", "a\uFFFEb\uFFFFc")), "abc"},
		{"HTML entity", listRecords("", dcRecord("a", "a&nbsp;b")), "a\u00a0b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode([]byte(tt.body), "oai_dc")
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(r); len(got) != 1 || got[0] != tt.want {
				t.Errorf("titles %q, want %q", got, tt.want)
			}
			if r.Token == nil || r.Token.Value != "next" {
				t.Errorf("token %v", r.Token)
			}
		})
	}
}

func TestDecodeQuarantine(t *testing.T) {
	unbound := `<record><header><identifier>bad-ns</identifier><datestamp>2024-01-01</datestamp></header><metadata><x:dc><x:title>t</x:title></x:dc></metadata></record>`
	syntax := `<record><header><identifier>bad-syntax</identifier><datestamp>2024-01-01</datestamp></header><metadata>` + dcOpen + `<dc:title>a < b</dc:title></oai_dc:dc></metadata></record>`
	noID := `<record><header><datestamp>2024-01-01</datestamp></header><metadata>` + dcOpen + `</oai_dc:dc></metadata></record>`
	// A MARC record nested in metadata is named record too, but has no header.
	marc := `<record><header><identifier>marc</identifier><datestamp>2024-01-01</datestamp></header><metadata><record xmlns="http://www.loc.gov/MARC21/slim"><leader>x</leader></record></metadata></record>`
	tests := []struct {
		name    string
		records []string
		want    []string // titles of the records read
		quar    []string // identifiers quarantined
	}{
		{"unbound prefix", []string{dcRecord("1", "one"), unbound, dcRecord("2", "two")}, []string{"one", "two"}, []string{"bad-ns"}},
		{"syntax error", []string{dcRecord("1", "one"), syntax, dcRecord("2", "two")}, []string{"one", "two"}, []string{"bad-syntax"}},
		{"syntax error last", []string{dcRecord("1", "one"), syntax}, []string{"one"}, []string{"bad-syntax"}},
		{"two broken", []string{syntax, dcRecord("1", "one"), unbound, marc, dcRecord("2", "two")}, []string{"one", "", "two"}, []string{"bad-syntax", "bad-ns"}},
		{"no identifier", []string{noID, dcRecord("1", "one")}, []string{"one"}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode([]byte(listRecords("", tt.records...)), "oai_dc")
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(r); !slices.Equal(got, tt.want) {
				t.Errorf("titles %q, want %q", got, tt.want)
			}
			var q []string
			for _, x := range r.Quarantined {
				q = append(q, x.OriginID)
				if x.Reason == "" {
					t.Errorf("no reason for %s", x.OriginID)
				}
			}
			if !slices.Equal(q, tt.quar) {
				t.Errorf("quarantined %q, want %q", q, tt.quar)
			}
			// The token after the broken records is still found.
			if r.Token == nil || r.Token.Value != "next" || r.Token.CompleteListSize != 10 {
				t.Errorf("token %v", r.Token)
			}
		})
	}
}

func TestDecodeEnvelope(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		kind    harvester.Kind // KindOther for success
		notOAI  bool
		records int
	}{
		{"prefixed envelope", `<oai:OAI-PMH xmlns:oai="http://www.openarchives.org/OAI/2.0/"><oai:responseDate>2024-01-01T00:00:00Z</oai:responseDate><oai:ListRecords>` +
			strings.ReplaceAll(strings.ReplaceAll(dcRecord("a", "t"), "<record>", "<oai:record>"), "</record>", "</oai:record>") + `</oai:ListRecords></oai:OAI-PMH>`, harvester.KindOther, false, 1},
		{"no namespace", `<OAI-PMH><ListRecords>` + dcRecord("a", "t") + `</ListRecords></OAI-PMH>`, harvester.KindOther, false, 1},
		{"html", `<!DOCTYPE html><html><head><title>Error</title></head><body><p>Server error<br></body></html>`, harvester.KindPermanent, true, 0},
		{"other xml", `<rss><channel/></rss>`, harvester.KindPermanent, true, 0},
		{"empty", ``, harvester.KindTransient, false, 0},
		{"truncated", listRecords("", dcRecord("a", "t"))[:200], harvester.KindTransient, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode([]byte(tt.body), "oai_dc")
			if tt.kind == harvester.KindOther {
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Records) != tt.records {
					t.Errorf("%d records, want %d", len(r.Records), tt.records)
				}
				return
			}
			if harvester.KindOf(err) != tt.kind || errors.Is(err, ErrNotOAI) != tt.notOAI {
				t.Errorf("err = %v (kind %v), want kind %v, not OAI %v", err, harvester.KindOf(err), tt.kind, tt.notOAI)
			}
		})
	}
}

func TestProtocolErrors(t *testing.T) {
	for code := range knownCodes {
		r, err := Decode([]byte(`<OAI-PMH><error code="`+code+`">why</error></OAI-PMH>`), "")
		if err != nil {
			t.Fatal(err)
		}
		var pe *ProtocolError
		if err := protocolErr("op", r); !errors.As(err, &pe) || pe.Code != code || pe.Message != "why" {
			t.Errorf("%s: %v", code, err)
		}
	}
	r, _ := Decode([]byte(`<OAI-PMH><error code="strange">odd</error></OAI-PMH>`), "")
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "unknown OAI-PMH error code strange") {
		t.Errorf("unknown code: %v", err)
	}
}
