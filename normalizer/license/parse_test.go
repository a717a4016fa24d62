package license

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

func TestParseForms(t *testing.T) {
	tests := []struct {
		in   string
		id   string
		warn bool // a warning is expected
	}{
		// URLs and their variants.
		{"https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0", false},
		{"HTTPS://CREATIVECOMMONS.ORG/LICENSES/BY-SA/4.0/", "CC-BY-SA-4.0", false},
		{"http:/creativecommons.org/licenses/by/3.0/de/", "CC-BY-3.0-DE", false},
		{"https://creativecommons.org//licenses//by/3.0//de", "CC-BY-3.0-DE", false},
		{"creativecommons.org/licenses/by/4.0/", "CC-BY-4.0", false},
		{"www.creativecommons.org/licenses/by/4.0/", "CC-BY-4.0", false},
		{"https://creativecommons.org/licenses/by-nc-sa/4.0/deed.de_DE", "CC-BY-NC-SA-4.0", false},
		{"https://creativecommons.org/licenses/by-nc-sa/3.0/es/legalcode.es", "CC-BY-NC-SA-3.0-ES", false},
		{"https://creativecommons.org/licenses/by/4.0/?ref=chooser-v1", "CC-BY-4.0", false},
		{"https://creativecommons.org/licenses/by/4.0/#section", "CC-BY-4.0", false},
		{"  <https://creativecommons.org/licenses/by/4.0/>. ", "CC-BY-4.0", false},
		{"\"https://creativecommons.org/licenses/by/4.0/\",", "CC-BY-4.0", false},
		{"https://creativecommons.org/licenses/by/3.0/igo/", "CC-BY-3.0-IGO", false},
		{"https://creativecommons.org/licenses/by/5.0/", "", true},
		{"https://creativecommons.org/licenses/by/3.0/xx/", "", true},
		{"https://creativecommons.org/licenses/by/4.0/de/", "", true},
		{"https://creativecommons.org/licenses/by-sa/", "CC-BY-SA", true},
		{"https://creativecommons.org/licenses/nd-nc/2.0/jp/", "CC-ND-NC-2.0-JP", false},
		{"https://creativecommons.org/licenses/sampling+/1.0/tw/", "CC-SAMPLING-PLUS-1.0-TW", false},
		// Badges.
		{"https://i.creativecommons.org/l/by-sa/4.0/88x31.png", "CC-BY-SA-4.0", false},
		{"https://i.creativecommons.org/p/zero/1.0/88x31.png", "CC0-1.0", false},
		{"https://i.creativecommons.org/p/mark/1.0/88x31.png", "CC-PDM-1.0", false},
		{"https://licensebuttons.net/l/by-nc/3.0/de/80x15.png", "CC-BY-NC-3.0-DE", false},
		{"https://mirrors.creativecommons.org/presskit/buttons/88x31/png/by-sa.png", "CC-BY-SA", true},
		// SPDX ids and URLs.
		{"cc-by-nc-sa-3.0-us", "CC-BY-NC-SA-3.0-US", false},
		{"gpl-3.0-or-later", "GPL-3.0-or-later", false},
		{"GPL-2.0+", "GPL-2.0-or-later", false},
		{"https://spdx.org/licenses/MPL-2.0.html", "MPL-2.0", false},
		{"CC-PDDC", "CC-PDDC", false},
		// Rights statements.
		{"http://rightsstatements.org/vocab/InC/1.0/", "LicenseRef-RS-InC", false},
		{"https://rightsstatements.org/page/NKC/1.0/?language=de", "LicenseRef-RS-NKC", false},
		{"http://rightsstatements.org/vocab/XYZ/1.0/", "", true},
		// Free text in four languages.
		{"Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 International", "CC-BY-SA-4.0", false},
		{"CC-BY-NC-SA 3.0 US", "CC-BY-NC-SA-3.0-US", false},
		{"CC 0", "CC0-1.0", false},
		{"Attribution 3.0 United States", "CC-BY-3.0-US", false},
		{"Paternité - Pas d'Utilisation Commerciale", "CC-BY-NC", true},
		{"Paternité - Pas d'Utilisation Commerciale - Partage des Conditions Initiales à l'Identique 3.0", "CC-BY-NC-SA-3.0", false},
		{"Reconocimiento-CompartirIgual", "CC-BY-SA", true},
		{"Atribución-NoComercial-SinDerivadas 4.0 Internacional", "CC-BY-NC-ND-4.0", false},
		{"Namensnennung - Nicht kommerziell - Keine Bearbeitungen 3.0 Deutschland", "CC-BY-NC-ND-3.0-DE", false},
		{"Creative Commons Attribution-ShareAlike 2.0 England and Wales", "CC-BY-SA-2.0-UK", false},
		{"CC BY 4.0 Deutschland", "", true},
		{"CC BY 7.0", "", true},
		{"Public Domain Mark", "CC-PDM-1.0", false},
		{"GNU General Public License v3.0", "GPL-3.0", false},
		{"Published by Elsevier. All rights reserved.", "LicenseRef-All-Rights-Reserved", false},
		{"Alle Rechte vorbehalten", "LicenseRef-All-Rights-Reserved", false},
		{"personal, non-commercial and educational use", "", true},
		{"Bild: Max Muster, CC BY-SA 4.0", "", true},
		// HTML.
		{`<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>`, "CC-BY-SA-4.0", false},
		{`<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">Creative Commons License</a>`, "CC-BY-SA-4.0", false},
		{`<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA</a>`, "CC-BY-SA-4.0", false},
		{`<a href="https://creativecommons.org/licenses/by/4.0/">CC BY-NC-ND 4.0</a>`, "", true},
		{`<p>Lizenz: <a href="https://creativecommons.org/licenses/by/4.0/deed.de">CC&nbsp;BY 4.0</a></p>`, "CC-BY-4.0", false},
		{`<span>no license here</span>`, "", true},
		// Access terms.
		{"info:eu-repo/semantics/openAccess", "", false},
		// Provider fields.
		{"ccm:commonlicense_key=CC_BY_NC_ND; ccm:commonlicense_cc_version=3.0", "CC-BY-NC-ND-3.0", false},
		{"flickr license=99", "", true},
		{"", "", false},
	}
	for _, tt := range tests {
		r := Parse(tt.in)
		if r.Tool.ID != tt.id || (len(r.Warnings) > 0) != tt.warn {
			t.Errorf("Parse(%q) = %q %q, want %q (warning %v)", tt.in, r.Tool.ID, r.Warnings, tt.id, tt.warn)
		}
	}
	if r := Parse("info:eu-repo/semantics/openAccess"); !r.Access || r.Tool.ID != "" {
		t.Errorf("access term: %+v", r)
	}
	if r := Parse("https://creativecommons.org/licenses/by/4.0/"); r.Form != FormURL || r.Input != "https://creativecommons.org/licenses/by/4.0/" {
		t.Errorf("form %q input %q", r.Form, r.Input)
	}
}

