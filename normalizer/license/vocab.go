package license

import "strings"

// The vocabulary of license signals: where in a page or record a license is stated, and which
// values say something else. The web extractor, the OAI-PMH mappings and Parse all read it
// here, so that they agree on what counts.

// metaNames are the <meta> names and properties, lower case, whose content is a rights or
// license statement.
var metaNames = map[string]bool{
	"license": true, "rights": true, "copyright": true,
	"dc.license": true, "dc.rights": true, "dc.rights.license": true,
	"dcterms.license": true, "dcterms.rights": true, "dcterms.accessrights": true,
	"dct:license": true, "cc:license": true, "og:license": true, "citation_license": true,
}

// IsMetaName reports whether a <meta name> or property carries a rights statement.
func IsMetaName(name string) bool {
	return metaNames[strings.ToLower(strings.TrimSpace(name))]
}

// accessPrefixes begin the access-right terms: OpenAIRE's info:eu-repo/semantics/ vocabulary
// (openAccess, embargoedAccess, …) and the COAR access rights URIs.
var accessPrefixes = []string{
	"info:eu-repo/semantics/",
	"http://purl.org/coar/access_right/",
	"https://purl.org/coar/access_right/",
}

// IsAccessTerm reports whether s is an access-right term: it says whether a resource can be
// reached, not what one may do with it, so it is never a license.
func IsAccessTerm(s string) bool {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	for _, p := range accessPrefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// badgePlaces serve license buttons (88x31.png and friends), as host and path prefix.
var badgePlaces = []string{"i.creativecommons.org/", "licensebuttons.net/", "mirrors.creativecommons.org/presskit/buttons/"}

// IsBadge reports whether an image URL is a license button. Proxies and archives keep the
// button's host in their path, so it is looked for anywhere in the URL.
func IsBadge(src string) bool {
	low := strings.ToLower(src)
	for _, p := range badgePlaces {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// isBadgeHost reports whether a lower-case host serves license buttons.
func isBadgeHost(host string) bool {
	for _, p := range badgePlaces {
		if h, _, _ := strings.Cut(p, "/"); h == host {
			return true
		}
	}
	return false
}

// toolPlaces are where the Creative Commons license and public domain tools live.
var toolPlaces = []string{"creativecommons.org/licenses/", "creativecommons.org/publicdomain/"}

// IsToolURL reports whether an http(s) URL names a Creative Commons license or public domain
// tool: a plain link to one is a license signal even without rel="license".
func IsToolURL(u string) bool {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "http://")
	}
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(strings.ToLower(rest), "www.")
	for _, p := range toolPlaces {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}
