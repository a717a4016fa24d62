package formats

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
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

// TestCorpusThumbnails reads the pictures that real repositories name, each in its own way.
func TestCorpusThumbnails(t *testing.T) {
	corpus := testenv.Corpus(t)
	for _, tt := range []struct {
		file, want string
	}{
		{"oai/cyberleninka/ListRecords_oai_dc.xml", "http://cyberleninka.ru/article_covers/"},
		{"oai/calpoly-digitalcommons/ListRecords_oai_dc_page1.xml", "http://digitalcommons.calpoly.edu/studentnewspaper/"},
		{"oai/harvard-librarycloud/ListRecords_mods_botanicals.xml", "https://nrs.harvard.edu/urn-3:FMUS.ARN:"},
		{"oai/montana-repox/GetRecord_mods.xml", "https://scholarworks.umt.edu/goedicke/1008/thumbnail.jpg"},
		{"oai/north-carolina-contentdm/record_mods.xml", "http://cdm15834.contentdm.oclc.org/utils/getthumbnail/"},
	} {
		f, err := os.Open(filepath.Join(corpus, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := walkRecords(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		with := 0
		for _, r := range recs {
			if len(r.rec.Thumbnails) > 0 && strings.HasPrefix(r.rec.Thumbnails[0], tt.want) {
				with++
			}
		}
		if with == 0 || with < len(recs)/2 {
			t.Errorf("%s: %d of %d records name a picture at %s", tt.file, with, len(recs), tt.want)
		}
	}
}
