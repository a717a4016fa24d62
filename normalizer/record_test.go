package normalizer

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
)

func TestRecord(t *testing.T) {
	raw := harvester.Record{
		OriginID:     "  oai:example.org:42 ",
		Datestamp:    "2024-03-05T10:00:00Z",
		Titles:       []string{"", "  Photosynthese   für <b>Einsteiger</b> "},
		Descriptions: []string{"<p>Ein Arbeitsblatt &amp; Video.</p>"},
		Creators:     []string{"Müller, Anna", "Müller,  Anna", "Doe, John"},
		Languages:    []string{"Deutsch", "ger", "xx-unknown"},
		Subjects:     []string{"Biologie", " Biologie ", ""},
		Types:        []string{"Arbeitsblatt", "http://purl.org/dc/dcmitype/MovingImage"},
		Dates:        []string{"no date", "2019"},
		Identifiers:  []string{"10.1234/abc", "https://example.org/oer/42"},
		Rights: []harvester.Rights{
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by-sa/4.0/deed.de", Scope: harvester.ScopeResource},
			{From: "dcterms:accessRights", Value: "info:eu-repo/semantics/openAccess", Scope: harvester.ScopeAccess},
		},
	}
	rec, err := Record("Example OER", raw)
	if err != nil {
		t.Fatal(err)
	}
	want := catalog.Record{
		ID:            catalog.RecordID("Example OER", "oai:example.org:42"),
		Source:        "Example OER",
		OriginID:      "oai:example.org:42",
		Datestamp:     "2024-03-05T10:00:00Z",
		URL:           "https://example.org/oer/42",
		Title:         "Photosynthese für Einsteiger",
		Description:   "Ein Arbeitsblatt & Video.",
		Creators:      []string{"Müller, Anna", "Doe, John"},
		Languages:     []string{"de"},
		Subjects:      []string{"Biologie"},
		Fields:        []string{"05", "051", "0511"}, // ISCED-F biology, under its broader fields
		ResourceTypes: []string{"exercise", "video"},
		Date:          "2019",
		Year:          2019,
	}
	got := rec
	got.License, got.Attribution, got.Keywords = catalog.License{}, "", nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Record() =\n%+v\nwant\n%+v", got, want)
	}
	lic := rec.License
	if lic.ID != "CC-BY-SA-4.0" || lic.Family != "CC-BY-SA" || !lic.Open || !lic.Commercial || !lic.Derivatives || !lic.ShareAlike || lic.Conflict {
		t.Errorf("license = %+v", lic)
	}
	if lic.URL != "https://creativecommons.org/licenses/by-sa/4.0/" || lic.Label != "CC BY-SA 4.0" {
		t.Errorf("license url/label = %q %q", lic.URL, lic.Label)
	}
	if len(lic.Evidence) == 0 || lic.Evidence[0].From != "dc:rights" {
		t.Errorf("evidence = %+v", lic.Evidence)
	}
	for _, part := range []string{"Photosynthese für Einsteiger", "Müller, Anna", "https://creativecommons.org/licenses/by-sa/4.0/"} {
		if !strings.Contains(rec.Attribution, part) {
			t.Errorf("attribution %q lacks %q", rec.Attribution, part)
		}
	}
}

func TestRecordLicenses(t *testing.T) {
	tests := []struct {
		name     string
		rights   []harvester.Rights
		id       string
		status   catalog.Status
		conflict bool
	}{
		{"none", nil, "", catalog.StatusUnknown, false},
		{"unreadable", []harvester.Rights{{From: "dc:rights", Value: "Please ask the author"}}, "", catalog.StatusUnknown, false},
		{"nc is closed", []harvester.Rights{{From: "dc:rights", Value: "CC BY-NC 4.0"}}, "CC-BY-NC-4.0", catalog.StatusClosed, false},
		{"cc0", []harvester.Rights{{From: "dc:rights", Value: "http://creativecommons.org/publicdomain/zero/1.0/"}}, "CC0-1.0", catalog.StatusOpen, false},
		{"conflict", []harvester.Rights{
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by/4.0/"},
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by-nd/4.0/"},
		}, "", catalog.StatusConflict, true},
		{"resource beats site", []harvester.Rights{
			{From: "footer", Value: "All rights reserved", Scope: harvester.ScopeSite},
			{From: "a[rel=license]", Value: "https://creativecommons.org/licenses/by/3.0/de/", Scope: harvester.ScopeResource},
		}, "CC-BY-3.0-DE", catalog.StatusOpen, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := Record("s", harvester.Record{OriginID: "x", Titles: []string{"T"}, Rights: tt.rights})
			if err != nil {
				t.Fatal(err)
			}
			if tt.id != "" && rec.License.ID != tt.id {
				t.Errorf("license id = %q, want %q", rec.License.ID, tt.id)
			}
			if rec.License.Status() != tt.status || rec.License.Conflict != tt.conflict {
				t.Errorf("status = %s conflict = %v, want %s %v (%+v)", rec.License.Status(), rec.License.Conflict, tt.status, tt.conflict, rec.License)
			}
			if len(rec.License.Evidence) != len(tt.rights) && tt.status != catalog.StatusUnknown {
				t.Errorf("evidence %+v should keep every statement of %+v", rec.License.Evidence, tt.rights)
			}
		})
	}
}

