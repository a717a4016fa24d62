package site

import (
	"fmt"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/weburl"
)

// Validate reports everything wrong with the web settings of src as a KindInvalid error, or
// nil. Settings of other source types are ignored.
func Validate(src harvester.Source) error {
	var bad []string
	if _, err := weburl.Parse(src.URL); err != nil {
		bad = append(bad, fmt.Sprintf("url %q must be an absolute http or https URL", src.URL))
	}
	switch src.Mode {
	case "", ModeSitemap, ModeCrawl:
	case ModeURLs:
		if len(src.URLs) == 0 {
			bad = append(bad, "mode urls needs at least one URL")
		}
	default:
		bad = append(bad, fmt.Sprintf("mode %q must be %s, %s or %s", src.Mode, ModeSitemap, ModeURLs, ModeCrawl))
	}
	for _, u := range src.URLs {
		if _, err := weburl.Parse(u); err != nil {
			bad = append(bad, fmt.Sprintf("url %q must be an absolute http or https URL", u))
		}
	}
	if src.MaxDepth < 0 || src.MaxPages < 0 {
		bad = append(bad, "max depth and max pages must not be negative")
	}
	return harvester.Invalid(bad)
}
