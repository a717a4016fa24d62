package formats

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldens names one representative corpus record per format.
var goldens = []struct{ name, file, id string }{
	{"oai_dc", "oai/dspace-mit/GetRecord_cc_by-nc-nd_3.0_us.xml", ""},
	{"oai_dc_zenodo", "oai/zenodo/GetRecord_oai_dc.xml", ""},
	{"qdc", "oai/digital-maryland/record_qdc.xml", ""},
	{"dc_unwrapped", "oai/unesp-capes/ListRecords_qdc_resumed.xml", ""},
	{"nsdl_dc", "oai/nsdl/GetRecord_nsdl_dc.xml", ""},
	{"lom", "oai/cesta-ufrgs/ListRecords_lom_single.xml", ""},
	{"lom_lowercase", "oai/froac-unal/ListRecords_lom_full.xml", "froac:48"},
	{"obaa_flat", "oai/feb-federation/ListRecords_obaa.xml", ""},
	{"obaa", "oai/ifrs-canoas/ListRecords_obaa_repository.xml", ""},
	{"datacite4", "oai/zenodo/GetRecord_datacite.xml", ""},
	{"datacite_wrapped", "oai/tib-av-portal/ListRecords_datacite_kmo-av.xml", ""},
	{"mods", "oai/digital-commonwealth/record_mods.xml", ""},
	{"mods_oer", "oai/duepublico-oer/ListRecords_mods_oer.xml", ""},
	{"marc21", "oai/gpo-catalog/record_marc21.xml", ""},
	{"arxiv", "oai/arxiv/GetRecord_arXiv_format.xml", ""},
	{"untl", "oai/portal-texas-history/record_untl.xml", ""},
	{"dif_generic", "oai/ncar-earthsystemgrid/ListRecords_dif.xml", ""},
}

func TestGolden(t *testing.T) {
	dir := testenv.Corpus(t)
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, g.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := walkRecords(f)
			if err != nil {
				t.Fatal(err)
			}
			var m *mappedRecord
			for i := range recs {
				if recs[i].hasMeta && (g.id == "" || recs[i].id == g.id) {
					m = &recs[i]
					break
				}
			}
			if m == nil {
				t.Fatalf("no record %q with metadata in %s", g.id, g.file)
			}
			got, err := json.MarshalIndent(m.rec, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", g.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", g.name, path, got)
			}
		})
	}
}
