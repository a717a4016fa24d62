package oaiprovider_test

import (
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
)

// TestMergedEntryInEverySourceSet: an entry several sources offer is listed in each source's
// set and names each in its header.
func TestMergedEntryInEverySourceSet(t *testing.T) {
	r := newRepo(t, 0)
	var cells catalog.Record
	for _, rec := range catalogtest.Fixtures() {
		if rec.ID == "en-cells" {
			cells = rec
		}
	}
	mirror := cells
	mirror.ID, mirror.Source, mirror.OriginID = "epsilon-cells", "epsilon", "oai:epsilon:cells"
	if err := r.index.Upsert(t.Context(), []catalog.Record{catalog.Merge([]catalog.Record{cells, mirror})}); err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"source:gamma", "source:epsilon"} {
		doc := string(r.get(t, "verb=ListIdentifiers&metadataPrefix=oai_dc&set="+set))
		if !strings.Contains(doc, "oai:orchard:en-cells") {
			t.Errorf("set %s lacks the entry:\n%s", set, doc)
		}
	}
	doc := string(r.get(t, "verb=GetRecord&identifier=oai:orchard:en-cells&metadataPrefix=oai_dc"))
	for _, want := range []string{"<setSpec>source:gamma</setSpec>", "<setSpec>source:epsilon</setSpec>"} {
		if !strings.Contains(doc, want) {
			t.Errorf("header lacks %s:\n%s", want, doc)
		}
	}
}
