package license

import (
	"strings"
)

// Provider fields: catalogs and APIs that describe a license in fields rather than a URL,
// written as "key=value" pairs separated by spaces or semicolons, optionally after the provider's
// name ("flickr license=4", "ccm:commonlicense_key=CC_BY_SA; ccm:commonlicense_cc_version=4.0").

// fieldKinds says what each known key holds.
var fieldKinds = map[string]byte{
	"license": 'c', "licence": 'c', "license_key": 'c', "imagelicense": 'c', "media_usage": 'c',
	"usage_terms": 'c', "rights": 'c', "rightsidentifier": 'c', "ccm:commonlicense_key": 'c',
	"version": 'v', "license_version": 'v', "ccm:commonlicense_cc_version": 'v',
	"url": 'u', "uri": 'u', "license_url": 'u', "rightsuri": 'u', "xlink:href": 'u', "rdf:resource": 'u',
	"ispublicdomain":         'p',
	"rightsidentifierscheme": '-', "ccm:commonlicense_cc_locale": '-', "qualifier": '-', "type": '-',
	"displaylabel": '-',
}

// providerRule holds what a provider's bare codes mean.
type providerRule struct {
	version string            // the CC version the provider's codes stand for
	codes   map[string]string // provider code → Orchard id
}

var providers = map[string]providerRule{
	// Flickr's numeric license ids (flickr.photos.licenses.getInfo).
	"flickr": {version: "2.0", codes: map[string]string{
		"0": idReserved, "1": "CC-BY-NC-SA-2.0", "2": "CC-BY-NC-2.0", "3": "CC-BY-NC-ND-2.0",
		"4": "CC-BY-2.0", "5": "CC-BY-SA-2.0", "6": "CC-BY-ND-2.0", "7": rsPrefix + "NKC",
		"8": rsPrefix + "NoC-US", "9": idCC0, "10": idPDM}},
	// iNaturalist licenses observations under the 4.0 suite, and CC0 1.0.
	"inaturalist": {version: "4.0", codes: map[string]string{"pd": idPublicDomain}},
	// The Met's open-access images are released under CC0.
	"metmuseum": {codes: map[string]string{"true": idCC0}},
	// HathiTrust rights codes.
	"hathitrust": {codes: map[string]string{"pd": idPublicDomain, "pdus": rsPrefix + "NoC-US",
		"ic": rsPrefix + "InC", "und": rsPrefix + "UND", "icus": rsPrefix + "InC"}},
}

// eduSharing are the license keys of edu-sharing repositories that are not CC codes.
var eduSharing = map[string]string{
	"copyright_free": idReserved, "copyright_license": idReserved, "schulfunk": idReserved,
	"unterrichts_und_lehrmedien": idReserved, "pdm": idPDM,
}

type field struct{ key, value string }

// keyValue reports whether s is a list of provider fields.
func keyValue(s string) bool {
	fs, _ := fields(s)
	return len(fs) > 0
}

// fields cuts s into the known key=value pairs and the words before the first (a provider's name,
// or a statement of its own).
func fields(s string) ([]field, string) {
	type at struct{ key, start, end int }
	var marks []at
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			continue
		}
		j := i
		for j > 0 && keyChar(s[j-1]) {
			j--
		}
		key := strings.ToLower(s[j:i])
		if _, ok := fieldKinds[key]; ok && (j == 0 || s[j-1] == ' ' || s[j-1] == ';' || s[j-1] == '\t') {
			marks = append(marks, at{j, i + 1, 0})
		}
	}
	if len(marks) == 0 {
		// "<provider> <code>", as in "inaturalist CC-BY-NC".
		name, code, ok := strings.Cut(strings.TrimSpace(s), " ")
		if _, known := providers[strings.ToLower(name)]; ok && known && !strings.Contains(code, "=") {
			return []field{{"license", strings.TrimSpace(code)}}, name
		}
		return nil, ""
	}
	var out []field
	for n, m := range marks {
		end := len(s)
		if n+1 < len(marks) {
			end = marks[n+1].key
		}
		v := strings.Trim(s[m.start:end], " ;\t\"'")
		out = append(out, field{strings.ToLower(s[m.key : m.start-1]), v})
	}
	return out, strings.TrimSpace(s[:marks[0].key])
}

func keyChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == ':' || c == '.' || c == '-'
}

func parseKeyValue(s string, r *Reading) {
	r.Form = FormKeyValue
	fs, lead := fields(s)
	provider := strings.ToLower(lead)
	rule := providers[provider]
	var code, version, rawURL string
	for _, f := range fs {
		switch fieldKinds[f.key] {
		case 'c':
			if code == "" {
				code = f.value
			}
		case 'v':
			version = f.value
		case 'u':
			rawURL = f.value
		case 'p':
			code = strings.ToLower(f.value)
			if code != "true" {
				code = ""
			}
		}
	}
	var byURL Reading
	if rawURL != "" {
		byURL = Parse(rawURL)
	}
	if _, known := providers[provider]; !known && provider != "" {
		// Words before the fields are a statement of their own ("<url> type=use and reproduction").
		if lr := Parse(lead); lr.Tool.ID != "" && byURL.Tool.ID == "" {
			byURL = lr
		}
	}
	byCode := readCode(code, version, rule)
	switch {
	case byURL.Tool.ID != "":
		r.Tool = byURL.Tool
		r.Warnings = append(r.Warnings, byURL.Warnings...)
		if byCode.Tool.ID != "" && !byCode.Tool.agrees(byURL.Tool) {
			r.warn("the fields say " + byCode.Tool.ID + " but the URL says " + byURL.Tool.ID + "; the URL wins")
		}
	default:
		r.Tool = byCode.Tool
		r.Warnings = append(r.Warnings, byCode.Warnings...)
		if rawURL != "" && byCode.Tool.ID != "" {
			r.warn("license URL not recognised, read from the other fields: " + rawURL)
		}
		r.Access = byURL.Access && r.Tool.ID == ""
		if r.Tool.ID == "" && code == "" && rawURL == "" {
			r.warn("no license field")
		}
	}
}

// readCode reads a provider's license code with an optional version.
func readCode(code, version string, rule providerRule) Reading {
	var r Reading
	low := strings.ToLower(strings.TrimSpace(code))
	if low == "" {
		return r
	}
	id, ok := rule.codes[low]
	if !ok {
		id, ok = eduSharing[low]
	}
	if ok {
		setID(&r, id)
		if v := versionWord(strings.ToLower(version)); v != "" && r.Tool.Version != "" && v != r.Tool.Version {
			r.warn(r.Tool.Label + " exists only as version " + r.Tool.Version + ", not " + version)
		}
		return r
	}
	if low == "custom" || low == "none" {
		r.warn("provider code " + code + " names no license")
		return r
	}
	if i, ok := lookupID(low); ok && version == "" && (rule.version == "" || kb.all[i].Version != "") {
		r.Tool = kb.all[i]
		return r
	}
	if version == "" {
		version = rule.version
	}
	text := normalizeText(low)
	if version != "" && !strings.Contains(low, "cc0") && !strings.Contains(low, "cc-0") {
		text += " " + version
	}
	r.Form = FormKeyValue
	readText(text, &r)
	if r.Tool.ID == "" && len(r.Warnings) == 0 {
		r.warn("provider code " + code + " not recognised")
	}
	return r
}
