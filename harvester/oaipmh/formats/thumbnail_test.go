package formats

import (
	"slices"
	"testing"
)

// TestMapThumbnails reads the pictures each format names, as real repositories write them.
func TestMapThumbnails(t *testing.T) {
	const lom = `xmlns="http://ltsc.ieee.org/xsd/LOM"`
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"lom technical/thumbnail",
			`<lom ` + lom + `><general><title><string>T</string></title></general><technical><location>https://example.org/r</location>
			<thumbnail>https://example.org/r.png</thumbnail></technical></lom>`,
			[]string{"https://example.org/r.png"}},
		{"lom relation of kind hasthumbnail",
			`<lom ` + lom + `><relation><kind><source>LOMv1.0</source><value>hasthumbnail</value></kind>
			<resource><identifier><catalog>URI</catalog><entry> https://example.org/t.jpg </entry></identifier></resource></relation>
			<relation><kind><value>ispartof</value></kind><resource><identifier><entry>https://example.org/whole</entry></identifier></resource></relation></lom>`,
			[]string{"https://example.org/t.jpg"}},
		{"mods url access=preview",
			`<mods xmlns="http://www.loc.gov/mods/v3"><location><url access="object in context">https://example.org/item</url>
			<url displayLabel="Thumbnail" access="preview">https://example.org/item/thumbnail</url></location></mods>`,
			[]string{"https://example.org/item/thumbnail"}},
		{"oai_dc identifier with linktype thumbnail",
			`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
			<dc:identifier>https://example.org/a</dc:identifier><dc:identifier linktype="thumbnail">http://example.org/covers/1.png</dc:identifier></oai_dc:dc>`,
			[]string{"http://example.org/covers/1.png"}},
		{"digital commons description holding only a thumbnail URL",
			`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
			<dc:description>A thumbnail of the moon</dc:description><dc:description>http://dc.example.edu/paper/1/thumbnail.jpg</dc:description></oai_dc:dc>`,
			[]string{"http://dc.example.edu/paper/1/thumbnail.jpg"}},
		{"untl thumbnailURL",
			`<metadata xmlns="http://digital2.library.unt.edu/untl/"><identifier qualifier="thumbnailURL">https://example.org/ark/small/</identifier></metadata>`,
			[]string{"https://example.org/ark/small/"}},
		{"none",
			`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></oai_dc:dc>`,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := mapString(t, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.Thumbnails, tt.want) {
				t.Errorf("thumbnails %q, want %q", rec.Thumbnails, tt.want)
			}
		})
	}
}
