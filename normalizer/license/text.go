package license

import (
	"strings"
	"unicode"
)

// element is one thing free text can say about a license.
type element uint32

const (
	eBY element = 1 << iota
	eSA
	eNC
	eND
	eCC           // "Creative Commons", "CC"
	eZero         // CC0
	ePDM          // Public Domain Mark
	ePD           // a generic public-domain claim
	eDedication   // "public domain dedication"
	eReserved     // all rights reserved, a copyright notice
	eSampling     // Sampling
	eSamplingPlus // Sampling Plus
	eDevNations
	eScope // International, Unported, Generic, Universal
	eLicense
)

const ccElements = eBY | eSA | eNC | eND

// phrase is a sequence of lower-case words and what it says.
type phrase struct {
	words []string
	el    element
	named bool // a full word ("Attribution") rather than an abbreviation ("BY")
}

func ph(el element, named bool, words ...string) phrase { return phrase{words, el, named} }

// phrases are the license words in English, German, French and Spanish, longest first within
// each element so that "share alike" wins over a lone "share".
var phrases = []phrase{
	ph(eCC, false, "creative", "commons"), ph(eCC, false, "creativecommons"), ph(eCC, false, "cc"),
	ph(eZero, false, "cc0"), ph(eZero, false, "cc", "0"), ph(eZero, false, "cc", "zero"), ph(eZero, false, "cc", "o"),
	ph(eZero, false, "creative", "commons", "zero"), ph(eZero, false, "no", "rights", "reserved"),
	ph(ePDM, false, "public", "domain", "mark"), ph(ePDM, false, "pdm"), ph(ePDM, false, "cc", "mark"),
	ph(ePDM, false, "marque", "du", "domaine", "public"), ph(ePDM, false, "marca", "de", "dominio", "público"),
	ph(eDedication, false, "public", "domain", "dedication"),
	ph(ePD, false, "public", "domain"), ph(ePD, false, "publicdomain"), ph(ePD, false, "gemeinfrei"),
	ph(ePD, false, "domaine", "public"), ph(ePD, false, "dominio", "público"), ph(ePD, false, "dominio", "publico"),
	ph(eReserved, false, "all", "rights", "reserved"), ph(eReserved, false, "alle", "rechte", "vorbehalten"),
	ph(eReserved, false, "tous", "droits", "réservés"), ph(eReserved, false, "todos", "los", "derechos", "reservados"),
	ph(eReserved, false, "©"),
	ph(eNC, true, "pas", "d", "utilisation", "commerciale"), ph(eNC, true, "nicht", "kommerziell"),
	ph(eNC, true, "nicht", "kommerzielle"), ph(eNC, true, "nichtkommerziell"), ph(eNC, true, "non", "commercial"),
	ph(eNC, true, "noncommercial"), ph(eNC, true, "nocomercial"), ph(eNC, true, "no", "comercial"), ph(eNC, false, "nc"),
	ph(eSA, true, "partage", "des", "conditions", "initiales", "à", "l", "identique"),
	ph(eSA, true, "partage", "dans", "les", "mêmes", "conditions"),
	ph(eSA, true, "weitergabe", "unter", "gleichen", "bedingungen"), ph(eSA, true, "share", "alike"),
	ph(eSA, true, "sharealike"), ph(eSA, true, "compartir", "igual"), ph(eSA, true, "compartirigual"),
	ph(eSA, true, "licenciar", "igual"), ph(eSA, false, "sa"),
	ph(eND, true, "pas", "de", "modification"), ph(eND, true, "keine", "bearbeitungen"), ph(eND, true, "keine", "bearbeitung"),
	ph(eND, true, "no", "derivative", "works"), ph(eND, true, "no", "derivatives"), ph(eND, true, "no", "derivs"),
	ph(eND, true, "noderivatives"), ph(eND, true, "noderivs"), ph(eND, true, "sin", "obras", "derivadas"),
	ph(eND, true, "sin", "obra", "derivada"), ph(eND, true, "sinobraderivada"), ph(eND, true, "sinderivadas"),
	ph(eND, true, "sin", "derivadas"), ph(eND, false, "nd"),
	ph(eBY, true, "attribution"), ph(eBY, true, "namensnennung"), ph(eBY, true, "paternité"), ph(eBY, true, "paternite"),
	ph(eBY, true, "reconocimiento"), ph(eBY, true, "atribución"), ph(eBY, true, "atribucion"), ph(eBY, false, "by"),
	ph(eSamplingPlus, true, "sampling", "plus"), ph(eSamplingPlus, true, "sampling+"), ph(eSampling, true, "sampling"),
	ph(eDevNations, true, "developing", "nations"), ph(eDevNations, true, "devnations"),
	ph(eScope, false, "international"), ph(eScope, false, "internacional"), ph(eScope, false, "int"),
	ph(eScope, false, "unported"), ph(eScope, false, "generic"), ph(eScope, false, "universal"),
	ph(eScope, false, "universell"), ph(eScope, false, "universel"), ph(eScope, false, "generique"),
	ph(eLicense, false, "license"), ph(eLicense, false, "licence"), ph(eLicense, false, "lizenz"),
	ph(eLicense, false, "licencia"), ph(eLicense, false, "licensed"), ph(eLicense, false, "lizenziert"),
}

