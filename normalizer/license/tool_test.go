package license

import (
	"net/url"
	"strings"
	"testing"
)

// TestKnowledgeBaseCompleteness checks the tools generated from the port lists: how many exist per
// version and family, that every id, URL, label and title is well formed, and the translations.
func TestKnowledgeBaseCompleteness(t *testing.T) {
	count := map[string]int{} // "version code" → tools
	ports := map[string]map[string]bool{}
	for _, tool := range All() {
		if tool.Kind != KindCC || tool.Version == "" {
			continue
		}
		count[tool.Version+" "+tool.code]++
		if ports[tool.Version] == nil {
			ports[tool.Version] = map[string]bool{}
		}
		ports[tool.Version][tool.Jurisdiction] = true
	}
	want := map[string]int{
		// 1.0: generic, Finland, Israel, Netherlands for the BY suite (BY-NC-ND is spelled by-nd-nc).
		"1.0 by": 4, "1.0 by-sa": 4, "1.0 by-nd": 4, "1.0 by-nc": 4, "1.0 by-nc-sa": 4, "1.0 by-nd-nc": 4,
		"1.0 sa": 3, "1.0 nd": 3, "1.0 nc": 3, "1.0 nc-sa": 3, "1.0 nd-nc": 3,
		"1.0 sampling": 3, "1.0 sampling+": 4, "1.0 nc-sampling+": 2,
		// 2.0: generic and 18 ports; the non-BY suite survives only in Japan; devnations is 2.0 only.
		"2.0 by": 19, "2.0 by-sa": 19, "2.0 by-nd": 19, "2.0 by-nc": 19, "2.0 by-nc-sa": 19, "2.0 by-nc-nd": 19,
		"2.0 nc": 1, "2.0 sa": 1, "2.0 nd": 1, "2.0 nc-sa": 1, "2.0 nd-nc": 1, "2.0 devnations": 1,
		// 2.1 exists only as ports: Australia, Canada, Spain, Japan.
		"2.1 by": 4, "2.1 by-sa": 4, "2.1 by-nd": 4, "2.1 by-nc": 4, "2.1 by-nc-sa": 4, "2.1 by-nc-nd": 4,
		"2.5 by": 29, "2.5 by-sa": 29, "2.5 by-nd": 29, "2.5 by-nc": 29, "2.5 by-nc-sa": 29, "2.5 by-nc-nd": 29,
		"3.0 by": 44, "3.0 by-sa": 44, "3.0 by-nd": 44, "3.0 by-nc": 44, "3.0 by-nc-sa": 44, "3.0 by-nc-nd": 44,
		"4.0 by": 1, "4.0 by-sa": 1, "4.0 by-nd": 1, "4.0 by-nc": 1, "4.0 by-nc-sa": 1, "4.0 by-nc-nd": 1,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d tools, want %d", k, count[k], n)
		}
	}
	if len(count) != len(want) {
		t.Errorf("%d version/code pairs, want %d: %v", len(count), len(want), count)
	}
	for _, p := range []string{"", "igo", "us", "de", "am", "az", "ge", "ca"} {
		if !ports["3.0"][p] {
			t.Errorf("3.0 port %q missing", p)
		}
	}
	for v, p := range map[string]string{"2.5": "scotland", "2.0": "uk", "2.1": "jp"} {
		if !ports[v][p] {
			t.Errorf("%s port %q missing", v, p)
		}
	}
	if ports["2.1"][""] || ports["4.0"]["de"] || ports["3.0"]["jp"] {
		t.Error("a combination that does not exist is in the knowledge base")
	}

	seen := map[string]bool{}
	for _, tool := range All() {
		if seen[strings.ToLower(tool.ID)] {
			t.Errorf("duplicate id %s", tool.ID)
		}
		seen[strings.ToLower(tool.ID)] = true
		if tool.Label == "" || tool.Title == "" || tool.Family == "" {
			t.Errorf("%s: label %q, title %q, family %q", tool.ID, tool.Label, tool.Title, tool.Family)
		}
		if got, ok := Lookup(tool.ID); !ok || got.ID != tool.ID {
			t.Errorf("Lookup(%s) = %v, %v", tool.ID, got.ID, ok)
		}
		if tool.Kind == KindCC || tool.ID == "CC0-1.0" || tool.ID == "CC-PDM-1.0" {
			checkCanonical(t, tool)
		}
		if tool.Jurisdiction != "" && tool.JurisdictionName() == "" {
			t.Errorf("%s: no name for port %s", tool.ID, tool.Jurisdiction)
		}
		if tool.Open && (!tool.Commercial || !tool.Derivatives) {
			t.Errorf("%s is open but restricts use", tool.ID)
		}
	}
	for _, id := range []string{"CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-ND-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0",
		"CC-BY-NC-ND-4.0", "CC0-1.0", "CC-PDM-1.0"} {
		tool, _ := Lookup(id)
		for _, lang := range []string{"de", "fr", "es"} {
			// Some translations equal the English title ("Attribution 4.0 International" in French).
			if translatedTitles[id][lang] == "" || tool.TitleIn(lang) != translatedTitles[id][lang] {
				t.Errorf("%s has no %s title", id, lang)
			}
		}
	}
	for _, rs := range []string{"InC", "InC-OW-EU", "InC-EDU", "InC-NC", "InC-RUU", "NoC-CR", "NoC-NC", "NoC-OKLR",
		"NoC-US", "CNE", "UND", "NKC"} {
		if _, ok := Lookup("LicenseRef-RS-" + rs); !ok {
			t.Errorf("rights statement %s missing", rs)
		}
	}
	for _, id := range []string{"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "GPL-2.0-only", "GPL-3.0-or-later",
		"LGPL-2.1-only", "AGPL-3.0-only", "GFDL-1.2", "GFDL-1.3", "MPL-2.0", "ODbL-1.0", "CC-PDDC",
		"LicenseRef-All-Rights-Reserved", "CC-BY-NC-ND-1.0", "CC-SAMPLING-PLUS-1.0", "CC-DEVNATIONS-2.0"} {
		if _, ok := Lookup(id); !ok {
			t.Errorf("%s missing", id)
		}
	}
}

