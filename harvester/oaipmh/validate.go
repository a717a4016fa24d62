package oaipmh

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/weburl"
)

// prefixRe is what OAI-PMH allows in a metadataPrefix (URI unreserved characters).
var prefixRe = regexp.MustCompile(`^[A-Za-z0-9_.!~*'()-]+$`)

// Validate reports everything wrong with the OAI-PMH settings of src as a KindInvalid error,
// or nil. Settings of other source types are ignored.
func Validate(src harvester.Source) error {
	var bad []string
	if _, err := weburl.Parse(src.URL); err != nil {
		bad = append(bad, fmt.Sprintf("url %q must be an absolute http or https URL", src.URL))
	}
	for _, p := range src.MetadataPrefixes {
		if !prefixRe.MatchString(p) {
			bad = append(bad, fmt.Sprintf("metadata prefix %q has characters OAI-PMH does not allow", p))
		}
	}
	for _, set := range src.Sets {
		if set == "" || strings.ContainsAny(set, " \t\r\n") {
			bad = append(bad, fmt.Sprintf("set %q must be a non-empty setSpec without spaces", set))
		}
	}
	from, fromErr := argDatestamp(src.From)
	until, untilErr := argDatestamp(src.Until)
	for _, e := range []error{fromErr, untilErr} {
		if e != nil {
			bad = append(bad, e.Error())
		}
	}
	if fromErr == nil && untilErr == nil && !from.IsZero() && !until.IsZero() && until.Before(from) {
		bad = append(bad, fmt.Sprintf("until %s is before from %s", src.Until, src.From))
	}
	if src.MaxPages < 0 {
		bad = append(bad, "max pages must not be negative")
	}
	return harvester.Invalid(bad)
}

// argDatestamp reads a from or until argument in one of OAI-PMH's two granularities.
func argDatestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("datestamp %q must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", s)
}
