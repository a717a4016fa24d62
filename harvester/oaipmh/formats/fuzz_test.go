package formats

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

// FuzzMap feeds arbitrary documents to Map: it must not panic, and when it succeeds it must
// have consumed exactly the first element and kept no blank rights statement.
func FuzzMap(f *testing.F) {
	for _, s := range []string{
		`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>t</dc:title><dc:rights>CC BY</dc:rights></oai_dc:dc>`,
		`<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title><string language="en">t</string></title></general><lifeCycle><contribute><role><source>LOMv1.0</source><value>author</value></role><entity>BEGIN:VCARD\nFN:Jane Doe\nEND:VCARD</entity></contribute></lifeCycle><rights><cost><value>no</value></cost><description><string>CC BY-SA 4.0</string></description></rights></lom>`,
		`<resource xmlns="http://datacite.org/schema/kernel-4"><titles><title>t</title></titles><rightsList><rights rightsURI="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</rights></rightsList></resource>`,
		`<mods xmlns="http://www.loc.gov/mods/v3" xmlns:xlink="http://www.w3.org/1999/xlink"><titleInfo><title>t</title></titleInfo><accessCondition type="use and reproduction" xlink:href="http://rightsstatements.org/vocab/InC/1.0/">In copyright</accessCondition><relatedItem type="host"><accessCondition>x</accessCondition></relatedItem></mods>`,
		`<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader><controlfield tag="008">760625s1975    dcua     b   f000 0 eng d</controlfield><datafield tag="540" ind1=" " ind2=" "><subfield code="a">CC BY</subfield><subfield code="u">https://creativecommons.org/licenses/by/4.0/</subfield></datafield></record>`,
		`<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>1412.8544</id><authors><author><keyname>A</keyname></author></authors><license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license></arXiv>`,
		`<untl:metadata xmlns:untl="http://digital2.library.unt.edu/untl/"><untl:rights qualifier="license">by</untl:rights></untl:metadata>`,
		`<resources xmlns="http://www.openarchives.org/OAI/2.0/"><resource xmlns="http://datacite.org/schema/kernel-4"><rightsList><rights rightsURI="x"/></rightsList></resource></resources>`,
		`<qdc:qualifieddc><dc:title>unbound</dc:title></qdc:qualifieddc>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		d := xml.NewDecoder(strings.NewReader(string(doc)))
		var start xml.StartElement
		for {
			tok, err := d.Token()
			if err != nil {
				return
			}
			if se, ok := tok.(xml.StartElement); ok {
				start = se
				break
			}
		}
		var rec harvester.Record
		if err := Map(d, start, &rec); err != nil {
			return
		}
		// The decoder must now be after the element's end: another end element would mean
		// Map stopped early or read too far.
		if tok, err := d.Token(); err == nil {
			if _, ok := tok.(xml.EndElement); ok {
				t.Fatalf("end element %v after Map returned", tok)
			}
		}
		for _, r := range rec.Rights {
			if blank(r.Value) || r.From == "" {
				t.Fatalf("bad rights statement %+v", r)
			}
		}
	})
}
