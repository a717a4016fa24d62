package amb_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/orchard-oer/orchard/amb"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var site = amb.Site{BaseURL: "https://orchard.example.org", Name: "Orchard of the Example Library"}

// The golden files hold the whole description of some fixtures: a CC BY image with a landing
// URL, a librarian's override, and a record with no URL, license or type.
func TestDescribeGolden(t *testing.T) {
	byID := map[string]catalog.Record{}
	for _, r := range catalogtest.Fixtures() {
		byID[r.ID] = r
	}
	for _, id := range []string{"en-photo", "de-zelle", "en-zebra"} {
		rec, ok := byID[id]
		if !ok {
			t.Fatalf("no fixture %s", id)
		}
		got, err := json.MarshalIndent(amb.Describe(site, &rec), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		golden := filepath.Join("testdata", id+".json")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant (%s):\n%s", id, got, golden, want)
		}
	}
}

func TestDescribeRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rec   catalog.Record
		check func(amb.Resource) bool
	}{
		{"no URL: the Orchard page is the id", catalog.Record{ID: "x", Title: "X"},
			func(r amb.Resource) bool { return r.ID == "https://orchard.example.org/records/x" }},
		{"its own URL is the id", catalog.Record{ID: "x", Title: "X", URL: "https://oer.example/x"},
			func(r amb.Resource) bool { return r.ID == "https://oer.example/x" }},
		{"one concept per HCRT type", catalog.Record{ID: "x", Title: "X", ResourceTypes: []string{"article", "text", "nonsense"}},
			func(r amb.Resource) bool {
				return len(r.LearningResourceType) == 1 && r.LearningResourceType[0].ID == "http://w3id.org/kim/hcrt/text"
			}},
		{"the source's page when its id is a URL", catalog.Record{ID: "x", Title: "X", Source: "beta", OriginID: "https://beta.example/x"},
			func(r amb.Resource) bool {
				return len(r.MainEntityOfPage) == 2 && r.MainEntityOfPage[1].Provider.Name == "beta"
			}},
		{"not when it is an OAI identifier", catalog.Record{ID: "x", Title: "X", OriginID: "oai:beta:1"},
			func(r amb.Resource) bool { return len(r.MainEntityOfPage) == 1 }},
		{"Orchard's date on its page", catalog.Record{ID: "x", Title: "X", Datestamp: "2020-01-02T03:04:05Z", Indexed: "2025-01-01T00:00:00Z"},
			func(r amb.Resource) bool {
				return r.DateModified == "2020-01-02" && r.MainEntityOfPage[0].DateModified == "2025-01-01T00:00:00Z"
			}},
	} {
		if got := amb.Describe(site, &tc.rec); !tc.check(got) {
			b, _ := json.Marshal(got)
			t.Errorf("%s: %s", tc.name, b)
		}
	}
}
