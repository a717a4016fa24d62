package license

import (
	"strings"
	"unsafe"
)

// maxURL is the longest URL read through the allocation-free path; longer ones are lower-cased on
// the heap.
const maxURL = 512

// urlParts is a lower-cased URL cut into host, path segments and fragment, all slices of one
// buffer.
type urlParts struct {
	host     string
	segs     [12]string
	n        int
	fragment string
	query    string
}

// parseURL reads s as a URL. It returns false when s is not a URL at all, so that the caller can
// try other forms; a URL that names nothing known is an unknown reading with a warning.
func parseURL(s string, r *Reading) bool {
	var buf [maxURL]byte
	var low string
	if len(s) <= maxURL {
		b := buf[:len(s)]
		for i := 0; i < len(s); i++ {
			b[i] = lower(s[i])
		}
		low = unsafeString(b)
	} else {
		low = strings.ToLower(s)
	}
	u, ok := splitURL(low)
	if !ok {
		return false
	}
	r.Form = FormURL
	switch u.host {
	case "creativecommons.org", "creativecommons.net":
		ccURL(&u, r)
	case "rightsstatements.org":
		rsURL(&u, r)
	case "spdx.org", "opensource.org":
		spdxURL(&u, r)
	case "gnu.org", "fsf.org":
		gnuURL(&u, r)
	case "apache.org":
		if u.n >= 2 && u.segs[0] == "licenses" && strings.HasPrefix(u.segs[1], "license-2.0") {
			setID(r, "Apache-2.0")
		}
	case "mozilla.org":
		for _, seg := range u.segs[:u.n] {
			if seg == "mpl" && u.n > 0 && strings.HasPrefix(u.segs[u.n-1], "2.0") {
				setID(r, "MPL-2.0")
			}
		}
	case "opendatacommons.org":
		if u.n >= 2 && u.segs[0] == "licenses" {
			setID(r, map[string]string{"odbl": "ODbL-1.0", "by": "ODC-By-1.0", "pddl": "PDDL-1.0"}[u.segs[1]])
		}
	case "europeana.eu":
		europeanaURL(&u, r)
	case "en.wikipedia.org", "de.wikipedia.org", "wikipedia.org":
		if u.n == 2 && u.segs[0] == "wiki" && (u.segs[1] == "public_domain" || u.segs[1] == "gemeinfreiheit") {
			setID(r, idPublicDomain)
			r.warn("a link to an encyclopedia article on the public domain is a generic claim, not a legal tool")
		}
	default:
		if isBadgeHost(u.host) {
			r.Form = FormBadge
			badgeURL(&u, r)
		}
	}
	if r.Tool.ID == "" && u.fragment != "" && u.n > 0 && u.segs[u.n-1] == "mir_licenses" {
		// A MyCoRe license classification names the license in the fragment (cc_by-nc-sa_4.0).
		frag := Parse(strings.ReplaceAll(strings.Clone(u.fragment), "_", " "))
		r.Tool, r.Warnings = frag.Tool, append(r.Warnings, frag.Warnings...)
		if frag.Tool.ID == "" {
			r.warn("repository license category " + u.fragment + " is not recognised")
		}
	}
	if r.Tool.ID == "" && len(r.Warnings) == 0 {
		r.warn("URL not recognised as a license: " + strings.TrimSpace(s))
	}
	return true
}

// splitURL cuts a lower-cased URL. It accepts http and https, a protocol-relative //, a missing or
// doubled slash after the scheme, a leading www., a port, a query and a fragment.
func splitURL(s string) (u urlParts, ok bool) {
	switch {
	case strings.HasPrefix(s, "https:"):
		s = s[6:]
	case strings.HasPrefix(s, "http:"):
		s = s[5:]
	case strings.HasPrefix(s, "//"):
	case strings.HasPrefix(s, "www."), strings.HasPrefix(s, "creativecommons.org/"),
		strings.HasPrefix(s, "rightsstatements.org/"), strings.HasPrefix(s, "licensebuttons.net/"):
		s = "//" + s
	default:
		return u, false
	}
	s = strings.TrimLeft(s, "/")
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		end = len(s)
	}
	host := s[:end]
	rest := s[end:]
	if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "www."), ".")
	if host == "" || strings.ContainsAny(host, " \t") {
		return u, false
	}
	u.host = host
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		u.fragment = rest[i+1:]
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		u.query = rest[i+1:]
		rest = rest[:i]
	}
	for len(rest) > 0 {
		rest = strings.TrimLeft(rest, "/")
		if rest == "" {
			break
		}
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			j = len(rest)
		}
		if u.n < len(u.segs) {
			u.segs[u.n] = rest[:j]
			u.n++
		}
		rest = rest[j:]
	}
	return u, true
}