// portAliases name jurisdiction ports in free text, beyond the English names in portNames.
var portAliases = map[string]string{
	"england & wales": "uk", "england and wales": "uk", "england wales": "uk", "uk england wales": "uk",
	"uk england & wales": "uk", "england": "uk", "uk": "uk", "scotland": "scotland", "uk scotland": "scotland",
	"usa": "us", "u.s": "us", "u.s.": "us", "united states of america": "us", "vereinigte staaten": "us",
	"estados unidos": "us", "états-unis": "us", "etats-unis": "us",
	"deutschland": "de", "allemagne": "de", "alemania": "de", "österreich": "at", "autriche": "at",
	"schweiz": "ch", "suisse": "ch", "suiza": "ch", "frankreich": "fr", "francia": "fr",
	"españa": "es", "espana": "es", "spanien": "es", "espagne": "es", "niederlande": "nl", "pays-bas": "nl",
	"países bajos": "nl", "italien": "it", "italie": "it", "brasil": "br", "brasilien": "br", "brésil": "br",
	"japon": "jp", "china": "cn", "intergovernmental organization": "igo", "intergovernmental organisation": "igo",
}

// portByName maps the English names and the aliases of ports, as tokenized words, to port codes.
var portByName = func() map[string]string {
	m := map[string]string{}
	for code, name := range portNames {
		m[strings.Join(tokenize(normalizeText(name)), " ")] = code
	}
	for alias, code := range portAliases {
		m[strings.Join(tokenize(normalizeText(alias)), " ")] = code
		m[alias] = code
	}
	return m
}()

// credits are words that introduce the credit line of a part (an image, a quotation): the license
// that follows is the part's, not the resource's.
var credits = []string{"photo credit", "image credit", "picture credit", "bildnachweis", "bildquelle",
	"photo:", "foto:", "bild:", "image:", "credit:", "crédit photo", "crédito", "abbildung:"}

// textReading is what the words of a statement say.
type textReading struct {
	els          element
	named        bool // a named element ("Attribution") came first
	ccWord       bool
	version      string
	port         string
	compact      bool // a run-together code such as "ccbyncsa"
	onlyLicense  bool // every word is a license word, version, port or scope
	copyrightLed bool // starts with "copyright"
	words        []string
}

func tokenize(s string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			w := strings.TrimRight(s[start:end], ".")
			if w != "" {
				words = append(words, w)
			}
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case r == '©':
			flush(i)
			words = append(words, "©")
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' ||
			r == '.' && start >= 0 && i+1 < len(s) && isDigit(s[i+1]) && i > 0 && isDigit(s[i-1]):
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
	return words
}

