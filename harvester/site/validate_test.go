package site

import (
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/harvester"
)

func TestValidate(t *testing.T) {
	ok := harvester.Source{URL: "https://oer.example/"}
	tests := []struct {
		name string
		edit func(*harvester.Source)
		bad  string // part of the error; empty when valid
	}{
		{"crawl by default", func(*harvester.Source) {}, ""},
		{"sitemap", func(s *harvester.Source) { s.Mode, s.URL = ModeSitemap, "https://oer.example/sitemap.xml" }, ""},
		{"crawl with limits", func(s *harvester.Source) { s.Mode, s.MaxDepth, s.MaxPages, s.PathPrefix = ModeCrawl, 2, 10, "/oer/" }, ""},
		{"urls", func(s *harvester.Source) { s.Mode, s.URLs = ModeURLs, []string{"https://oer.example/a"} }, ""},
		{"OAI-PMH settings are not ours", func(s *harvester.Source) { s.From = "yesterday" }, ""},
		{"no URL", func(s *harvester.Source) { s.URL = "" }, "url"},
		{"javascript URL", func(s *harvester.Source) { s.URL = "javascript:alert(1)" }, "url"},
		{"unknown mode", func(s *harvester.Source) { s.Mode = "spider" }, "mode"},
		{"urls without any", func(s *harvester.Source) { s.Mode = ModeURLs }, "at least one URL"},
		{"bad page URL", func(s *harvester.Source) { s.Mode, s.URLs = ModeURLs, []string{"https://oer.example/a\nb"} }, "url"},
		{"negative depth", func(s *harvester.Source) { s.MaxDepth = -1 }, "negative"},
		{"negative pages", func(s *harvester.Source) { s.MaxPages = -1 }, "negative"},
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
