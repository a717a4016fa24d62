package catalog

import (
	"net/url"
	"slices"
	"strings"
)

// SourceRef is one source's record of a catalog entry that several sources offer.
type SourceRef struct {
	Source   string `json:"source"`
	ID       string `json:"id"` // the record id this source's record would have on its own
	OriginID string `json:"origin_id"`
	URL      string `json:"url,omitempty"`
	License  string `json:"license,omitempty"` // the license id this source's statements gave
}

// Resource key kinds: a record's keys start with one of these, so that a DOI and a URL never
// meet by accident.
const (
	KeyDOI    = "doi:"
	KeyHandle = "hdl:"
	KeyOAI    = "oai:"
	KeyURL    = "url:"
)

// ResourceKeys returns the keys that name the resource r describes, from its landing URL and
// its origin id: the DOI or handle either one carries, the OAI identifier, and the normalized
// landing URL. Two records sharing any key describe the same resource. The result is sorted
// and free of duplicates.
func ResourceKeys(r *Record) []string {
	var keys []string
	for _, v := range []string{r.URL, r.OriginID} {
		if k := ResourceKey(v); k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// ResourceKey returns the key one identifier names (a DOI in any of its written forms, a
// handle, an OAI identifier, or a web URL), or "" when it names nothing comparable.
func ResourceKey(id string) string {
	id = strings.TrimSpace(id)
	lower := strings.ToLower(id)
	for _, p := range []string{"doi:", "info:doi/", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/"} {
		if strings.HasPrefix(lower, p) {
			return doiKey(id[len(p):])
		}
	}
	for _, p := range []string{"hdl:", "info:hdl/", "https://hdl.handle.net/", "http://hdl.handle.net/"} {
		if strings.HasPrefix(lower, p) {
			return handleKey(id[len(p):])
		}
	}
	if strings.HasPrefix(lower, "10.") && strings.Contains(id, "/") && !strings.ContainsAny(id, " \t") {
		return doiKey(id)
	}
	if strings.HasPrefix(lower, "oai:") && len(id) > len("oai:") {
		return KeyOAI + id[len("oai:"):] // OAI identifiers are case-sensitive
	}
	if u := NormalizeURL(id); u != "" {
		return KeyURL + u
	}
	return ""
}

// doiKey folds a DOI to one form: DOIs are case-insensitive, and a link may escape them.
func doiKey(doi string) string {
	if d, err := url.PathUnescape(doi); err == nil {
		doi = d
	}
	doi = strings.ToLower(strings.TrimRight(strings.TrimSpace(doi), "/"))
	if !strings.HasPrefix(doi, "10.") || !strings.Contains(doi, "/") {
		return ""
	}
	return KeyDOI + doi
}

// handleKey folds a handle: handles are case-insensitive in ASCII.
func handleKey(h string) string {
	if d, err := url.PathUnescape(h); err == nil {
		h = d
	}
	h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "/"))
	if !strings.Contains(h, "/") {
		return ""
	}
	return KeyHandle + h
}

// trackingParams are query parameters that say how a visitor arrived, not what they asked for.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "mc_cid": true, "mc_eid": true,
	"_hsenc": true, "_hsmi": true, "igshid": true, "yclid": true,
}

// NormalizeURL returns the form of an http(s) URL under which two spellings of one landing
// page compare equal: https for http, lower-case host, no default port, no fragment, no
// trailing slash, no tracking parameters (utm_*, fbclid, …), the other parameters sorted.
// It returns "" for anything else.
func NormalizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	for k := range q {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			q.Del(k)
		}
	}
	out := url.URL{Scheme: "https", Host: host, Path: strings.TrimRight(u.Path, "/"), RawQuery: q.Encode()}
	if u.RawPath != "" {
		out.RawPath = strings.TrimRight(u.RawPath, "/")
	}
	return out.String()
}

// Merge makes one catalog entry of the records several sources hold for one resource, given
// in the order they joined it. The entry keeps the first member's id, source and origin id;
// each other field comes from the first member that has it, lists are joined, and the license
// evidence of all members is kept with the source it came from. Members that read different
// licenses make a conflict, unless the first member's license is a librarian's decision
// (decisions are kept under the entry's id). A single member is returned as it is.
func Merge(members []Record) Record {
	if len(members) == 0 {
		return Record{}
	}
	if len(members) == 1 {
		return members[0]
	}
	e := members[0]
	e.Creators, e.Languages, e.Subjects = nil, nil, nil
	e.Keywords, e.ResourceTypes, e.Truncated = nil, nil, nil
	e.Sources = make([]SourceRef, 0, len(members))
	e.License.Evidence = nil
	licenses := map[string]bool{}
	for i := range members {
		m := &members[i]
		e.Sources = append(e.Sources, SourceRef{Source: m.Source, ID: m.ID, OriginID: m.OriginID, URL: m.URL, License: m.License.ID})
		e.Title = cmpOr(e.Title, m.Title)
		e.Description = cmpOr(e.Description, m.Description)
		e.URL = cmpOr(e.URL, m.URL)
		if e.Date == "" && m.Date != "" {
			e.Date, e.Year = m.Date, m.Year
		}
		e.Datestamp = max(e.Datestamp, m.Datestamp)
		e.Creators = union(e.Creators, m.Creators)
		e.Languages = union(e.Languages, m.Languages)
		e.Subjects = union(e.Subjects, m.Subjects)
		e.Keywords = union(e.Keywords, m.Keywords)
		e.ResourceTypes = union(e.ResourceTypes, m.ResourceTypes)
		e.Truncated = union(e.Truncated, m.Truncated)
		e.Hidden = e.Hidden || m.Hidden
		for _, ev := range m.License.Evidence {
			ev.Source = m.Source
			e.License.Evidence = append(e.License.Evidence, ev)
		}
		e.License.Conflict = e.License.Conflict || m.License.Conflict
		if m.License.ID != "" {
			licenses[m.License.ID] = true
		}
	}
	if e.License.ID == "" { // the first member read nothing: take the first that did
		for _, m := range members[1:] {
			if m.License.ID != "" {
				ev, conflict := e.License.Evidence, e.License.Conflict
				e.License = m.License
				e.License.Evidence, e.License.Conflict = ev, conflict
				e.Attribution = m.Attribution
				break
			}
		}
	}
	if len(licenses) > 1 {
		e.License.Conflict = true
	}
	// Keep JSON lists as the record contract has them: empty, never null.
	for _, l := range []*[]string{&e.Creators, &e.Languages, &e.Subjects, &e.ResourceTypes} {
		if *l == nil {
			*l = []string{}
		}
	}
	return e
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// union appends to a the values of b it lacks, keeping order.
func union(a, b []string) []string {
	for _, v := range b {
		if !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}
