// Package catalogtest is the conformance suite every catalog.Index backend passes, so that the
// embedded index and Meilisearch answer the same searches the same way.
package catalogtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
)

// Run runs the suite; newIndex returns a fresh, empty index for each subtest and arranges its
// cleanup.
func Run(t *testing.T, newIndex func(t *testing.T) catalog.Index) {
	seeded := func(t *testing.T) catalog.Index {
		t.Helper()
		ix := newIndex(t)
		if err := ix.Upsert(t.Context(), Fixtures()); err != nil {
			t.Fatalf("upsert fixtures: %v", err)
		}
		return ix
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, ix catalog.Index)
	}{
		{"EmptyQueryReturnsAllVisible", testEmptyQuery},
		{"Filters", testFilters},
		{"FacetsCountFilteredHits", testFacets},
		{"OpennessCounts", testOpennessCounts},
		{"TextMatching", testText},
		{"TitleRanksFirst", testTitleRanksFirst},
		{"Highlights", testHighlights},
		{"SortOrders", testSort},
		{"PaginationIsStable", testPagination},
		{"GetRoundTrips", testGet},
		{"UpsertIsIdempotentAndReplaces", testUpsert},
		{"DeleteByID", testDelete},
		{"DeleteSource", testDeleteSource},
		{"EachVisitsMatchesInIDOrder", testEach},
		{"StatsCountBySource", testStats},
		{"ListPagesByDatestampAndID", testList},
		{"ListIsStableWhileTheCatalogChanges", testListStable},
		{"InvalidRecordsRejected", testInvalid},
		{"ConcurrentUse", testConcurrent},
		{"HostileQueriesBounded", testHostileQueries},
		{"FieldsOfEducation", testFields},
		{"BrokenLinksWithheld", testBroken},
		{"MergedEntryCountsOnce", testMergedEntry},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, seeded(t)) })
	}
}

// visible are the fixture ids learners see, hidden ones excluded.
var visible = []string{"de-zelle", "en-apple", "en-cells", "en-history", "en-photo", "en-zebra", "es-nino", "fr-educ"}

func ptr[T any](v T) *T { return &v }

func search(t *testing.T, ix catalog.Index, req catalog.SearchRequest) catalog.SearchResult {
	t.Helper()
	res, err := ix.Search(t.Context(), req)
	if err != nil {
		t.Fatalf("search %+v: %v", req, err)
	}
	return res
}

