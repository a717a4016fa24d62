package normalizer

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/orchard-oer/orchard/weburl"
)

// Thumbnail picks the first of a record's pictures that Orchard may fetch: an http(s) URL no
// longer than a landing URL may be, resolved against the record's landing URL when it is
// relative, whose host is not written as a loopback, private or otherwise local address. A
// host name that resolves to such an address is refused later, by the fetch client's guard on
// the address it dials.
func Thumbnail(candidates []string, landing string) string {
	base, _ := url.Parse(landing)
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if base != nil && base.IsAbs() {
			if ref, err := url.Parse(c); err == nil && ref.Scheme == "" {
				c = base.ResolveReference(ref).String()
			}
		}
		u, err := weburl.Mend(c)
		if err != nil {
			continue
		}
		if p, err := url.Parse(u); err == nil && len(u) <= maxURL && fetchable(p.Hostname()) {
			return u
		}
	}
	return ""
}

// fetchable refuses hosts that name this machine or its network outright.
func fetchable(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") ||
		strings.HasSuffix(host, ".internal") || !strings.Contains(host, ".") && !strings.Contains(host, ":") {
		return false
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return true // a name
	}
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate()
}