// checkCanonical checks a tool's deed URL, id, label and title against each other.
func checkCanonical(t *testing.T, tool Tool) {
	t.Helper()
	u, err := url.Parse(tool.URL)
	if err != nil || u.Scheme != "https" || u.Host != "creativecommons.org" || !strings.HasSuffix(u.Path, "/") {
		t.Errorf("%s: URL %q is not canonical", tool.ID, tool.URL)
		return
	}
	if r := Parse(tool.URL); r.Tool.ID != tool.ID || len(r.Warnings) > 0 {
		t.Errorf("Parse(%s) = %s %v, want %s", tool.URL, r.Tool.ID, r.Warnings, tool.ID)
	}
	if tool.Kind != KindCC {
		return
	}
	wantPath := "/licenses/" + tool.code + "/" + tool.Version + "/"
	if tool.Jurisdiction != "" {
		wantPath += tool.Jurisdiction + "/"
		if !strings.HasSuffix(tool.ID, "-"+strings.ToUpper(tool.Jurisdiction)) ||
			!strings.HasSuffix(tool.Label, " "+strings.ToUpper(tool.Jurisdiction)) ||
			!strings.HasSuffix(tool.Title, tool.JurisdictionName()) {
			t.Errorf("%s: port not in id, label %q or title %q", tool.ID, tool.Label, tool.Title)
		}
	}
	if u.Path != wantPath {
		t.Errorf("%s: path %s, want %s", tool.ID, u.Path, wantPath)
	}
	if !strings.HasPrefix(tool.ID, tool.Family+"-"+tool.Version) || !strings.Contains(tool.Title, tool.Version) {
		t.Errorf("%s: family %s, title %q", tool.ID, tool.Family, tool.Title)
	}
}