// normalizeText lower-cases s and folds the dashes and spaces real data uses.
func normalizeText(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '–', '—', '‐', '‑', '‒', '_':
			return '-'
		case '\u00a0', '\ufffd', '\t', '\n', '\r':
			return ' '
		case '’', '`', '´':
			return '\''
		}
		return unicode.ToLower(r)
	}, s)
}

func readWords(s string) textReading {
	var tr textReading
	words := tokenize(s)
	tr.words = words
	tr.onlyLicense = len(words) > 0
	tr.copyrightLed = len(words) > 0 && (words[0] == "copyright" || words[0] == "©")
	for i := 0; i < len(words); {
		w := words[i]
		if p, n := matchPhrase(words[i:]); n > 0 {
			if i == 0 && p.named && p.el&ccElements != 0 {
				tr.named = true
			}
			if p.el == eCC {
				tr.ccWord = true
			}
			tr.els |= p.el
			i += n
			if p.el&(ccElements|eZero|eScope) != 0 || p.el == eCC || p.el == eLicense {
				continue
			}
			tr.onlyLicense = false
			continue
		}
		switch {
		case tr.version == "" && versionWord(w) != "":
			tr.version = versionWord(w)
			if port, n := portAfter(words[i+1:]); n > 0 {
				tr.port = port
				i += n
			}
		case compactCode(w, &tr):
		default:
			tr.onlyLicense = false
		}
		i++
	}
	return tr
}

// phrasesByWord indexes phrases by their first word.
var phrasesByWord = func() map[string][]phrase {
	m := map[string][]phrase{}
	for _, p := range phrases {
		m[p.words[0]] = append(m[p.words[0]], p)
	}
	return m
}()

func matchPhrase(words []string) (phrase, int) {
	best, bestN := phrase{}, 0
	for _, p := range phrasesByWord[words[0]] {
		n := len(p.words)
		if n <= bestN || n > len(words) {
			continue
		}
		ok := true
		for j, pw := range p.words {
			if words[j] != pw {
				ok = false
				break
			}
		}
		if ok {
			best, bestN = p, n
		}
	}
	return best, bestN
}

// versionWord reads "4.0", "v4.0" or "v4" as a license version.
func versionWord(w string) string {
	w = strings.TrimPrefix(w, "v")
	switch {
	case isVersion(w):
		return w
	case len(w) == 1 && w[0] >= '1' && w[0] <= '4':
		return w + ".0"
	}
	return ""
}

// portAfter reads a jurisdiction right after a version: a code ("DE", "igo") or a name ("United
// States", "UK: England & Wales", "Deutschland").
func portAfter(words []string) (string, int) {
	for n := min(4, len(words)); n >= 1; n-- {
		if p, ok := portByName[strings.Join(words[:n], " ")]; ok {
			return p, n
		}
	}
	if len(words) > 0 && (portLike(words[0]) && portNames[words[0]] != "") {
		return words[0], 1
	}
	return "", 0
}

// compactCode reads run-together codes: "ccbyncsa", "ccby", "cc0".
func compactCode(w string, tr *textReading) bool {
	if !strings.HasPrefix(w, "cc") || len(w) < 4 {
		return false
	}
	rest := w[2:]
	var els element
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "by"):
			els |= eBY
		case strings.HasPrefix(rest, "sa"):
			els |= eSA
		case strings.HasPrefix(rest, "nc"):
			els |= eNC
		case strings.HasPrefix(rest, "nd"):
			els |= eND
		default:
			return false
		}
		rest = rest[2:]
	}
	tr.els |= els | eCC
	tr.ccWord, tr.compact = true, true
	return true
}

// ccCodeFor maps a set of license elements onto a license code.
func ccCodeFor(els element, version string) string {
	switch els & ccElements {
	case eBY:
		return "by"
	case eBY | eSA:
		return "by-sa"
	case eBY | eND:
		return "by-nd"
	case eBY | eNC:
		return "by-nc"
	case eBY | eNC | eSA:
		return "by-nc-sa"
	case eBY | eNC | eND:
		if version == "1.0" {
			return "by-nd-nc"
		}
		return "by-nc-nd"
	case eSA:
		return "sa"
	case eNC:
		return "nc"
	case eND:
		return "nd"
	case eNC | eSA:
		return "nc-sa"
	case eNC | eND:
		return "nd-nc"
	}
	return ""
}

