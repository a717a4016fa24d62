// Package text cleans the free-text fields of harvested records: creator names, and the
// landing URL chosen among a record's identifiers.
package text

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/orchard-oer/orchard/weburl"
)

// Creators returns the names in, each with its whitespace collapsed, split at semicolons
// ("Doe, Jane; Roe, Rick" names two people), without blanks and without repeats, which are
// found ignoring case and spaces. Names are otherwise kept as written: "Last, First" stays.
func Creators(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		for part := range strings.SplitSeq(v, ";") {
			name := Collapse(part)
			key := strings.ToLower(strings.ReplaceAll(name, " ", ""))
			if name == "" || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, name)
		}
	}
	return out
}

var (
	doiPattern    = regexp.MustCompile(`^(?i:doi:\s*|info:doi/|urn:doi:)?(10\.\d{4,9}/\S+)$`)
	handlePattern = regexp.MustCompile(`^(?i:hdl:\s*|info:hdl/|handle:\s*)(\d[\w.]*/\S+)$`)
)

// LandingURL picks the landing page among a record's identifiers: the first http(s) URL, else
// the first DOI (as https://doi.org/…), else the first handle (as https://hdl.handle.net/…),
// else "". The URL is written as weburl.Mend writes it.
func LandingURL(ids []string) string {
	var doi, handle string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if u, err := weburl.Mend(id); err == nil {
			return u
		}
		if m := doiPattern.FindStringSubmatch(id); m != nil && doi == "" {
			doi = "https://doi.org/" + m[1]
		}
		if m := handlePattern.FindStringSubmatch(id); m != nil && handle == "" {
			handle = "https://hdl.handle.net/" + m[1]
		}
	}
	if doi == "" {
		doi = handle
	}
	u, _ := weburl.Mend(doi)
	return u
}

// Collapse turns every run of white space in s into one space and trims both ends. Most
// harvested values are clean already; they are returned as they are, without a copy.
func Collapse(s string) string {
	clean := true
	for i, r := range s {
		if unicode.IsSpace(r) && (r != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
