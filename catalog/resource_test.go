package catalog

import (
	"slices"
	"testing"
)

func TestResourceKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/a", "url:https://example.org/a"},
		{"http://example.org/a", "url:https://example.org/a"},
		{"HTTPS://Example.ORG/a/", "url:https://example.org/a"},
		{"https://example.org:443/a", "url:https://example.org/a"},
		{"http://example.org:80/a", "url:https://example.org/a"},
		{"https://example.org:8080/a", "url:https://example.org:8080/a"},
		{"https://example.org/", "url:https://example.org"},
		{"https://example.org", "url:https://example.org"},
		{"https://example.org/a?utm_source=x&b=2&a=1&UTM_Medium=y&fbclid=z#top", "url:https://example.org/a?a=1&b=2"},
		{"https://example.org/A", "url:https://example.org/A"}, // paths are case-sensitive
		{"doi:10.1000/ABC", "doi:10.1000/abc"},
		{"DOI:10.1000/abc", "doi:10.1000/abc"},
		{"https://doi.org/10.1000/abc", "doi:10.1000/abc"},
		{"http://dx.doi.org/10.1000/ABC", "doi:10.1000/abc"},
		{"https://doi.org/10.1000%2Fabc", "doi:10.1000/abc"},
		{"info:doi/10.1000/abc", "doi:10.1000/abc"},
		{"10.1000/abc", "doi:10.1000/abc"},
		{"hdl:1234/5678", "hdl:1234/5678"},
		{"https://hdl.handle.net/1234/5678", "hdl:1234/5678"},
		{"http://hdl.handle.net/1234/ABC/", "hdl:1234/abc"},
		{"oai:example.org:42", "oai:example.org:42"},
		{"oai:Example.org:A", "oai:Example.org:A"},
		{"doi:nothing", ""},
		{"hdl:nothing", ""},
		{"oai:", ""},
		{"ftp://example.org/a", ""},
		{"mailto:a@example.org", ""},
		{"https://user:pw@example.org/a", ""},
		{"just words", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := ResourceKey(tc.in); got != tc.want {
			t.Errorf("ResourceKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestResourceKeys(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want []string
	}{
		{"oai record with landing page", Record{OriginID: "oai:x:1", URL: "http://example.org/1/"}, []string{"oai:x:1", "url:https://example.org/1"}},
		{"web page", Record{OriginID: "https://example.org/1", URL: "http://example.org/1?utm_campaign=a"}, []string{"url:https://example.org/1"}},
		{"doi landing", Record{OriginID: "oai:x:2", URL: "https://doi.org/10.5/X"}, []string{"doi:10.5/x", "oai:x:2"}},
		{"nothing comparable", Record{OriginID: "local-7"}, nil},
	}
	for _, tc := range tests {
		if got := ResourceKeys(&tc.rec); !slices.Equal(got, tc.want) {
			t.Errorf("%s: keys = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func member(source, origin, license string, ev ...Evidence) Record {
	lic := License{ID: license, Evidence: ev}
	if license != "" {
		lic.Family, lic.Open = "CC-BY", true
	}
	return Record{
		ID: RecordID(source, origin), Source: source, OriginID: origin, URL: "https://example.org/r",
		Creators: []string{}, Languages: []string{}, Subjects: []string{}, ResourceTypes: []string{}, License: lic,
	}
}

func TestMerge(t *testing.T) {
	a := member("alpha", "oai:a:1", "CC-BY-4.0", Evidence{From: "dc:rights", Value: "CC BY 4.0", ID: "CC-BY-4.0"})
	a.Description = "From alpha"
	a.Languages = []string{"en"}
	a.Subjects = []string{"biology"}
	b := member("beta", "https://example.org/r", "CC-BY-4.0", Evidence{From: "link rel=license", Value: "https://creativecommons.org/licenses/by/4.0/", ID: "CC-BY-4.0"})
	b.Title, b.Description = "Title from beta", "From beta"
	b.Languages = []string{"de", "en"}
	b.Date, b.Year = "2020-05", 2020

	e := Merge([]Record{a, b})
	if e.ID != a.ID || e.Source != "alpha" || e.OriginID != a.OriginID {
		t.Errorf("entry is %s/%s/%s, want the first member's id, source and origin", e.ID, e.Source, e.OriginID)
	}
	if e.Title != "Title from beta" || e.Description != "From alpha" || e.Year != 2020 {
		t.Errorf("fields: title %q, description %q, year %d", e.Title, e.Description, e.Year)
	}
	if !slices.Equal(e.Languages, []string{"en", "de"}) || !slices.Equal(e.Subjects, []string{"biology"}) {
		t.Errorf("lists: languages %q, subjects %q", e.Languages, e.Subjects)
	}
	if len(e.License.Evidence) != 2 || e.License.Evidence[0].Source != "alpha" || e.License.Evidence[1].Source != "beta" {
		t.Errorf("evidence = %+v, want both members', with their sources", e.License.Evidence)
	}
	if e.License.Conflict || e.License.Status() != StatusOpen || e.License.ID != "CC-BY-4.0" {
		t.Errorf("agreeing members: license %+v, status %s", e.License, e.License.Status())
	}
	if got := e.SourceNames(); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("sources = %q", got)
	}
	if got := e.FacetValues(FacetSource); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("source facet = %q", got)
	}
	if len(e.Sources) != 2 || e.Sources[1] != (SourceRef{Source: "beta", ID: b.ID, OriginID: b.OriginID, URL: b.URL, License: "CC-BY-4.0"}) {
		t.Errorf("source refs = %+v", e.Sources)
	}
	if len(a.License.Evidence[0].Source) != 0 || len(a.Languages) != 1 {
		t.Error("Merge changed its input")
	}
	if again := Merge([]Record{a, b}); again.Title != e.Title || again.Description != e.Description || len(again.Sources) != 2 {
		t.Error("Merge is not deterministic")
	}
	if one := Merge([]Record{a}); one.Sources != nil || one.License.Evidence[0].Source != "" {
		t.Errorf("a single member changed: %+v", one)
	}
}

func TestMergeConflict(t *testing.T) {
	a := member("alpha", "oai:a:1", "CC-BY-4.0")
	c := member("gamma", "oai:c:1", "CC-BY-SA-4.0")
	e := Merge([]Record{a, c})
	if !e.License.Conflict || e.License.Status() != StatusConflict {
		t.Errorf("disagreeing members: license %+v, status %s; want a conflict", e.License, e.License.Status())
	}
	// A member that read nothing does not disagree, and the entry takes the license read.
	u := member("unknown", "oai:u:1", "")
	e = Merge([]Record{u, a})
	if e.License.Conflict || e.License.ID != "CC-BY-4.0" {
		t.Errorf("unknown + known: license %+v", e.License)
	}
	// A librarian's decision on the entry settles the conflict.
	a.License.Override = &Override{ID: "CC-BY-4.0"}
	if e := Merge([]Record{a, c}); e.License.Status() != StatusOpen {
		t.Errorf("decided entry: status %s", e.License.Status())
	}
}