func ids(hits []catalog.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func testEmptyQuery(t *testing.T, ix catalog.Index) {
	res := search(t, ix, catalog.SearchRequest{PerPage: 50})
	if got := sorted(ids(res.Hits)); !slices.Equal(got, visible) || res.Total != len(visible) {
		t.Errorf("empty query: total %d, hits %v; want %d, %v", res.Total, got, len(visible), visible)
	}
}

var filterCases = []struct {
	name   string
	filter catalog.Filter
	want   []string
}{
	{"license", catalog.Filter{Licenses: []string{"CC-BY-4.0"}}, []string{"en-apple", "en-photo"}},
	{"licenses OR", catalog.Filter{Licenses: []string{"CC-BY-4.0", "CC0-1.0"}}, []string{"en-apple", "en-photo", "es-nino"}},
	{"family", catalog.Filter{Families: []string{"CC-BY-SA"}}, []string{"de-zelle"}},
	{"commercial", catalog.Filter{Commercial: ptr(true)}, []string{"de-zelle", "en-apple", "en-cells", "en-photo", "es-nino"}},
	{"not commercial", catalog.Filter{Commercial: ptr(false)}, []string{"en-history", "en-zebra", "fr-educ"}},
	{"no derivatives", catalog.Filter{Derivatives: ptr(false)}, []string{"en-cells", "en-history", "en-zebra"}},
	{"open", catalog.Filter{Open: ptr(true)}, []string{"de-zelle", "en-apple", "en-photo", "es-nino"}},
	{"commons", catalog.Filter{Commons: ptr(true)}, []string{"de-zelle", "en-apple", "en-cells", "en-photo", "es-nino", "fr-educ"}},
	{"commons and open", catalog.Filter{Commons: ptr(true), Open: ptr(false)}, []string{"en-cells", "fr-educ"}},
	{"not commons", catalog.Filter{Commons: ptr(false)}, []string{"en-history", "en-zebra"}},
	{"language", catalog.Filter{Languages: []string{"de"}}, []string{"de-zelle", "en-cells"}},
	{"languages OR", catalog.Filter{Languages: []string{"fr", "es"}}, []string{"es-nino", "fr-educ"}},
	{"type", catalog.Filter{Types: []string{"image"}}, []string{"en-cells", "en-zebra"}},
	{"source", catalog.Filter{Sources: []string{"beta"}}, []string{"en-history", "es-nino", "fr-educ"}},
	{"subject", catalog.Filter{Subjects: []string{"Biology"}}, []string{"en-cells", "en-photo"}},
	{"statuses OR", catalog.Filter{Statuses: []catalog.Status{catalog.StatusUnknown, catalog.StatusConflict}}, []string{"en-apple", "en-zebra"}},
	{"status closed", catalog.Filter{Statuses: []catalog.Status{catalog.StatusClosed}}, []string{"en-cells", "en-history", "fr-educ"}},
	{"year range", catalog.Filter{YearFrom: 2019, YearTo: 2021}, []string{"de-zelle", "en-apple", "en-cells", "en-photo"}},
	{"year from", catalog.Filter{YearFrom: 2021}, []string{"en-apple", "en-photo", "es-nino"}},
	{"year to", catalog.Filter{YearTo: 2018}, []string{"en-history", "fr-educ"}},
	{"AND across fields", catalog.Filter{Commercial: ptr(true), Languages: []string{"en"}}, []string{"en-apple", "en-cells", "en-photo"}},
	{"AND of ORs", catalog.Filter{Types: []string{"text", "video"}, Sources: []string{"alpha"}}, []string{"de-zelle", "en-apple", "en-photo"}},
	{"nothing left", catalog.Filter{Languages: []string{"fr"}, Commercial: ptr(true)}, nil},
	{"with hidden", catalog.Filter{Sources: []string{"alpha"}, WithHidden: true}, []string{"de-zelle", "en-apple", "en-hidden", "en-photo"}},
	{"hidden excluded", catalog.Filter{Sources: []string{"alpha"}}, []string{"de-zelle", "en-apple", "en-photo"}},
}

func testFilters(t *testing.T, ix catalog.Index) {
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, ix, catalog.SearchRequest{Filter: tc.filter, PerPage: 50})
			if got := sorted(ids(res.Hits)); !slices.Equal(got, tc.want) || res.Total != len(tc.want) {
				t.Errorf("total %d, hits %v; want %v", res.Total, got, tc.want)
			}
		})
	}
}

// expectedFacets counts the facet values of the fixture records with the given ids.
func expectedFacets(want []string) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, f := range catalog.Facets {
		out[f] = map[string]int{}
	}
	for _, r := range Fixtures() {
		if !slices.Contains(want, r.ID) {
			continue
		}
		for _, f := range catalog.Facets {
			for _, v := range r.FacetValues(f) {
				out[f][v]++
			}
		}
	}
	return out
}

func testFacets(t *testing.T, ix catalog.Index) {
	for _, tc := range []struct {
		name  string
		query string
		f     catalog.Filter
		want  []string
	}{
		{"all", "", catalog.Filter{}, visible},
		{"commercial", "", catalog.Filter{Commercial: ptr(true)}, []string{"de-zelle", "en-apple", "en-cells", "en-photo", "es-nino"}},
		{"query and filter", "biology", catalog.Filter{Languages: []string{"en"}}, []string{"en-cells", "en-photo"}},
		{"with hidden", "", catalog.Filter{Sources: []string{"alpha"}, WithHidden: true}, []string{"de-zelle", "en-apple", "en-hidden", "en-photo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, ix, catalog.SearchRequest{Query: tc.query, Filter: tc.f, Facets: catalog.Facets, PerPage: 1})
			want := expectedFacets(tc.want)
			for _, f := range catalog.Facets {
				if !maps.Equal(res.Facets[f], want[f]) {
					t.Errorf("facet %s = %v, want %v", f, res.Facets[f], want[f])
				}
			}
		})
	}
	res := search(t, ix, catalog.SearchRequest{Facets: []string{catalog.FacetLanguage}})
	if _, ok := res.Facets[catalog.FacetType]; ok {
		t.Errorf("facet %s counted though not requested", catalog.FacetType)
	}
}

