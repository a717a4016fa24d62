package harvester_test

import (
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
)

// TestValidate checks each harvester's validation of its own settings.
func TestValidate(t *testing.T) {
	oai := harvester.Source{URL: "https://repo.example/oai"}
	web := harvester.Source{URL: "https://oer.example/"}
	tests := []struct {
		name     string
		validate func(harvester.Source) error
		src      harvester.Source
		edit     func(*harvester.Source)
		bad      string // part of the error; empty when valid
	}{
		{"oai minimal", oaipmh.Validate, oai, func(*harvester.Source) {}, ""},
		{"oai everything", oaipmh.Validate, oai, func(s *harvester.Source) {
			s.MetadataPrefixes, s.Sets, s.From, s.Until = []string{"oai_dc", "lom"}, []string{"a:b"}, "2020-01-01", "2020-01-02T00:00:00Z"
		}, ""},
		{"oai ignores web settings", oaipmh.Validate, oai, func(s *harvester.Source) { s.Mode = "spider" }, ""},
		{"oai no URL", oaipmh.Validate, oai, func(s *harvester.Source) { s.URL = "" }, "url"},
		{"oai ftp URL", oaipmh.Validate, oai, func(s *harvester.Source) { s.URL = "ftp://repo.example/oai" }, "url"},
		{"oai URL with a space", oaipmh.Validate, oai, func(s *harvester.Source) { s.URL = "https://repo.example/o ai" }, "url"},
		{"oai prefix", oaipmh.Validate, oai, func(s *harvester.Source) { s.MetadataPrefixes = []string{"oai dc"} }, "metadata prefix"},
		{"oai empty set", oaipmh.Validate, oai, func(s *harvester.Source) { s.Sets = []string{""} }, "set"},
		{"oai set with a space", oaipmh.Validate, oai, func(s *harvester.Source) { s.Sets = []string{"a b"} }, "set"},
		{"oai from", oaipmh.Validate, oai, func(s *harvester.Source) { s.From = "01/02/2020" }, "datestamp"},
		{"oai until with zone", oaipmh.Validate, oai, func(s *harvester.Source) { s.Until = "2020-01-01T00:00:00+02:00" }, "datestamp"},
		{"oai until before from", oaipmh.Validate, oai, func(s *harvester.Source) { s.From, s.Until = "2021-01-01", "2020-01-01" }, "before"},

		{"web crawl by default", site.Validate, web, func(*harvester.Source) {}, ""},
		{"web sitemap", site.Validate, web, func(s *harvester.Source) { s.Mode, s.URL = site.ModeSitemap, "https://oer.example/sitemap.xml" }, ""},
		{"web crawl with limits", site.Validate, web, func(s *harvester.Source) {
			s.Mode, s.MaxDepth, s.MaxPages, s.PathPrefix = site.ModeCrawl, 2, 10, "/oer/"
		}, ""},
		{"web urls", site.Validate, web, func(s *harvester.Source) { s.Mode, s.URLs = site.ModeURLs, []string{"https://oer.example/a"} }, ""},
		{"web ignores OAI-PMH settings", site.Validate, web, func(s *harvester.Source) { s.From = "yesterday" }, ""},
		{"web no URL", site.Validate, web, func(s *harvester.Source) { s.URL = "" }, "url"},
		{"web javascript URL", site.Validate, web, func(s *harvester.Source) { s.URL = "javascript:alert(1)" }, "url"},
		{"web unknown mode", site.Validate, web, func(s *harvester.Source) { s.Mode = "spider" }, "mode"},
		{"web urls without any", site.Validate, web, func(s *harvester.Source) { s.Mode = site.ModeURLs }, "at least one URL"},
		{"web bad page URL", site.Validate, web, func(s *harvester.Source) { s.Mode, s.URLs = site.ModeURLs, []string{"https://oer.example/a\nb"} }, "url"},
		{"web negative depth", site.Validate, web, func(s *harvester.Source) { s.MaxDepth = -1 }, "negative"},
		{"web negative pages", site.Validate, web, func(s *harvester.Source) { s.MaxPages = -1 }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			tt.edit(&src)
			err := tt.validate(src)
			switch {
			case tt.bad == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad) || harvester.KindOf(err) != harvester.KindInvalid):
				t.Errorf("Validate = %v, want an invalid error about %q", err, tt.bad)
			}
		})
	}
}