func TestLookupAndLabels(t *testing.T) {
	tests := []struct{ id, label, title, url string }{
		{"CC-BY-SA-4.0", "CC BY-SA 4.0", "Attribution-ShareAlike 4.0 International", "https://creativecommons.org/licenses/by-sa/4.0/"},
		{"cc-by-sa-3.0-de", "CC BY-SA 3.0 DE", "Attribution-ShareAlike 3.0 Germany", "https://creativecommons.org/licenses/by-sa/3.0/de/"},
		{"CC-BY-NC-ND-4.0", "CC BY-NC-ND 4.0", "Attribution-NonCommercial-NoDerivatives 4.0 International", "https://creativecommons.org/licenses/by-nc-nd/4.0/"},
		{"CC-BY-NC-ND-3.0", "CC BY-NC-ND 3.0", "Attribution-NonCommercial-NoDerivs 3.0 Unported", "https://creativecommons.org/licenses/by-nc-nd/3.0/"},
		{"CC-BY-2.0-UK", "CC BY 2.0 UK", "Attribution 2.0 UK: England & Wales", "https://creativecommons.org/licenses/by/2.0/uk/"},
		{"CC-BY-2.5-SCOTLAND", "CC BY 2.5 SCOTLAND", "Attribution 2.5 UK: Scotland", "https://creativecommons.org/licenses/by/2.5/scotland/"},
		{"CC-BY-NC-ND-1.0", "CC BY-NC-ND 1.0", "Attribution-NoDerivs-NonCommercial 1.0 Generic", "https://creativecommons.org/licenses/by-nd-nc/1.0/"},
		{"CC-BY-NC-SA-3.0-US", "CC BY-NC-SA 3.0 US", "Attribution-NonCommercial-ShareAlike 3.0 United States", "https://creativecommons.org/licenses/by-nc-sa/3.0/us/"},
		{"CC0-1.0", "CC0 1.0", "CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"},
		{"CC-PDM-1.0", "PDM 1.0", "Public Domain Mark 1.0", "https://creativecommons.org/publicdomain/mark/1.0/"},
		{"CC-BY-SA", "CC BY-SA", "Attribution-ShareAlike", ""},
	}
	for _, tt := range tests {
		tool, ok := Lookup(tt.id)
		if !ok || tool.Label != tt.label || tool.Title != tt.title || tool.URL != tt.url {
			t.Errorf("Lookup(%s) = %v %q %q %q", tt.id, ok, tool.Label, tool.Title, tool.URL)
		}
	}
	flags := []struct {
		id                      string
		com, der, sa, attr, opn bool
	}{
		{"CC-BY-4.0", true, true, false, true, true},
		{"CC-BY-SA-4.0", true, true, true, true, true},
		{"CC-BY-NC-4.0", false, true, false, true, false},
		{"CC-BY-ND-4.0", true, false, false, true, false},
		{"CC-BY-NC-SA-3.0-DE", false, true, true, true, false},
		{"CC0-1.0", true, true, false, false, true},
		{"CC-PDM-1.0", true, true, false, false, true},
		{"CC-PDDC", true, true, false, false, true},
		{"GPL-3.0-only", true, true, true, true, true},
		{"MIT", true, true, false, true, true},
		{"LicenseRef-All-Rights-Reserved", false, false, false, false, false},
		{"LicenseRef-RS-InC", false, false, false, false, false},
		{"CC-SA-1.0", true, true, true, false, false},
	}
	for _, f := range flags {
		tool, _ := Lookup(f.id)
		if tool.Commercial != f.com || tool.Derivatives != f.der || tool.ShareAlike != f.sa || tool.Attribution != f.attr || tool.Open != f.opn {
			t.Errorf("%s flags = %v %v %v %v %v", f.id, tool.Commercial, tool.Derivatives, tool.ShareAlike, tool.Attribution, tool.Open)
		}
	}
	if len(Families()) < 8 {
		t.Errorf("Families() = %d", len(Families()))
	}
	if _, ok := Lookup("CC-BY-5.0"); ok {
		t.Error("CC-BY-5.0 should not exist")
	}
}