// testOpennessCounts checks that each openness choice is counted under the query and the other
// filters, whatever choice the request itself holds.
func testOpennessCounts(t *testing.T, ix catalog.Index) {
	for _, tc := range []struct {
		name  string
		query string
		f     catalog.Filter
		want  map[string]int
	}{
		{"all", "", catalog.Filter{}, map[string]int{"free": 4, "cc": 6, "any": 8}},
		{"choice ignored", "", catalog.Filter{Open: ptr(true)}, map[string]int{"free": 4, "cc": 6, "any": 8}},
		{"other filters kept", "", catalog.Filter{Commons: ptr(true), Languages: []string{"en"}}, map[string]int{"free": 2, "cc": 3, "any": 5}},
		{"query kept", "biology", catalog.Filter{Languages: []string{"en"}}, map[string]int{"free": 1, "cc": 2, "any": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := catalog.CountOpenness(t.Context(), ix, catalog.SearchRequest{Query: tc.query, Filter: tc.f})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("counts %v, want %v", got, tc.want)
			}
			for _, choice := range catalog.Opennesses {
				req := catalog.SearchRequest{Query: tc.query, Filter: tc.f, CountOpenness: true, PerPage: 50}
				if err := req.Filter.SetOpenness(choice); err != nil {
					t.Fatal(err)
				}
				res, err := catalog.SearchWithOpenness(t.Context(), ix, req)
				if err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(res.Openness, tc.want) || res.Total != tc.want[choice] || len(res.Hits) != tc.want[choice] {
					t.Errorf("search under %s: total %d, counts %v; want %d, %v", choice, res.Total, res.Openness, tc.want[choice], tc.want)
				}
			}
		})
	}
}

func testText(t *testing.T, ix catalog.Index) {
	for _, tc := range []struct {
		query string
		want  []string // all of these are found
		not   []string // none of these is
	}{
		{"photosynthesis", []string{"en-photo"}, []string{"en-hidden", "en-cells"}},
		{"PHOTOSYNTHESIS", []string{"en-photo"}, nil},
		{"photosynthsis", []string{"en-photo"}, nil}, // one letter missing
		{"photosyntesis", []string{"en-photo"}, nil}, // another letter missing
		{"photo", []string{"en-photo"}, nil},         // prefix of the last word
		{"green photo", []string{"en-photo"}, nil},
		{"lovelace", []string{"en-photo"}, nil},
		{"chlorophyll", []string{"en-photo"}, nil},
		{"muller", []string{"de-zelle"}, nil},
		{"Müller", []string{"de-zelle"}, nil},
		{"mueller", []string{"de-zelle"}, nil},
		{"ubung", []string{"de-zelle"}, nil},
		{"Übung", []string{"de-zelle"}, nil},
		{"losungen", []string{"de-zelle"}, nil},
		{"education", []string{"fr-educ"}, nil},
		{"éducation", []string{"fr-educ"}, nil},
		{"environnement", []string{"fr-educ"}, nil},
		{"helene", []string{"fr-educ"}, nil},
		{"nino", []string{"es-nino"}, nil},
		{"NIÑO", []string{"es-nino"}, nil},
		{"fisica", []string{"es-nino"}, nil},
		{"inigo perez", []string{"es-nino"}, nil},
		{"cell biology", []string{"en-cells", "en-photo"}, []string{"es-nino", "fr-educ", "en-apple"}},
		{"apples", []string{"en-apple"}, []string{"en-photo"}},
		{"xylophone", nil, visible},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res := search(t, ix, catalog.SearchRequest{Query: tc.query, PerPage: 50})
			got := ids(res.Hits)
			for _, id := range tc.want {
				if !slices.Contains(got, id) {
					t.Errorf("%q found %v, want %s among them", tc.query, got, id)
				}
			}
			for _, id := range tc.not {
				if slices.Contains(got, id) {
					t.Errorf("%q found %v, want no %s", tc.query, got, id)
				}
			}
			if res.Total != len(res.Hits) {
				t.Errorf("%q: total %d but %d hits on one page", tc.query, res.Total, len(res.Hits))
			}
		})
	}
}