// ccURL reads a creativecommons.org path: licenses/<code>/<version>[/<port>][/deed…|legalcode…|rdf],
// the public-domain tools, and the pages CC links to them from.
func ccURL(u *urlParts, r *Reading) {
	segs := u.segs[:u.n]
	i := 0
	for i < len(segs) && (segs[i] == "licenses" || segs[i] == "licences") {
		i++
	}
	if i > 1 {
		r.warn("doubled path segment licenses/ ignored")
	}
	if i == 0 {
		ccOtherURL(segs, r)
		return
	}
	if i == len(segs) {
		r.warn("the Creative Commons licenses overview is not a license")
		return
	}
	ccToolPath(segs[i], segs[i+1:], r)
}

func ccOtherURL(segs []string, r *Reading) {
	switch {
	case len(segs) >= 2 && segs[0] == "publicdomain":
		switch {
		case segs[1] == "zero":
			pdVersion(segs[2:], idCC0, r)
		case segs[1] == "mark":
			pdVersion(segs[2:], idPDM, r)
		case segs[1] == "certification" && len(segs) >= 4 && segs[2] == "1.0" && segs[3] == "us":
			setID(r, "CC-CERTIFICATION-1.0-US")
		default:
			r.warn("unknown public-domain tool: publicdomain/" + segs[1])
		}
	case len(segs) >= 3 && segs[0] == "share-your-work" && segs[1] == "public-domain":
		switch segs[2] {
		case "cc0":
			setID(r, idCC0)
		case "pdm":
			setID(r, idPDM)
		default:
			r.warn("a page about the public domain is not a legal tool")
		}
	default:
		r.warn("creativecommons.org page is not a legal tool")
	}
}

// pdVersion checks the version segment of CC0 or the Public Domain Mark, which exist only as 1.0.
func pdVersion(rest []string, id string, r *Reading) {
	setID(r, id)
	if len(rest) == 0 || !isVersion(rest[0]) {
		r.warn("no version given; " + id + " is the only version")
	} else if rest[0] != "1.0" {
		r.warn(r.Tool.Label + " exists only as version 1.0, not " + rest[0])
	}
}

func ccToolPath(code string, rest []string, r *Reading) {
	switch code {
	case "publicdomain":
		setID(r, idPDDC)
		return
	case "mark":
		r.warn("licenses/mark/ repaired to publicdomain/mark/")
		pdVersion(rest, idPDM, r)
		return
	case "zero", "cc0":
		r.warn("licenses/" + code + "/ repaired to publicdomain/zero/")
		pdVersion(rest, idCC0, r)
		return
	case "gpl":
		setID(r, "GPL-2.0")
		return
	case "lgpl":
		setID(r, "LGPL-2.1")
		return
	case "bsd":
		setID(r, "BSD")
		r.warn("the BSD variant is not stated")
		return
	case "mit":
		setID(r, "MIT")
		return
	}
	if _, ok := ccCodes[code]; !ok {
		r.warn("not a Creative Commons license code: " + code)
		return
	}
	if len(rest) == 0 || !isVersion(rest[0]) {
		r.Tool = familyOf(code)
		r.warn(noVersion(r.Tool))
		return
	}
	version, port, tail := rest[0], "", rest[1:]
	if len(tail) > 0 && !docTail(tail[0]) && portLike(tail[0]) {
		port, tail = tail[0], tail[1:]
	}
	if len(tail) > 0 && !docTail(tail[0]) {
		r.warn("extra path ignored: " + strings.Join(tail, "/"))
	}
	if i, ok := ccLookup(code, version, port); ok {
		r.Tool = kb.all[i]
		return
	}
	// by-nd-nc is the 1.0 spelling of by-nc-nd; a URL using the wrong one names the same elements.
	for _, alt := range [][2]string{{"by-nd-nc", "by-nc-nd"}, {"by-nc-nd", "by-nd-nc"}} {
		if code == alt[0] {
			if i, ok := ccLookup(alt[1], version, port); ok {
				r.Tool = kb.all[i]
				r.warn(code + "/" + version + " does not exist; read as " + alt[1] + "/" + version)
				return
			}
		}
	}
	r.warn(invalidCombination(code, version, port))
}

