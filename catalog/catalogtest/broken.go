package catalogtest

import (
	"maps"
	"slices"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

// testBroken marks a record's link broken: learners' searches, facets, counts and lists lose
// it as they lose hidden records, librarians still find it, and it comes back once its link
// answers again.
func testBroken(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	setBroken := func(broken bool) {
		t.Helper()
		rec, err := ix.Get(ctx, "en-photo")
		if err != nil {
			t.Fatal(err)
		}
		rec.Broken = broken
		if err := ix.Upsert(ctx, []catalog.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}
	without := slices.DeleteFunc(slices.Clone(visible), func(id string) bool { return id == "en-photo" })
	check := func(want []string) {
		t.Helper()
		res, err := catalog.SearchWithOpenness(ctx, ix, catalog.SearchRequest{PerPage: 50, Facets: catalog.Facets, CountOpenness: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := sorted(ids(res.Hits)); !slices.Equal(got, want) || res.Total != len(want) {
			t.Errorf("learners see %d: %v, want %v", res.Total, got, want)
		}
		wantFacets := expectedFacets(want)
		for _, f := range catalog.Facets {
			if !maps.Equal(res.Facets[f], wantFacets[f]) {
				t.Errorf("facet %s = %v, want %v", f, res.Facets[f], wantFacets[f])
			}
		}
		if n := res.Openness["any"]; n != len(want) {
			t.Errorf("openness count for any = %d, want %d", n, len(want))
		}
		found := ids(search(t, ix, catalog.SearchRequest{Query: "photosynthesis"}).Hits)
		if slices.Contains(want, "en-photo") != slices.Contains(found, "en-photo") {
			t.Errorf("query finds %v with en-photo visible %v", found, slices.Contains(want, "en-photo"))
		}
		page, err := ix.List(ctx, catalog.ListRequest{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		listed := make([]string, len(page.Records))
		for i, r := range page.Records {
			listed[i] = r.ID
		}
		if slices.Contains(listed, "en-photo") != slices.Contains(want, "en-photo") {
			t.Errorf("list for learners %v, en-photo visible %v", listed, slices.Contains(want, "en-photo"))
		}
	}

	setBroken(true)
	check(without)
	staff := ids(search(t, ix, catalog.SearchRequest{Query: "photosynthesis", Filter: catalog.Filter{WithHidden: true}}).Hits)
	if !slices.Contains(staff, "en-photo") {
		t.Errorf("librarians' search lost the broken record: %v", staff)
	}
	if rec, err := ix.Get(ctx, "en-photo"); err != nil || !rec.Broken || rec.Hidden {
		t.Errorf("get broken record: broken %v hidden %v, %v", rec.Broken, rec.Hidden, err)
	}

	setBroken(false)
	check(visible)
}
