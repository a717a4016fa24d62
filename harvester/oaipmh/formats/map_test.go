package formats

import (
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

// mapString maps the first element of doc, then checks that Map consumed exactly that element.
func mapString(t *testing.T, doc string) (harvester.Record, error) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var rec harvester.Record
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no element in %q: %v", doc, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			err := Map(d, se, &rec)
			if err == nil {
				if _, after := d.Token(); after != io.EOF {
					t.Errorf("Map did not consume through the end of <%s>: next token error %v", se.Name.Local, after)
				}
			}
			return rec, err
		}
	}
}

func TestMapSmall(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want harvester.Record
	}{
		{
			name: "oai_dc",
			doc: `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
				<dc:title>A title</dc:title><dc:creator>Doe, Jane</dc:creator><dc:subject>Maths</dc:subject>
				<dc:description>About</dc:description><dc:date>2019-05</dc:date><dc:type>Text</dc:type>
				<dc:language>de</dc:language><dc:identifier> https://example.org/1 </dc:identifier>
				<dc:rights>CC BY 4.0 </dc:rights><dc:rights>info:eu-repo/semantics/openAccess</dc:rights></oai_dc:dc>`,
			want: harvester.Record{Format: FormatDC, Titles: []string{"A title"}, Creators: []string{"Doe, Jane"},
				Subjects: []string{"Maths"}, Descriptions: []string{"About"}, Dates: []string{"2019-05"}, Types: []string{"Text"},
				Languages: []string{"de"}, Identifiers: []string{"https://example.org/1"},
				Rights: []harvester.Rights{{From: "dc:rights", Value: "CC BY 4.0 ", Scope: harvester.ScopeResource},
					{From: "dc:rights", Value: "info:eu-repo/semantics/openAccess", Scope: harvester.ScopeAccess}}},
		},
		{
			name: "dcterms license with rdf:resource",
			doc: `<x:qdc xmlns:x="http://example.org/qdc" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
				<dcterms:issued>2001</dcterms:issued><dcterms:modified>2002</dcterms:modified><dcterms:created>2000</dcterms:created>
				<dcterms:license rdf:resource="https://creativecommons.org/licenses/by/4.0/"/>
				<dcterms:accessRights>open</dcterms:accessRights></x:qdc>`,
			want: harvester.Record{Format: FormatGeneric, Dates: []string{"2001", "2000", "2002"},
				Rights: []harvester.Rights{
					{From: "dcterms:license@rdf:resource", Value: "https://creativecommons.org/licenses/by/4.0/", Scope: harvester.ScopeResource},
					{From: "dcterms:accessRights", Value: "open", Scope: harvester.ScopeAccess}}},
		},
		{
			name: "single dc element under metadata",
			doc:  `<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Alone</dc:title>`,
			want: harvester.Record{Format: FormatDC, Titles: []string{"Alone"}},
		},
		{
			name: "unknown format",
			doc: `<DIF xmlns="http://gcmd.gsfc.nasa.gov/Aboutus/xml/dif/"><Entry_Title>Ice</Entry_Title>
				<Use_Constraints>Free to use</Use_Constraints><Summary><Abstract>Cold</Abstract></Summary></DIF>`,
			want: harvester.Record{Format: FormatGeneric, Titles: []string{"Ice"}, Descriptions: []string{"Cold"},
				Rights: []harvester.Rights{{From: "Use_Constraints", Value: "Free to use", Scope: harvester.ScopeResource}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapString(t, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMapErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		unbound   bool
	}{
		{"unbound element prefix", `<qdc:qualifieddc><dc:title>x</dc:title></qdc:qualifieddc>`, true},
		{"unbound prefix inside", `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:title>x</dc:title></oai_dc:dc>`, true},
		{"unbound attribute prefix", `<a xmlns="http://example.org/"><b xsi:type="x">y</b></a>`, true},
		{"truncated", `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><title>x</title>`, false},
		{"mismatched", `<a xmlns="http://example.org/"><rights>x</b></a>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mapString(t, tt.doc)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, errUnboundPrefix) != tt.unbound {
				t.Errorf("error %v: unbound prefix = %v, want %v", err, !tt.unbound, tt.unbound)
			}
		})
	}
}
