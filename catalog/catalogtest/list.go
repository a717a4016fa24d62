package catalogtest

import (
	"slices"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

// byDatestamp are the visible fixtures in (list date, id) order.
var byDatestamp = []string{"en-history", "en-cells", "en-zebra", "fr-educ", "es-nino", "en-photo", "de-zelle", "en-apple"}

// listAll reads a whole harvest list in pages of size, checking the total on every page.
func listAll(t *testing.T, ix catalog.Index, req catalog.ListRequest, size int) ([]string, int) {
	t.Helper()
	req.Limit = size
	var (
		got   []string
		total = -1
	)
	for range 100 {
		page, err := ix.List(t.Context(), req)
		if err != nil {
			t.Fatalf("list %+v: %v", req, err)
		}
		if total >= 0 && page.Total != total {
			t.Errorf("list %+v: total %d after %d on the first page", req, page.Total, total)
		}
		total = page.Total
		for _, r := range page.Records {
			got = append(got, r.ID)
		}
		if len(page.Records) < size {
			return got, total
		}
		k := page.Records[len(page.Records)-1].Key()
		req.After = &k
	}
	t.Fatalf("list %+v does not end", req)
	return nil, 0
}

func testList(t *testing.T, ix catalog.Index) {
	for _, tc := range []struct {
		name string
		req  catalog.ListRequest
		want []string
	}{
		{"all visible", catalog.ListRequest{}, byDatestamp},
		{"day and seconds bounds", catalog.ListRequest{From: "2023-06-02", Until: "2024-01-02T23:59:59Z"}, []string{"es-nino", "en-photo"}},
		{"seconds bounds hold a day's datestamp", catalog.ListRequest{From: "2023-06-01T00:00:00Z", Until: "2023-06-01T00:00:00Z"}, []string{"fr-educ"}},
		{"seconds bound excludes the day before", catalog.ListRequest{From: "2024-01-02T00:00:01Z"}, []string{"de-zelle", "en-apple"}},
		{"source with hidden", catalog.ListRequest{Filter: catalog.Filter{Sources: []string{"alpha"}, WithHidden: true}},
			[]string{"en-photo", "de-zelle", "en-apple", "en-hidden"}},
		{"open family", catalog.ListRequest{Filter: catalog.Filter{Families: []string{"CC-BY-SA"}}}, []string{"de-zelle"}},
		{"empty range", catalog.ListRequest{From: "2030-01-01"}, nil},
	} {
		for _, size := range []int{1, 3, 100} {
			got, total := listAll(t, ix, tc.req, size)
			if !slices.Equal(got, tc.want) || total != len(tc.want) {
				t.Errorf("list %s in pages of %d: %v (total %d), want %v", tc.name, size, got, total, tc.want)
			}
		}
	}
}

func testListStable(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	extra := []catalog.Record{
		{ID: "tie-b", Source: "delta", Title: "Tie B", Datestamp: "2025-01-01T00:00:00Z"},
		{ID: "tie-a", Source: "delta", Title: "Tie A", Datestamp: "2025-01-01T00:00:00Z"},
		// Ids compare byte by byte: upper case first.
		{ID: "tie-B", Source: "delta", Title: "Tie B upper", Datestamp: "2025-01-01T00:00:00Z"},
		// Written by Orchard after the others, though older at its source.
		{ID: "late", Source: "delta", Title: "Late", Datestamp: "2010-01-01", Indexed: "2025-02-01T00:00:00Z"},
		{ID: "undated", Source: "delta", Title: "No datestamp"},
	}
	if err := ix.Upsert(ctx, extra); err != nil {
		t.Fatal(err)
	}
	first, err := ix.List(ctx, catalog.ListRequest{Limit: 3})
	if err != nil || len(first.Records) != 3 || first.Total != 12 {
		t.Fatalf("first page: %d records of %d (%v), want 3 of 12 (undated left out)", len(first.Records), first.Total, err)
	}
	// Changes before the position must not shift what follows it.
	if err := ix.Upsert(ctx, []catalog.Record{{ID: "aa-early", Source: "delta", Title: "Early", Datestamp: "2019-01-01"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(ctx, []string{"en-cells"}); err != nil {
		t.Fatal(err)
	}
	k := first.Records[2].Key()
	rest, _ := listAll(t, ix, catalog.ListRequest{After: &k}, 2)
	want := append(slices.Clone(byDatestamp[3:]), "tie-B", "tie-a", "tie-b", "late")
	if !slices.Equal(rest, want) {
		t.Errorf("rest of the list after %v: %v, want %v", k, rest, want)
	}
	if got, _ := listAll(t, ix, catalog.ListRequest{From: "2025-01-15"}, 2); !slices.Equal(got, []string{"late"}) {
		t.Errorf("list from the day after the ties: %v, want the record written later", got)
	}
}
