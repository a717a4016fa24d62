package license

import "strings"

// The Creative Commons legal tools, as published in the legal tools list of creativecommons.org
// (licenses/list): which license codes exist for each version and jurisdiction port. Tools are
// generated from these lists rather than written out one by one.

// Common sets of license codes.
var (
	six      = []string{"by", "by-nc", "by-nc-nd", "by-nc-sa", "by-nd", "by-sa"}
	six10    = []string{"by", "by-nc", "by-nc-sa", "by-nd", "by-nd-nc", "by-sa"} // 1.0 spells BY-NC-ND "by-nd-nc"
	retired  = []string{"nc", "nc-sa", "nd", "nd-nc", "sa"}
	sampling = []string{"nc-sampling+", "sampling", "sampling+"}
)

// portSuite lists the codes that exist for some ports of one version.
type portSuite struct {
	version string
	ports   []string // "" is the unported (generic, unported or international) tool
	codes   []string
}

func join(sets ...[]string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

var ccSuites = []portSuite{
	{"1.0", []string{""}, join(six10, retired, sampling)},
	{"1.0", []string{"fi", "nl"}, join(six10, retired)},
	{"1.0", []string{"il"}, six10},
	{"1.0", []string{"br"}, []string{"sampling", "sampling+"}},
	{"1.0", []string{"de"}, []string{"sampling+"}},
	{"1.0", []string{"tw"}, sampling},
	{"2.0", []string{""}, join(six, []string{"devnations"})},
	{"2.0", []string{"jp"}, join(six, retired)},
	{"2.0", []string{"at", "au", "be", "br", "ca", "cl", "de", "es", "fr", "hr", "it", "kr", "nl", "pl", "tw", "uk", "za"}, six},
	{"2.1", []string{"au", "ca", "es", "jp"}, six},
	{"2.5", []string{"", "ar", "au", "bg", "br", "ca", "ch", "cn", "co", "dk", "es", "hr", "hu", "il", "in", "it", "mk",
		"mt", "mx", "my", "nl", "pe", "pl", "pt", "scotland", "se", "si", "tw", "za"}, six},
	{"3.0", []string{"", "am", "at", "au", "az", "br", "ca", "ch", "cl", "cn", "cr", "cz", "de", "ec", "ee", "eg", "es",
		"fr", "ge", "gr", "gt", "hk", "hr", "ie", "igo", "it", "lu", "nl", "no", "nz", "ph", "pl", "pr", "pt", "ro", "rs",
		"sg", "th", "tw", "ug", "us", "ve", "vn", "za"}, six},
	{"4.0", []string{""}, six},
}

// ccCode describes one Creative Commons license code.
type ccCode struct {
	family  string // Orchard family id
	label   string // label stem after "CC "
	title   string // English name before the version
	title4  string // English name in the 4.0 suite, when it differs
	nc, nd  bool
	sa, by  bool
	retired bool
}

var ccCodes = map[string]ccCode{
	"by":           {family: "CC-BY", label: "BY", title: "Attribution", by: true},
	"by-sa":        {family: "CC-BY-SA", label: "BY-SA", title: "Attribution-ShareAlike", by: true, sa: true},
	"by-nd":        {family: "CC-BY-ND", label: "BY-ND", title: "Attribution-NoDerivs", title4: "Attribution-NoDerivatives", by: true, nd: true},
	"by-nc":        {family: "CC-BY-NC", label: "BY-NC", title: "Attribution-NonCommercial", by: true, nc: true},
	"by-nc-sa":     {family: "CC-BY-NC-SA", label: "BY-NC-SA", title: "Attribution-NonCommercial-ShareAlike", by: true, nc: true, sa: true},
	"by-nc-nd":     {family: "CC-BY-NC-ND", label: "BY-NC-ND", title: "Attribution-NonCommercial-NoDerivs", title4: "Attribution-NonCommercial-NoDerivatives", by: true, nc: true, nd: true},
	"by-nd-nc":     {family: "CC-BY-NC-ND", label: "BY-ND-NC", title: "Attribution-NoDerivs-NonCommercial", by: true, nc: true, nd: true},
	"sa":           {family: "CC-SA", label: "SA", title: "ShareAlike", sa: true, retired: true},
	"nd":           {family: "CC-ND", label: "ND", title: "NoDerivs", nd: true, retired: true},
	"nc":           {family: "CC-NC", label: "NC", title: "NonCommercial", nc: true, retired: true},
	"nc-sa":        {family: "CC-NC-SA", label: "NC-SA", title: "NonCommercial-ShareAlike", nc: true, sa: true, retired: true},
	"nd-nc":        {family: "CC-ND-NC", label: "ND-NC", title: "NoDerivs-NonCommercial", nc: true, nd: true, retired: true},
	"sampling":     {family: "CC-SAMPLING", label: "Sampling", title: "Sampling", by: true, retired: true},
	"sampling+":    {family: "CC-SAMPLING-PLUS", label: "Sampling+", title: "Sampling Plus", by: true, retired: true},
	"nc-sampling+": {family: "CC-NC-SAMPLING-PLUS", label: "NC-Sampling+", title: "NonCommercial Sampling Plus", by: true, nc: true, retired: true},
	"devnations":   {family: "CC-DEVNATIONS", label: "DevNations", title: "Developing Nations", by: true, retired: true},
}

// portNames are the English names Creative Commons gives its jurisdiction ports.
var portNames = map[string]string{
	"am": "Armenia", "ar": "Argentina", "at": "Austria", "au": "Australia", "az": "Azerbaijan",
	"be": "Belgium", "bg": "Bulgaria", "br": "Brazil", "ca": "Canada", "ch": "Switzerland",
	"cl": "Chile", "cn": "China Mainland", "co": "Colombia", "cr": "Costa Rica", "cz": "Czech Republic",
	"de": "Germany", "dk": "Denmark", "ec": "Ecuador", "ee": "Estonia", "eg": "Egypt", "es": "Spain",
	"fi": "Finland", "fr": "France", "ge": "Georgia", "gr": "Greece", "gt": "Guatemala",
	"hk": "Hong Kong", "hr": "Croatia", "hu": "Hungary", "ie": "Ireland", "igo": "IGO", "il": "Israel",
	"in": "India", "it": "Italy", "jp": "Japan", "kr": "Korea", "lu": "Luxembourg", "mk": "Macedonia",
	"mt": "Malta", "mx": "Mexico", "my": "Malaysia", "nl": "Netherlands", "no": "Norway",
	"nz": "New Zealand", "pe": "Peru", "ph": "Philippines", "pl": "Poland", "pr": "Puerto Rico",
	"pt": "Portugal", "ro": "Romania", "rs": "Serbia", "scotland": "UK: Scotland", "se": "Sweden",
	"sg": "Singapore", "si": "Slovenia", "th": "Thailand", "tw": "Taiwan", "ug": "Uganda",
	"uk": "UK: England & Wales", "us": "United States", "ve": "Venezuela", "vn": "Vietnam", "za": "South Africa",
}

// Ids of tools that are referred to by code.
const (
	idCC0          = "CC0-1.0"
	idPDM          = "CC-PDM-1.0"
	idPDDC         = "CC-PDDC"
	idPublicDomain = "LicenseRef-Public-Domain"
	idReserved     = "LicenseRef-All-Rights-Reserved"
	rsPrefix       = "LicenseRef-RS-"
)

// The rightsstatements.org statements (version 1.0) with their English names.
var rightsStatements = []struct{ code, title string }{
	{"InC", "In Copyright"},
	{"InC-OW-EU", "In Copyright - EU Orphan Work"},
	{"InC-EDU", "In Copyright - Educational Use Permitted"},
	{"InC-NC", "In Copyright - Non-Commercial Use Permitted"},
	{"InC-RUU", "In Copyright - Rights-holder(s) Unlocatable or Unidentifiable"},
	{"NoC-CR", "No Copyright - Contractual Restrictions"},
	{"NoC-NC", "No Copyright - Non-Commercial Use Only"},
	{"NoC-OKLR", "No Copyright - Other Known Legal Restrictions"},
	{"NoC-US", "No Copyright - United States"},
	{"CNE", "Copyright Not Evaluated"},
	{"UND", "Copyright Undetermined"},
	{"NKC", "No Known Copyright"},
}

// softwareLicense is a software, documentation or data license known by its SPDX id.
type softwareLicense struct {
	id, family, version, title, url string
	copyleft                        bool
}

var software = []softwareLicense{
	{"MIT", "MIT", "", "MIT License", "https://opensource.org/licenses/MIT", false},
	{"Apache-2.0", "Apache", "2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0", false},
	{"BSD-2-Clause", "BSD", "2-Clause", "BSD 2-Clause \"Simplified\" License", "https://opensource.org/licenses/BSD-2-Clause", false},
	{"BSD-3-Clause", "BSD", "3-Clause", "BSD 3-Clause \"New\" or \"Revised\" License", "https://opensource.org/licenses/BSD-3-Clause", false},
	{"BSD-3-Clause-Clear", "BSD", "3-Clause-Clear", "BSD 3-Clause Clear License", "https://spdx.org/licenses/BSD-3-Clause-Clear.html", false},
	{"ISC", "ISC", "", "ISC License", "https://opensource.org/licenses/ISC", false},
	{"Unlicense", "Unlicense", "", "The Unlicense", "https://unlicense.org/", false},
	{"GPL-2.0", "GPL", "2.0", "GNU General Public License v2.0", "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html", true},
	{"GPL-2.0-only", "GPL", "2.0-only", "GNU General Public License v2.0 only", "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html", true},
	{"GPL-2.0-or-later", "GPL", "2.0-or-later", "GNU General Public License v2.0 or later", "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html", true},
	{"GPL-3.0", "GPL", "3.0", "GNU General Public License v3.0", "https://www.gnu.org/licenses/gpl-3.0.html", true},
	{"GPL-3.0-only", "GPL", "3.0-only", "GNU General Public License v3.0 only", "https://www.gnu.org/licenses/gpl-3.0.html", true},
	{"GPL-3.0-or-later", "GPL", "3.0-or-later", "GNU General Public License v3.0 or later", "https://www.gnu.org/licenses/gpl-3.0.html", true},
	{"LGPL-2.1", "LGPL", "2.1", "GNU Lesser General Public License v2.1", "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html", true},
	{"LGPL-2.1-only", "LGPL", "2.1-only", "GNU Lesser General Public License v2.1 only", "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html", true},
	{"LGPL-2.1-or-later", "LGPL", "2.1-or-later", "GNU Lesser General Public License v2.1 or later", "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html", true},
	{"LGPL-3.0", "LGPL", "3.0", "GNU Lesser General Public License v3.0", "https://www.gnu.org/licenses/lgpl-3.0.html", true},
	{"LGPL-3.0-only", "LGPL", "3.0-only", "GNU Lesser General Public License v3.0 only", "https://www.gnu.org/licenses/lgpl-3.0.html", true},
	{"LGPL-3.0-or-later", "LGPL", "3.0-or-later", "GNU Lesser General Public License v3.0 or later", "https://www.gnu.org/licenses/lgpl-3.0.html", true},
	{"AGPL-3.0", "AGPL", "3.0", "GNU Affero General Public License v3.0", "https://www.gnu.org/licenses/agpl-3.0.html", true},
	{"AGPL-3.0-only", "AGPL", "3.0-only", "GNU Affero General Public License v3.0 only", "https://www.gnu.org/licenses/agpl-3.0.html", true},
	{"AGPL-3.0-or-later", "AGPL", "3.0-or-later", "GNU Affero General Public License v3.0 or later", "https://www.gnu.org/licenses/agpl-3.0.html", true},
	{"GFDL-1.2", "GFDL", "1.2", "GNU Free Documentation License v1.2", "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html", true},
	{"GFDL-1.2-only", "GFDL", "1.2-only", "GNU Free Documentation License v1.2 only", "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html", true},
	{"GFDL-1.2-or-later", "GFDL", "1.2-or-later", "GNU Free Documentation License v1.2 or later", "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html", true},
	{"GFDL-1.3", "GFDL", "1.3", "GNU Free Documentation License v1.3", "https://www.gnu.org/licenses/fdl-1.3.html", true},
	{"GFDL-1.3-only", "GFDL", "1.3-only", "GNU Free Documentation License v1.3 only", "https://www.gnu.org/licenses/fdl-1.3.html", true},
	{"GFDL-1.3-or-later", "GFDL", "1.3-or-later", "GNU Free Documentation License v1.3 or later", "https://www.gnu.org/licenses/fdl-1.3.html", true},
	{"MPL-2.0", "MPL", "2.0", "Mozilla Public License 2.0", "https://www.mozilla.org/en-US/MPL/2.0/", true},
	{"EPL-2.0", "EPL", "2.0", "Eclipse Public License 2.0", "https://www.eclipse.org/legal/epl-2.0/", true},
	{"ODbL-1.0", "ODbL", "1.0", "Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/", true},
	{"ODC-By-1.0", "ODC-By", "1.0", "Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/", false},
	{"PDDL-1.0", "PDDL", "1.0", "Open Data Commons Public Domain Dedication & License 1.0", "https://opendatacommons.org/licenses/pddl/1-0/", false},
	{"OFL-1.1", "OFL", "1.1", "SIL Open Font License 1.1", "https://openfontlicense.org/", true},
	{"LAL-1.3", "LAL", "1.3", "Licence Art Libre 1.3", "https://artlibre.org/licence/lal/en/", true},
}

// softwareFamilies are the software families that a version-less statement may name.
var softwareFamilies = []struct{ family, title string }{
	{"GPL", "GNU General Public License"},
	{"LGPL", "GNU Lesser General Public License"},
	{"AGPL", "GNU Affero General Public License"},
	{"GFDL", "GNU Free Documentation License"},
	{"BSD", "BSD License"},
}

func buildKB() knowledge {
	k := knowledge{byID: map[string]int{}, byPath: map[string]int{}}
	add := func(t Tool, path string) {
		k.tools = append(k.tools, t)
		if path != "" {
			k.byPath[path] = len(k.tools) - 1
		}
	}
	for _, s := range ccSuites {
		for _, port := range s.ports {
			for _, code := range s.codes {
				t := ccTool(code, s.version, port)
				add(t, ccPath(code, s.version, port))
			}
		}
	}
	add(Tool{ID: idCC0, Family: "CC0", URL: "https://creativecommons.org/publicdomain/zero/1.0/", Label: "CC0 1.0",
		Title: "CC0 1.0 Universal", Version: "1.0", Kind: KindPublicDomain,
		Commercial: true, Derivatives: true, Open: true, code: "zero"}, "publicdomain/zero/1.0")
	add(Tool{ID: idPDM, Family: "CC-PDM", URL: "https://creativecommons.org/publicdomain/mark/1.0/", Label: "PDM 1.0",
		Title: "Public Domain Mark 1.0", Version: "1.0", Kind: KindPublicDomain,
		Commercial: true, Derivatives: true, Open: true, code: "mark"}, "publicdomain/mark/1.0")
	add(Tool{ID: idPDDC, Family: "CC-PDDC", URL: "https://creativecommons.org/licenses/publicdomain/", Label: "CC PDDC",
		Title: "Public Domain Dedication and Certification", Kind: KindPublicDomain, Retired: true,
		Commercial: true, Derivatives: true, Open: true, code: "publicdomain"}, "licenses/publicdomain")
	add(Tool{ID: "CC-CERTIFICATION-1.0-US", Family: "CC-CERTIFICATION", Label: "CC PD Certification 1.0 US",
		URL:   "https://creativecommons.org/publicdomain/certification/1.0/us/",
		Title: "Public Domain Certification 1.0 United States", Version: "1.0", Jurisdiction: "us",
		Kind: KindPublicDomain, Retired: true, Commercial: true, Derivatives: true, Open: true, code: "certification"},
		"publicdomain/certification/1.0/us")
	add(Tool{ID: idPublicDomain, Family: idPublicDomain, Label: "Public domain", Title: "Public domain (generic claim)",
		Kind: KindPublicDomain, Commercial: true, Derivatives: true, Open: true}, "")
	for _, rs := range rightsStatements {
		nocUS := rs.code == "NoC-US" || rs.code == "NKC"
		add(Tool{ID: rsPrefix + rs.code, Family: rsPrefix + rs.code, Label: rs.code, Title: rs.title, Version: "1.0",
			URL:  "http://rightsstatements.org/vocab/" + rs.code + "/1.0/",
			Kind: KindRightsStatement, Commercial: nocUS, Derivatives: nocUS}, "rs/"+strings.ToLower(rs.code))
	}
	add(Tool{ID: idReserved, Family: idReserved, Label: "All rights reserved", Title: "All rights reserved",
		Kind: KindReserved}, "")
	for _, s := range software {
		add(Tool{ID: s.id, Family: s.family, URL: s.url, Label: s.id, Title: s.title, Version: s.version,
			Kind: KindSoftware, Commercial: true, Derivatives: true, ShareAlike: s.copyleft,
			Attribution: s.id != "Unlicense" && s.id != "PDDL-1.0", Open: true}, "")
	}

	// Families: the CC families with more than one version or port, and the software families.
	seen := map[string]bool{}
	for _, code := range append(append([]string{}, six...), retired...) {
		c := ccCodes[code]
		if seen[c.family] {
			continue
		}
		seen[c.family] = true
		t := ccTool(code, "", "")
		t.family = true
		k.families = append(k.families, t)
	}
	for _, f := range softwareFamilies {
		k.families = append(k.families, Tool{ID: f.family, Family: f.family, Label: f.family, Title: f.title,
			Kind: KindSoftware, Commercial: true, Derivatives: true, ShareAlike: f.family != "BSD",
			Attribution: true, Open: true, family: true})
	}
	k.all = append(append([]Tool{}, k.tools...), k.families...)
	k.byLabel = map[string]int{}
	for i, t := range k.all {
		k.byID[strings.ToLower(t.ID)] = i
		if l := strings.ToLower(t.Label); l != "" {
			if _, taken := k.byLabel[l]; !taken {
				k.byLabel[l] = i
			}
		}
	}
	// The id an older form of SPDX gave some tools.
	for alias, id := range map[string]string{"gpl-2.0+": "GPL-2.0-or-later", "gpl-3.0+": "GPL-3.0-or-later",
		"lgpl-2.1+": "LGPL-2.1-or-later", "lgpl-3.0+": "LGPL-3.0-or-later", "gfdl-1.3+": "GFDL-1.3-or-later",
		"odbl": "ODbL-1.0", "cc0": idCC0, "cc-pdm": idPDM} {
		k.byID[alias] = k.byID[strings.ToLower(id)]
	}
	return k
}

// ccTool builds the tool for a license code, version ("" for the family) and port.
func ccTool(code, version, port string) Tool {
	c := ccCodes[code]
	t := Tool{Family: c.family, Version: version, Jurisdiction: port, Kind: KindCC, Retired: c.retired,
		Attribution: c.by, ShareAlike: c.sa, Commercial: !c.nc, Derivatives: !c.nd, code: code}
	t.Open = !c.nc && !c.nd && !c.retired
	id := c.family
	label := "CC " + c.label
	title := c.title
	if version == "4.0" && c.title4 != "" {
		title = c.title4
	}
	if version != "" {
		id += "-" + version
		label += " " + version
		title += " " + version + " " + scopeName(code, version, port)
		t.URL = "https://creativecommons.org/licenses/" + code + "/" + version + "/"
		if port != "" {
			id += "-" + strings.ToUpper(port)
			label += " " + strings.ToUpper(port)
			t.URL += port + "/"
		}
	}
	if code == "by-nd-nc" {
		label = "CC BY-NC-ND" + strings.TrimPrefix(label, "CC BY-ND-NC")
	}
	t.ID, t.Label, t.Title = id, label, strings.TrimSpace(title)
	return t
}

func scopeName(code, version, port string) string {
	switch {
	case port != "":
		return portNames[port]
	case version == "4.0":
		return "International"
	case version == "3.0":
		return "Unported"
	case strings.Contains(code, "sampling") || code == "devnations":
		return ""
	}
	return "Generic"
}

func ccPath(code, version, port string) string {
	p := code + "/" + version
	if port != "" {
		p += "/" + port
	}
	return p
}