// TestCorpusRights reads every license_raw row of the shared corpus (value and attribute notes):
// none may panic, and those that clearly name a license must resolve to it.
func TestCorpusRights(t *testing.T) {
	dir := testenv.Corpus(t)
	f, err := os.Open(filepath.Join(dir, "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{
		"http://creativecommons.org/licenses/by/4.0/":           "CC-BY-4.0",
		"Creative Commons Attribution 4.0 International":        "CC-BY-4.0",
		"http://creativecommons.org/publicdomain/zero/1.0/":     "CC0-1.0",
		"All Rights Reserved":                                   "LicenseRef-All-Rights-Reserved",
		"Creative Commons Attribution":                          "CC-BY",
		"https://creativecommons.org/licenses/by/4.0/legalcode": "CC-BY-4.0",
		"Attribution 4.0":                                       "CC-BY-4.0",
		"Creative Commons License [CC BY-NC-ND] http://creativecommons.org/licenses/by-nc-nd/3.0/de/": "CC-BY-NC-ND-3.0-DE",
		"cc_by":                               "CC-BY",
		"cc_by_nc_nd":                         "CC-BY-NC-ND",
		"https://opensource.org/licenses/MIT": "MIT",
		"MIT License":                         "MIT",
		"Attribution-NonCommercial-ShareAlike 2.0 UK: England & Wales":    "CC-BY-NC-SA-2.0-UK",
		"Attribution-NonCommercial-NoDerivs 3.0 United States":            "CC-BY-NC-ND-3.0-US",
		"Attribution 4.0 International\ufffd(CC BY 4.0)":                  "CC-BY-4.0",
		"ihttp://creativecommons.org/licenses/by-sa/3.0/br/":              "CC-BY-SA-3.0-BR",
		"http://rightsstatements.org/vocab/NoC-OKLR/1.0/ ":                "LicenseRef-RS-NoC-OKLR",
		"In Copyright - Educational Use Permitted":                        "LicenseRef-RS-InC-EDU",
		"Creative Commons - CC0 1.0 Universal - Public Domain Dedication": "CC0-1.0",
		"BSD 3-Clause Clear License":                                      "BSD-3-Clause-Clear",
		"Apache License 2.0":                                              "Apache-2.0",
		"public domain":                                                   "LicenseRef-Public-Domain",
		"domaine public":                                                  "LicenseRef-Public-Domain",
		"This work is licensed under a Creative Commons Attribution-NoDerivs 3.0 Unported License. When this material is used, in whole or in part, proper citation and credit must be attributed to the Maryland State Archives. For more information go to http://histpics.msa.maryland.gov/pages/Search.aspx ": "CC-BY-ND-3.0",
		"This is an open access article distributed under the terms of the Creative Commons Attribution License (http://creativecommons.org/licenses/by/2.0), which permits unrestricted use, distribution, and reproduction in any medium, provided the original work is properly cited.":                        "CC-BY-2.0",
		"Copyright © 2013 BioMed Central Ltd.":                          "LicenseRef-All-Rights-Reserved",
		"I don't know the status of the copyright for this publication": "",
		"info:eu-repo/semantics/openAccess":                             "",
	}
	wantNotes := map[string]string{
		"rightsURI=https://creativecommons.org/licenses/by/3.0/de":                                                               "CC-BY-3.0-DE",
		"rightsURI=https://creativecommons.org/licenses/by-nc-nd/2.5/ch":                                                         "CC-BY-NC-ND-2.5-CH",
		"rightsURI=https://creativecommons.org/licenses/by/4.0/legalcode rightsIdentifierScheme=spdx rightsIdentifier=cc-by-4.0": "CC-BY-4.0",
		"type=use and reproduction xlink:href=https://duepublico.uni-due.de/api/v1/classifications/mir_licenses#cc_by-sa_4.0":    "CC-BY-SA-4.0",
		"displayLabel=rights type=use and reproduction xlink:href=http://rightsstatements.org/vocab/InC-EDU/1.0/":                "LicenseRef-RS-InC-EDU",
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows, checked := 0, 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || !strings.HasPrefix(cols[2], "license_raw") || cols[3] == "(none)" {
			continue
		}
		rows++
		value := unescapeTSV(cols[3])
		got := Parse(value)
		if id, ok := want[value]; ok {
			checked++
			if got.Tool.ID != id {
				t.Errorf("%s: Parse(%q) = %q %v, want %q", cols[0], value, got.Tool.ID, got.Warnings, id)
			}
		}
		notes := unescapeTSV(cols[4])
		gotNotes := Parse(notes)
		if id, ok := wantNotes[notes]; ok {
			checked++
			if gotNotes.Tool.ID != id {
				t.Errorf("%s: Parse(%q) = %q %v, want %q", cols[0], notes, gotNotes.Tool.ID, gotNotes.Warnings, id)
			}
		}
		Resolve([]Statement{{From: cols[2], Value: value}, {From: cols[2] + "@", Value: notes}})
	}
	if rows < 1000 || checked < 300 {
		t.Fatalf("read %d rights rows and checked %d, want the whole file", rows, checked)
	}
}

func unescapeTSV(s string) string {
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n", `\\`, `\`).Replace(s)
}
