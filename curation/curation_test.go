package curation

import (
	"testing"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer"
)

// harvested is a record as the normalizer makes it from a source that states one license.
func harvested(t *testing.T, rights ...string) catalog.Record {
	t.Helper()
	raw := harvester.Record{OriginID: "oai:repo:1", Titles: []string{"Tides"}, Creators: []string{"Ada"},
		Identifiers: []string{"https://repo.example/tides"}}
	for _, r := range rights {
		raw.Rights = append(raw.Rights, harvester.Rights{From: "dc:rights", Value: r})
	}
	rec, err := normalizer.Record("repo", raw)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func overridden(t *testing.T, id string) catalog.Record {
	t.Helper()
	rec := harvested(t, "some words")
	if err := Apply(&rec, Decision{License: &catalog.Override{ID: id, Note: "checked"}}); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestApply(t *testing.T) {
	tests := []struct {
		name     string
		rec      catalog.Record
		d        Decision
		license  string
		override bool
		hidden   bool
		wantErr  bool
	}{
		{"nothing decided", harvested(t, "https://creativecommons.org/licenses/by/4.0/"), Decision{}, "CC-BY-4.0", false, false, false},
		{"license chosen", harvested(t, "some words"), Decision{License: &catalog.Override{ID: "CC-BY-SA-4.0", Note: "checked the site"}}, "CC-BY-SA-4.0", true, false, false},
		{"license chosen over a known one", harvested(t, "https://creativecommons.org/licenses/by/4.0/"), Decision{License: &catalog.Override{ID: "CC0-1.0"}}, "CC0-1.0", true, false, false},
		{"hidden", harvested(t, "https://creativecommons.org/licenses/by/4.0/"), Decision{Hidden: true}, "CC-BY-4.0", false, true, false},
		{"hidden with a license", harvested(t, "some words"), Decision{License: &catalog.Override{ID: "MIT"}, Hidden: true}, "MIT", true, true, false},
		{"override taken back: read from the evidence", overridden(t, "CC-BY-4.0"), Decision{}, "", false, false, false},
		{"override taken back, record stays hidden", overridden(t, "CC-BY-4.0"), Decision{Hidden: true}, "", false, true, false},
		{"shown again", func() catalog.Record { r := harvested(t, "some words"); r.Hidden = true; return r }(), Decision{}, "", false, false, false},
		{"unknown license id", harvested(t, "some words"), Decision{License: &catalog.Override{ID: "CC-BY-9.9"}}, "", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.rec
			evidence := len(rec.License.Evidence)
			err := Apply(&rec, tt.d)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Apply = nil, want an error; license %+v", rec.License)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.License.ID != tt.license || (rec.License.Override != nil) != tt.override || rec.Hidden != tt.hidden {
				t.Errorf("license %q override %v hidden %v, want %q %v %v", rec.License.ID, rec.License.Override, rec.Hidden, tt.license, tt.override, tt.hidden)
			}
			if len(rec.License.Evidence) != evidence || evidence == 0 {
				t.Errorf("evidence %d statements, had %d", len(rec.License.Evidence), evidence)
			}
			if tt.override && *rec.License.Override != *tt.d.License {
				t.Errorf("override %+v, want %+v", rec.License.Override, tt.d.License)
			}
			if rec.Validate() != nil {
				t.Errorf("invalid after Apply: %v", rec.Validate())
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, tt := range []struct {
		d    Decision
		want bool
	}{
		{Decision{}, true},
		{Decision{Hidden: true}, false},
		{Decision{License: &catalog.Override{ID: "MIT"}}, false},
	} {
		if got := tt.d.Empty(); got != tt.want {
			t.Errorf("%+v.Empty() = %v", tt.d, got)
		}
	}
}