// parseText reads free text, including any URLs inside it: a URL names a tool more precisely than
// words, so it wins; words that disagree with it leave a warning.
func parseText(s string, r *Reading) {
	r.Form = FormText
	low := normalizeText(s)
	for _, c := range credits {
		if strings.Contains(low, c) {
			r.warn("a credit line names the license of a part, not of the resource")
			return
		}
	}
	var url Reading
	rest := low
	for _, u := range urlsIn(s) {
		rest = strings.Replace(rest, strings.ToLower(u), " ", 1)
		if url.Tool.ID != "" {
			continue
		}
		ur := Reading{Input: u}
		if parseURL(u, &ur) && ur.Tool.ID != "" {
			url = ur
		}
	}
	words := Reading{Input: r.Input, Form: FormText}
	readText(rest, &words)
	if url.Tool.ID == "" {
		*r = words
		return
	}
	r.Tool, r.Form = url.Tool, url.Form
	r.Warnings = append(r.Warnings, url.Warnings...)
	if words.Tool.ID != "" && !words.Tool.agrees(url.Tool) {
		r.warn("the text says " + words.Tool.ID + " but the URL says " + url.Tool.ID + "; the URL wins")
	}
}

// readText reads words alone.
func readText(low string, r *Reading) {
	tr := readWords(low)
	if t, ok := rsTitle(tr.words); ok {
		r.Tool = t
		return
	}
	els := tr.els
	if len(tr.words) == 1 && tr.words[0] == "pd" {
		// Wikimedia's license code for a public-domain file.
		els |= ePD
	}
	switch {
	case els&eZero != 0 || els&eDedication != 0 && tr.ccWord:
		r.Tool = kb.all[kb.byID[strings.ToLower(idCC0)]]
		if tr.version != "" && tr.version != "1.0" {
			r.warn("CC0 exists only as version 1.0, not " + tr.version)
		}
	case els&ePDM != 0:
		r.Tool = kb.all[kb.byID[strings.ToLower(idPDM)]]
		if tr.version != "" && tr.version != "1.0" {
			r.warn("the Public Domain Mark exists only as version 1.0, not " + tr.version)
		}
	case els&ccElements != 0 && (tr.ccWord || tr.named || tr.onlyLicense):
		ccFromText(tr, r)
	case els&(eSampling|eSamplingPlus|eDevNations) != 0 && tr.ccWord:
		code := "sampling"
		switch {
		case els&eDevNations != 0:
			code = "devnations"
		case els&eSamplingPlus != 0 && els&eNC != 0:
			code = "nc-sampling+"
		case els&eSamplingPlus != 0:
			code = "sampling+"
		}
		ccFromCode(code, tr, r)
	case els&(ePD|eDedication) != 0:
		r.Tool = kb.all[kb.byID[strings.ToLower(idPublicDomain)]]
		r.warn("a generic public-domain claim, not a Creative Commons tool")
	default:
		if t, ok := softwareFromText(tr); ok {
			r.Tool = t
			if t.IsFamily() {
				r.warn(noVersion(t))
			}
			return
		}
		if els&eReserved != 0 || tr.copyrightLed || reservedWords(low) {
			r.Tool = kb.all[kb.byID[strings.ToLower(idReserved)]]
			return
		}
		if els&(ccElements|eCC|eLicense) != 0 || len(tr.words) > 0 && len(tr.words) <= 6 {
			r.warn("not recognised as a license statement")
		}
	}
}