func testTitleRanksFirst(t *testing.T, ix catalog.Index) {
	got := ids(search(t, ix, catalog.SearchRequest{Query: "biology"}).Hits)
	ic, ip := slices.Index(got, "en-cells"), slices.Index(got, "en-photo")
	if ic < 0 || ip < 0 || ic > ip {
		t.Errorf("biology found %v; want en-cells (title) before en-photo (description)", got)
	}
}

func hit(t *testing.T, res catalog.SearchResult, id string) catalog.Hit {
	t.Helper()
	for _, h := range res.Hits {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("no hit %s among %v", id, ids(res.Hits))
	return catalog.Hit{}
}

func testHighlights(t *testing.T, ix catalog.Index) {
	h := hit(t, search(t, ix, catalog.SearchRequest{Query: "membranes"}), "en-cells")
	if want := "Cell Biology &amp; &lt;<mark>Membranes</mark>&gt;"; h.TitleHTML != want {
		t.Errorf("title_html = %q, want %q", h.TitleHTML, want)
	}
	if !strings.Contains(h.Snippet, "<mark>Membranes</mark> and transport") {
		t.Errorf("snippet = %q, want the matched word marked", h.Snippet)
	}
	h = hit(t, search(t, ix, catalog.SearchRequest{Query: "muller"}), "de-zelle")
	if want := "Übung zur Zellbiologie"; h.TitleHTML != want {
		t.Errorf("title_html = %q, want %q unmarked", h.TitleHTML, want)
	}
	h = hit(t, search(t, ix, catalog.SearchRequest{Query: ""}), "en-cells")
	if want := "Cell Biology &amp; &lt;Membranes&gt;"; h.TitleHTML != want {
		t.Errorf("title_html without a query = %q, want %q", h.TitleHTML, want)
	}
	if strings.Contains(h.Snippet, "<mark>") || !strings.Contains(h.Snippet, "living cell") {
		t.Errorf("snippet without a query = %q, want the description unmarked", h.Snippet)
	}
}

func testSort(t *testing.T, ix catalog.Index) {
	for _, tc := range []struct {
		sort catalog.Sort
		want []string
	}{
		{catalog.SortTitle, []string{"en-apple", "en-cells", "es-nino", "fr-educ", "en-history", "en-photo", "de-zelle", "en-zebra"}},
		{catalog.SortNewest, []string{"es-nino", "en-apple", "en-photo", "en-cells", "de-zelle", "fr-educ", "en-history", "en-zebra"}},
	} {
		res := search(t, ix, catalog.SearchRequest{Sort: tc.sort, PerPage: 50})
		if got := ids(res.Hits); !slices.Equal(got, tc.want) {
			t.Errorf("sort %s = %v, want %v", tc.sort, got, tc.want)
		}
	}
	res := search(t, ix, catalog.SearchRequest{Query: "cell", Sort: catalog.SortNewest})
	if got, want := ids(res.Hits), []string{"en-photo", "en-cells"}; !slices.Equal(got, want) {
		t.Errorf("cell by newest = %v, want %v", got, want)
	}
}

func testPagination(t *testing.T, ix catalog.Index) {
	for _, s := range []catalog.Sort{catalog.SortRelevance, catalog.SortTitle, catalog.SortNewest} {
		var all []string
		for page := 1; page <= 4; page++ {
			res := search(t, ix, catalog.SearchRequest{Sort: s, Page: page, PerPage: 3})
			if res.Total != len(visible) {
				t.Errorf("sort %s page %d: total %d, want %d", s, page, res.Total, len(visible))
			}
			for _, id := range ids(res.Hits) {
				if slices.Contains(all, id) {
					t.Errorf("sort %s page %d repeats %s", s, page, id)
				}
				all = append(all, id)
			}
		}
		if got := sorted(all); !slices.Equal(got, visible) {
			t.Errorf("sort %s: pages hold %v, want %v", s, got, visible)
		}
	}
}

func jsonOf(t *testing.T, r catalog.Record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testGet(t *testing.T, ix catalog.Index) {
	for _, want := range Fixtures() {
		got, err := ix.Get(t.Context(), want.ID)
		if err != nil {
			t.Errorf("get %s: %v", want.ID, err)
			continue
		}
		if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
			t.Errorf("get %s:\n got %s\nwant %s", want.ID, g, w)
		}
	}
	if _, err := ix.Get(t.Context(), "no-such-id"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("get unknown id: %v, want ErrNotFound", err)
	}
	// Hits carry whole records too.
	h := hit(t, search(t, ix, catalog.SearchRequest{Query: "photosynthesis"}), "en-photo")
	if g, w := jsonOf(t, h.Record), jsonOf(t, Fixtures()[0]); g != w {
		t.Errorf("hit record:\n got %s\nwant %s", g, w)
	}
}

func testUpsert(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	if err := ix.Upsert(ctx, Fixtures()); err != nil {
		t.Fatal(err)
	}
	st, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != len(Fixtures()) {
		t.Errorf("after a second upsert: %d records, want %d", st.Records, len(Fixtures()))
	}
	changed := Fixtures()[0]
	changed.Title = "Respiration in Animals"
	changed.Subjects = []string{"Zoology"}
	changed.Thumbnail = "https://alpha.example/1/lungs.png"
	if err := ix.Upsert(ctx, []catalog.Record{changed}); err != nil {
		t.Fatal(err)
	}
	if got := ids(search(t, ix, catalog.SearchRequest{Query: "respiration"}).Hits); !slices.Equal(got, []string{"en-photo"}) {
		t.Errorf("respiration found %v after replace, want [en-photo]", got)
	}
	if got := ids(search(t, ix, catalog.SearchRequest{Query: "green plants"}).Hits); len(got) != 0 {
		t.Errorf("old title still found: %v", got)
	}
	if got := ids(search(t, ix, catalog.SearchRequest{Filter: catalog.Filter{Subjects: []string{"Biology"}}}).Hits); !slices.Equal(got, []string{"en-cells"}) {
		t.Errorf("old subject still filtered: %v", got)
	}
	got, err := ix.Get(ctx, "en-photo")
	if err != nil || jsonOf(t, got) != jsonOf(t, changed) {
		t.Errorf("get after replace = %+v, %v", got, err)
	}
	// A record marked deleted leaves the index.
	if err := ix.Upsert(ctx, []catalog.Record{{ID: "en-zebra", Source: "gamma", Deleted: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Get(ctx, "en-zebra"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("get after upserting a deleted record: %v, want ErrNotFound", err)
	}
}

func testDelete(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	if err := ix.Delete(ctx, []string{"en-photo", "en-hidden", "no-such-id"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"en-photo", "en-hidden"} {
		if _, err := ix.Get(ctx, id); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("get deleted %s: %v, want ErrNotFound", id, err)
		}
	}
	res := search(t, ix, catalog.SearchRequest{Query: "photosynthesis", Filter: catalog.Filter{WithHidden: true}})
	if res.Total != 0 {
		t.Errorf("deleted records still found: %v", ids(res.Hits))
	}
	if res := search(t, ix, catalog.SearchRequest{}); res.Total != len(visible)-1 {
		t.Errorf("after delete: total %d, want %d", res.Total, len(visible)-1)
	}
}

func testDeleteSource(t *testing.T, ix catalog.Index) {
	ctx := t.Context()
	if err := ix.DeleteSource(ctx, "alpha"); err != nil {
		t.Fatal(err)
	}
	res := search(t, ix, catalog.SearchRequest{PerPage: 50, Filter: catalog.Filter{WithHidden: true}})
	if got, want := sorted(ids(res.Hits)), []string{"en-cells", "en-history", "en-zebra", "es-nino", "fr-educ"}; !slices.Equal(got, want) {
		t.Errorf("after deleting source alpha: %v, want %v", got, want)
	}
	if _, err := ix.Get(ctx, "en-hidden"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("hidden record of a deleted source: %v, want ErrNotFound", err)
	}
	st, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"beta": 3, "gamma": 2}; !maps.Equal(st.BySource, want) || st.Records != 5 {
		t.Errorf("stats after deleting source alpha: %+v, want 5 records %v", st, want)
	}
}

var errStop = errors.New("stop")

func testEach(t *testing.T, ix catalog.Index) {
	for _, tc := range []struct {
		name string
		f    catalog.Filter
		want []string
	}{
		{"all visible", catalog.Filter{}, visible},
		{"source with hidden", catalog.Filter{Sources: []string{"alpha"}, WithHidden: true}, []string{"de-zelle", "en-apple", "en-hidden", "en-photo"}},
		{"license and type", catalog.Filter{Open: ptr(true), Types: []string{"video"}}, []string{"de-zelle", "es-nino"}},
	} {
		var got []string
		err := ix.Each(t.Context(), tc.f, func(r catalog.Record) error {
			if r.Title == "" {
				t.Errorf("each %s: record %s without title", tc.name, r.ID)
			}
			got = append(got, r.ID)
			return nil
		})
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("each %s visited %v (%v), want %v in id order", tc.name, got, err, tc.want)
		}
	}
	calls := 0
	err := ix.Each(t.Context(), catalog.Filter{}, func(catalog.Record) error { calls++; return errStop })
	if !errors.Is(err, errStop) || calls != 1 {
		t.Errorf("each with a failing fn: %v after %d calls, want errStop after 1", err, calls)
	}
}

func testStats(t *testing.T, ix catalog.Index) {
	st, err := ix.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"alpha": 4, "beta": 3, "gamma": 2}; st.Records != 9 || !maps.Equal(st.BySource, want) {
		t.Errorf("stats = %+v, want 9 records by source %v", st, want)
	}
}

func testInvalid(t *testing.T, ix catalog.Index) {
	good := catalog.Record{ID: "good-one", Source: "delta", Title: "A fine record"}
	for _, tc := range []struct {
		name string
		bad  catalog.Record
	}{
		{"bad id", catalog.Record{ID: "bad id/with:chars", Source: "delta", Title: "Bad"}},
		{"no id", catalog.Record{Source: "delta", Title: "Bad"}},
		{"no title", catalog.Record{ID: "no-title", Source: "delta"}},
		{"no source", catalog.Record{ID: "no-source", Title: "Bad"}},
	} {
		err := ix.Upsert(t.Context(), []catalog.Record{good, tc.bad})
		if !errors.Is(err, catalog.ErrInvalid) {
			t.Errorf("%s: upsert error %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := ix.Get(t.Context(), "good-one"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("a batch with an invalid record was partly indexed: %v", err)
	}
}

// testConcurrent writes and searches from several goroutines at once; run with -race.
func testConcurrent(t *testing.T, ix catalog.Index) {
	const writers, perWriter = 3, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			recs := make([]catalog.Record, perWriter)
			for i := range recs {
				recs[i] = catalog.Record{ID: fmt.Sprintf("c-%d-%02d", w, i), Source: "concurrent", Title: fmt.Sprintf("Concurrent record %d %d", w, i)}
			}
			for i := 0; i < perWriter; i += 5 {
				if err := ix.Upsert(t.Context(), recs[i:i+5]); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			for range 5 {
				if _, err := ix.Search(t.Context(), catalog.SearchRequest{Query: "concurrent", Facets: []string{catalog.FacetSource}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	res := search(t, ix, catalog.SearchRequest{Filter: catalog.Filter{Sources: []string{"concurrent"}}})
	if res.Total != writers*perWriter {
		t.Errorf("after concurrent upserts: %d records, want %d", res.Total, writers*perWriter)
	}
}
