package normalizer

import (
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/normalizer/license"
)

// The catalog reads a record's openness from its license family, the license package from its
// knowledge of each tool: they must agree for every tool, or a filter would hide what the words
// promise.
func TestOpennessAgrees(t *testing.T) {
	for _, tool := range append(license.All(), license.Families()...) {
		if got, want := fromTool(tool).Openness(), tool.Openness().ID; got != want {
			t.Errorf("%s: catalog says %s, license says %s", tool.ID, got, want)
		}
	}
	if got := (catalog.License{}).Openness(); got != license.OpennessAny.ID {
		t.Errorf("unknown license: catalog says %s, want %s", got, license.OpennessAny.ID)
	}
	var ids []string
	for _, o := range license.Opennesses() {
		ids = append(ids, o.ID)
	}
	if len(ids) != len(catalog.Opennesses) {
		t.Fatalf("choices %v, catalog %v", ids, catalog.Opennesses)
	}
	for i := range ids {
		if ids[i] != catalog.Opennesses[i] {
			t.Errorf("choice %d: license %s, catalog %s", i, ids[i], catalog.Opennesses[i])
		}
	}
}