func TestRecordRejects(t *testing.T) {
	for name, raw := range map[string]harvester.Record{
		"no identifier": {Titles: []string{"T"}},
		"no title":      {OriginID: "x", Titles: []string{" ", "<p></p>"}},
	} {
		if _, err := Record("s", raw); !errors.Is(err, catalog.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestRecordDeleted(t *testing.T) {
	rec, err := Record("s", harvester.Record{OriginID: "oai:x:1", Deleted: true, Datestamp: "2020-01-02"})
	if err != nil || !rec.Deleted || rec.ID != catalog.RecordID("s", "oai:x:1") || rec.Datestamp != "2020-01-02" {
		t.Fatalf("Record(deleted) = %+v, %v", rec, err)
	}
}

func TestRecordURLFallbacks(t *testing.T) {
	page, _ := Record("site", harvester.Record{OriginID: "https://site.example/page", Titles: []string{"P"}})
	if page.URL != "https://site.example/page" {
		t.Errorf("web page url = %q", page.URL)
	}
	named, _ := Record("s", harvester.Record{OriginID: "oai:1", URL: " https://a.example/x ", Identifiers: []string{"https://b.example"}, Titles: []string{"P"}})
	if named.URL != "https://a.example/x" {
		t.Errorf("named url = %q", named.URL)
	}
}

// TestRecordHostileURL feeds landing URLs built to break out of a Markdown or HTML link: what
// is stored is percent-encoded, and other schemes are dropped.
func TestRecordHostileURL(t *testing.T) {
	tests := []struct {
		name string
		raw  harvester.Record
		want string
	}{
		{"markdown link injection", harvester.Record{OriginID: "oai:1", URL: "http://example.org/a) [CLICK](javascript:alert(1)) ("},
			"http://example.org/a%29%20%5BCLICK%5D%28javascript:alert%281%29%29%20%28"},
		{"newline and heading", harvester.Record{OriginID: "oai:1", Identifiers: []string{"https://example.org/a\n# Heading\n"}},
			"https://example.org/a%0A#%20Heading"},
		{"html attribute", harvester.Record{OriginID: "https://example.org/p\"onmouseover=\"x"},
			"https://example.org/p%22onmouseover=%22x"},
		{"javascript scheme", harvester.Record{OriginID: "oai:1", URL: "javascript:alert(1)"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.Titles = []string{"T"}
			rec, err := Record("s", tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if rec.URL != tt.want {
				t.Errorf("url = %q, want %q", rec.URL, tt.want)
			}
		})
	}
}

func TestApplyOverride(t *testing.T) {
	rec, _ := Record("s", harvester.Record{OriginID: "x", Titles: []string{"Lesson"}, Creators: []string{"Ann"},
		Rights: []harvester.Rights{{From: "dc:rights", Value: "some odd text"}}})
	if err := ApplyOverride(&rec, catalog.Override{ID: "CC-BY-4.0", Note: "checked with the author"}); err != nil {
		t.Fatal(err)
	}
	if rec.License.ID != "CC-BY-4.0" || !rec.License.Open || rec.License.Override == nil || rec.License.Status() != catalog.StatusOpen {
		t.Errorf("after override: %+v", rec.License)
	}
	if len(rec.License.Evidence) != 1 || !strings.Contains(rec.Attribution, "creativecommons.org/licenses/by/4.0/") {
		t.Errorf("evidence %+v / attribution %q", rec.License.Evidence, rec.Attribution)
	}
	if err := ApplyOverride(&rec, catalog.Override{ID: "CC-BY-9.9"}); err == nil {
		t.Error("unknown override id accepted")
	}
}

func TestClipWords(t *testing.T) {
	s := strings.Repeat("wörd ", 2000)
	got := clipWords(s, 100)
	if len(got) > 104 || !strings.HasSuffix(got, "…") {
		t.Errorf("clipWords = %q", got)
	}
	if clipWords("short", 100) != "short" {
		t.Error("short text changed")
	}
}
