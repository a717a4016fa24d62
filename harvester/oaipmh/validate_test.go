package oaipmh

import (
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

func TestValidate(t *testing.T) {
	ok := harvester.Source{URL: "https://repo.example/oai"}
	tests := []struct {
		name string
		edit func(*harvester.Source)
		bad  string // part of the error; empty when valid
	}{
		{"minimal", func(*harvester.Source) {}, ""},
		{"everything", func(s *harvester.Source) {
			s.MetadataPrefixes, s.Sets, s.From, s.Until = []string{"oai_dc", "lom"}, []string{"a:b"}, "2020-01-01", "2020-01-02T00:00:00Z"
		}, ""},
		{"web settings are not ours", func(s *harvester.Source) { s.Mode = "spider" }, ""},
		{"no URL", func(s *harvester.Source) { s.URL = "" }, "url"},
		{"ftp URL", func(s *harvester.Source) { s.URL = "ftp://repo.example/oai" }, "url"},
		{"URL with a space", func(s *harvester.Source) { s.URL = "https://repo.example/o ai" }, "url"},
		{"prefix", func(s *harvester.Source) { s.MetadataPrefixes = []string{"oai dc"} }, "metadata prefix"},
		{"empty set", func(s *harvester.Source) { s.Sets = []string{""} }, "set"},
		{"set with a space", func(s *harvester.Source) { s.Sets = []string{"a b"} }, "set"},
		{"from", func(s *harvester.Source) { s.From = "01/02/2020" }, "datestamp"},
		{"until with zone", func(s *harvester.Source) { s.Until = "2020-01-01T00:00:00+02:00" }, "datestamp"},
		{"until before from", func(s *harvester.Source) { s.From, s.Until = "2021-01-01", "2020-01-01" }, "before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := ok
			tt.edit(&src)
			err := Validate(src)
			switch {
			case tt.bad == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad) || harvester.KindOf(err) != harvester.KindInvalid):
				t.Errorf("Validate = %v, want an invalid error about %q", err, tt.bad)
			}
		})
	}
}