func invalidCombination(code, version, port string) string {
	name := "CC " + strings.ToUpper(code) + " " + version
	if port == "" {
		if _, ok := ccLookupAnyPort(code, version); ok {
			return name + " exists only as jurisdiction ports; the port is missing"
		}
		return name + " does not exist"
	}
	return name + " has no port " + strings.ToUpper(port)
}

func ccLookupAnyPort(code, version string) (int, bool) {
	for _, s := range ccSuites {
		if s.version != version {
			continue
		}
		for _, c := range s.codes {
			if c == code {
				return 0, true
			}
		}
	}
	return 0, false
}

// ccLookup finds a CC tool by code, version and port without allocating.
func ccLookup(code, version, port string) (int, bool) {
	var buf [64]byte
	if len(code)+len(version)+len(port)+2 > len(buf) {
		return 0, false
	}
	b := append(buf[:0], code...)
	b = append(b, '/')
	b = append(b, version...)
	if port != "" {
		b = append(b, '/')
		b = append(b, port...)
	}
	i, ok := kb.byPath[string(b)]
	return i, ok
}

func familyOf(code string) Tool {
	if i, ok := kb.byID[strings.ToLower(ccCodes[code].family)]; ok && kb.all[i].IsFamily() {
		return kb.all[i]
	}
	// A retired code with a single generic version (sa, sampling+, …) has no family entry.
	if i, ok := ccLookup(code, "1.0", ""); ok {
		return kb.all[i]
	}
	if i, ok := ccLookup(code, "2.0", ""); ok {
		return kb.all[i]
	}
	return Tool{}
}

// docTail reports whether a path segment after the version names a document of the tool (deed,
// legal code, RDF) rather than a port.
func docTail(s string) bool {
	return strings.HasPrefix(s, "deed") || strings.HasPrefix(s, "legalcode") || s == "rdf" ||
		strings.HasPrefix(s, "index.") || strings.HasSuffix(s, ".png") || strings.HasSuffix(s, ".svg")
}

func portLike(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1]) || s == "igo" || s == "scotland"
}

func isVersion(s string) bool {
	return len(s) == 3 && isDigit(s[0]) && s[1] == '.' && isDigit(s[2])
}

func setID(r *Reading, id string) {
	if i, ok := lookupID(id); ok {
		r.Tool = kb.all[i]
	}
}

// badgeURL reads a license button: i.creativecommons.org/l/<code>/<version>[/<port>]/88x31.png,
// /p/zero/1.0/…, the same on licensebuttons.net, and the version-less press-kit buttons.
func badgeURL(u *urlParts, r *Reading) {
	segs := u.segs[:u.n]
	if len(segs) >= 2 && (segs[0] == "l" || segs[0] == "p") {
		if segs[0] == "p" || segs[1] == "zero" || segs[1] == "mark" {
			switch segs[1] {
			case "zero":
				pdVersion(segs[2:], idCC0, r)
				return
			case "mark":
				pdVersion(segs[2:], idPDM, r)
				return
			}
		}
		ccToolPath(segs[1], segs[2:], r)
		return
	}
	if len(segs) >= 3 && segs[0] == "presskit" && segs[1] == "buttons" {
		name := segs[len(segs)-1]
		if i := strings.IndexByte(name, '.'); i >= 0 {
			name = name[:i]
		}
		switch name {
		case "cc-zero":
			setID(r, idCC0)
		case "publicdomain":
			setID(r, idPDM)
		default:
			if _, ok := ccCodes[name]; ok {
				r.Tool = familyOf(name)
				r.warn("license button without a version: only the family " + r.Tool.ID + " is known")
				return
			}
			r.warn("unknown license button " + name)
		}
		return
	}
	r.warn("image is not a license button")
}

