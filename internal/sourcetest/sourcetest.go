// Package sourcetest lists every setting of a workers.Source with a valid value, so that tests
// of the edit paths (API, CLI, source page) can show that no setting is lost by an edit.
package sourcetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/workers"
)

// values holds a valid value for every setting, each different from Base's. A field of
// workers.Source (or of the harvester.Source it embeds) missing here fails Fields.
var values = map[string]any{
	"Type":             harvester.TypeWeb,
	"URL":              "http://127.0.0.1:1/other",
	"MetadataPrefixes": []string{"oai_lom", "oai_dc"},
	"Sets":             []string{"math", "bio"},
	"From":             "2020-01-01",
	"Until":            "2024-12-31",
	"Mode":             "crawl",
	"URLs":             []string{"http://127.0.0.1:1/a", "http://127.0.0.1:1/b"},
	"MaxDepth":         3,
	"MaxPages":         40,
	"PathPrefix":       "/oer/",
	"Pace":             5 * time.Second,
	"Schedule":         "@daily",
	"TimeZone":         "Europe/Berlin",
	"Paused":           true,
	"FullEvery":        72 * time.Hour,
	"Title":            "Open Biology Library",
	"Description":      "Worksheets and videos for secondary school biology.",
}

// managed are the fields the registry sets itself; callers never edit them.
var managed = map[string]bool{"Name": true, "Created": true, "Updated": true, "Revision": true}

// Field is one setting of a source.
type Field struct {
	Name  string
	index []int
	value any
}

// Fields lists every setting of workers.Source, failing t for a field that has no value here.
func Fields(t testing.TB) []Field {
	t.Helper()
	var out []Field
	for _, f := range reflect.VisibleFields(reflect.TypeFor[workers.Source]()) {
		if f.Anonymous || !f.IsExported() || managed[f.Name] {
			continue
		}
		v, ok := values[f.Name]
		if !ok {
			t.Errorf("source field %s has no test value: give it one in sourcetest and make every edit path keep it", f.Name)
			continue
		}
		out = append(out, Field{Name: f.Name, index: f.Index, value: v})
	}
	return out
}

// Base is a valid source with every setting at its zero value or default.
func Base(name string) workers.Source {
	return workers.Source{Source: harvester.Source{Name: name, Type: harvester.TypeOAIPMH, URL: "http://127.0.0.1:1/oai"}}
}

// Set gives the field its test value in src.
func (f Field) Set(src *workers.Source) {
	reflect.ValueOf(src).Elem().FieldByIndex(f.index).Set(reflect.ValueOf(f.value))
}

// Other names the setting an edit changes while f must stay: Paused (set to true), or
// Schedule (set to OtherSchedule) when f is Paused.
func (f Field) Other() string {
	if f.Name == "Paused" {
		return "Schedule"
	}
	return "Paused"
}

// Check fails t unless src shows the edit that Other names (paused, or scheduled
// OtherSchedule) and still holds the field's test value.
func (f Field) Check(t testing.TB, src workers.Source) {
	t.Helper()
	if f.Other() == "Paused" && !src.Paused || f.Other() == "Schedule" && src.Schedule != OtherSchedule {
		t.Errorf("the edit of %s did not happen: %+v", f.Other(), src)
	}
	if got := reflect.ValueOf(src).FieldByIndex(f.index).Interface(); !reflect.DeepEqual(got, f.value) {
		t.Errorf("%s lost: now %#v", f.Name, got)
	}
}

// OtherSchedule is the schedule an edit sets when the field under test is Paused.
const OtherSchedule = "@hourly"