// reservedWords finds statements that withhold permission without saying "all rights reserved".
func reservedWords(low string) bool {
	for _, p := range []string{"(c) ", "clear permissions", "not for commercial use", "without prior permission",
		"without written permission", "prior written permission", "urheberrechtlich geschützt"} {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

func ccFromText(tr textReading, r *Reading) {
	code := ccCodeFor(tr.els, tr.version)
	if code == "" {
		r.warn("license elements do not form a Creative Commons license")
		return
	}
	ccFromCode(code, tr, r)
}

func ccFromCode(code string, tr textReading, r *Reading) {
	if tr.version == "" {
		r.Tool = familyOf(code)
		if r.Tool.IsFamily() {
			r.warn(noVersion(r.Tool))
		}
		return
	}
	if i, ok := ccLookup(code, tr.version, tr.port); ok {
		r.Tool = kb.all[i]
		return
	}
	r.warn(invalidCombination(code, tr.version, tr.port))
}

// rsTitle matches the English name of a rights statement ("In Copyright - Educational Use
// Permitted").
func rsTitle(words []string) (Tool, bool) {
	if len(words) < 2 || len(words) > 8 {
		return Tool{}, false
	}
	if code, ok := rsTitles[strings.Join(words, " ")]; ok {
		i, _ := lookupID(rsPrefix + code)
		return kb.all[i], true
	}
	return Tool{}, false
}

// rsTitles maps the tokenized names of the rights statements to their codes.
var rsTitles = func() map[string]string {
	m := map[string]string{}
	for _, rs := range rightsStatements {
		m[strings.Join(tokenize(normalizeText(rs.title)), " ")] = rs.code
	}
	return m
}()

// softwareFromText reads the names of software and documentation licenses.
func softwareFromText(tr textReading) (Tool, bool) {
	w := tr.words
	has := func(words ...string) bool {
		for i := 0; i+len(words) <= len(w); i++ {
			match := true
			for j, x := range words {
				if w[i+j] != x {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
		return false
	}
	version := tr.version
	find := func(id string) (Tool, bool) {
		if i, ok := lookupID(id); ok {
			return kb.all[i], true
		}
		return Tool{}, false
	}
	withVersion := func(family string) (Tool, bool) {
		if version != "" {
			if t, ok := find(family + "-" + version); ok {
				return t, true
			}
		}
		return find(family)
	}
	switch {
	case has("gnufdl"), has("gfdl"), has("free", "documentation", "license"), has("fdl"):
		return withVersion("GFDL")
	case has("lgpl"), has("lesser", "general", "public", "license"):
		return withVersion("LGPL")
	case has("agpl"), has("affero", "general", "public", "license"):
		return withVersion("AGPL")
	case has("gplv3"):
		return find("GPL-3.0")
	case has("gplv2"):
		return find("GPL-2.0")
	case has("gpl"), has("gnu", "general", "public", "license"):
		return withVersion("GPL")
	case has("mit", "license"), len(w) == 1 && w[0] == "mit":
		return find("MIT")
	case has("apache"):
		if version == "2.0" || version == "" {
			return find("Apache-2.0")
		}
	case has("bsd"):
		switch {
		case has("3", "clause", "clear"):
			return find("BSD-3-Clause-Clear")
		case has("3", "clause"):
			return find("BSD-3-Clause")
		case has("2", "clause"):
			return find("BSD-2-Clause")
		}
		return find("BSD")
	case has("mozilla", "public", "license"), has("mpl"):
		return find("MPL-2.0")
	case has("odbl"), has("open", "database", "license"):
		return find("ODbL-1.0")
	}
	return Tool{}, false
}

// urlsIn finds the URLs inside free text.
func urlsIn(s string) []string {
	var out []string
	low := asciiLower(s) // the same length as s, unlike strings.ToLower on invalid UTF-8
	for i := 0; i < len(low); {
		j := strings.Index(low[i:], "http")
		k := strings.Index(low[i:], "//creativecommons.org")
		if j < 0 || k >= 0 && k < j {
			j = k
		}
		if j < 0 {
			break
		}
		start := i + j
		end := start
		for end < len(s) && !strings.ContainsRune(" \t\n\"'<>()[]{}|,", rune(s[end])) {
			end++
		}
		u := strings.TrimRight(s[start:end], ".;:")
		if len(u) > 8 && looksLikeURL(u) {
			out = append(out, u)
		}
		i = max(end, start+4)
	}
	return out
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}