// rsURL reads rightsstatements.org/vocab/<code>/1.0/ and the /page/ form with its language query.
func rsURL(u *urlParts, r *Reading) {
	segs := u.segs[:u.n]
	if len(segs) < 2 || segs[0] != "vocab" && segs[0] != "page" && segs[0] != "data" {
		r.warn("rightsstatements.org page is not a rights statement")
		return
	}
	var buf [32]byte
	if len(segs[1]) > len(buf)-3 {
		r.warn("unknown rights statement " + segs[1])
		return
	}
	key := append(append(buf[:0], "rs/"...), segs[1]...)
	i, ok := kb.byPath[string(key)]
	if !ok {
		r.warn("unknown rights statement " + segs[1])
		return
	}
	r.Tool = kb.all[i]
	if len(segs) < 3 {
		r.warn("rights statement without a version; 1.0 assumed as the only version")
	} else if segs[2] != "1.0" {
		r.Tool = Tool{}
		r.warn("rights statement version " + segs[2] + " does not exist")
	}
}

// spdxURL reads spdx.org/licenses/<id>[.html|.json] and opensource.org/licenses/<id>.
func spdxURL(u *urlParts, r *Reading) {
	if u.n < 2 || u.segs[0] != "licenses" {
		r.warn("page is not a license")
		return
	}
	id := u.segs[1]
	for _, ext := range []string{".html", ".json", ".txt", ".php"} {
		id = strings.TrimSuffix(id, ext)
	}
	if id == "mit-license" {
		id = "mit"
	}
	if i, ok := lookupID(id); ok {
		r.Tool = kb.all[i]
		return
	}
	r.warn("SPDX id not in the knowledge base: " + id)
}

// gnuURL reads gnu.org license pages: licenses/gpl-3.0[.html], licenses/old-licenses/gpl-2.0.html,
// licenses/fdl-1.3.html, copyleft/fdl.html and the version-less pages.
func gnuURL(u *urlParts, r *Reading) {
	if u.n == 0 {
		return
	}
	name := u.segs[u.n-1]
	for _, ext := range []string{".html", ".txt"} {
		name = strings.TrimSuffix(name, ext)
	}
	name = strings.TrimSuffix(name, ".en")
	family, version, _ := strings.Cut(name, "-")
	family = map[string]string{"gpl": "GPL", "lgpl": "LGPL", "agpl": "AGPL", "fdl": "GFDL"}[family]
	if family == "" {
		r.warn("GNU page is not a license")
		return
	}
	if version == "" {
		setID(r, family)
		r.warn(noVersion(r.Tool))
		return
	}
	setID(r, family+"-"+version)
	if r.Tool.ID == "" {
		r.warn("unknown GNU license version " + name)
	}
}

// europeanaURL reads Europeana's own rights URIs, which predate rightsstatements.org.
func europeanaURL(u *urlParts, r *Reading) {
	if u.n < 2 || u.segs[0] != "rights" {
		r.warn("Europeana page is not a rights statement")
		return
	}
	switch u.segs[1] {
	case "rr-f", "rr-p", "rr-r":
		setID(r, idReserved)
	case "out-of-copyright-non-commercial":
		setID(r, rsPrefix+"NoC-NC")
		r.warn("Europeana statement read as its rightsstatements.org successor NoC-NC")
	case "orphan-work-eu":
		setID(r, rsPrefix+"InC-OW-EU")
	case "unknown":
		setID(r, rsPrefix+"UND")
	default:
		r.warn("unknown Europeana rights statement " + u.segs[1])
	}
}

// unsafeString views b as a string without copying. Every string derived from it stays inside
// parseURL: whatever leaves (warnings, ids) is built by concatenation, which copies.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
