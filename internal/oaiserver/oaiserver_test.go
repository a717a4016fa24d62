package oaiserver

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

func TestStart(t *testing.T) {
	srv := Start(t, []Record{
		{ID: "a", Datestamp: "2024-01-05T10:00:00Z", Sets: []string{"math"}, Title: []string{"Fractions & <decimals>"}},
		{ID: "b", Datestamp: "2024-02-05T10:00:00Z", Deleted: true},
	}, Options{PageSize: 1, SetNames: map[string]string{"math": "Mathematics"}})
	tests := []struct {
		query string
		want  []string
	}{
		{"verb=Identify", []string{"<deletedRecord>persistent</deletedRecord>", "<earliestDatestamp>2024-01-05T10:00:00Z<"}},
		{"verb=ListSets", []string{"<setSpec>math</setSpec>", "<setName>Mathematics</setName>"}},
		{"verb=ListRecords&metadataPrefix=oai_dc", []string{srv.Identifier("a"), "Fractions &amp; &lt;decimals&gt;", `completeListSize="2"`}},
		{"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-02-01", []string{`status="deleted"`, srv.Identifier("b")}},
		{"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + srv.Identifier("a"), []string{"<dc:title>"}},
		{"verb=ListRecords&metadataPrefix=oai_dc&set=nope", []string{`code="badArgument"`}},
		{"verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01", []string{`code="noRecordsMatch"`}},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + "?" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, w := range tt.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s: no %q in\n%s", tt.query, w, b)
			}
		}
	}
}

// TestSchemaValid checks the repository's responses against the official OAI-PMH schemas, so
// that tests harvesting it exercise a conforming server.
func TestSchemaValid(t *testing.T) {
	xmllint := testenv.Program(t, "xmllint", "apt-get install libxml2-utils xmltooling-schemas")
	schemas := filepath.Join(testenv.ModuleRoot(), "..", "shared", "schemas")
	if _, err := os.Stat(filepath.Join(schemas, "oai-pmh-oai_dc.xsd")); err != nil {
		testenv.Missing(t, "OAI-PMH schemas", "check out the shared schemas beside the module")
	}
	if _, err := os.Stat("/usr/share/xml/xmltooling/xml.xsd"); err != nil {
		testenv.Missing(t, "xml.xsd", "apt-get install xmltooling-schemas (the schemas import it)")
	}
	srv := Start(t, []Record{
		{ID: "a", Datestamp: "2024-01-05T10:00:00Z", Sets: []string{"math"}, Title: []string{"Fractions"},
			Rights: []string{"https://creativecommons.org/licenses/by/4.0/"}, Language: []string{"en"}},
		{ID: "b", Datestamp: "2024-02-05T10:00:00Z", Deleted: true},
		{ID: "c", Datestamp: "2024-03-05T10:00:00Z", Creator: []string{"Ada"}},
	}, Options{PageSize: 2})
	dir := t.TempDir()
	for i, q := range []string{
		"verb=Identify", "verb=ListSets", "verb=ListMetadataFormats",
		"verb=ListRecords&metadataPrefix=oai_dc", "verb=ListIdentifiers&metadataPrefix=oai_dc&set=math",
		"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + srv.Identifier("b"),
		"verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01", "verb=Nope",
	} {
		resp, err := http.Get(srv.URL + "?" + q)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f := filepath.Join(dir, fmt.Sprintf("r%d.xml", i))
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(xmllint, "--nonet", "--noout", "--schema", filepath.Join(schemas, "oai-pmh-oai_dc.xsd"), f)
		cmd.Env = append(os.Environ(), "XML_CATALOG_FILES="+filepath.Join(schemas, "catalog.xml"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s does not validate: %v\n%s", q, err, out)
		}
	}
}
