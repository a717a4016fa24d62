package license

import (
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		stmts    []Statement
		id       string
		conflict bool
	}{
		{"URL beats text", []Statement{
			{From: "dc:rights", Value: "CC BY-SA"},
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by-sa/4.0/"},
		}, "CC-BY-SA-4.0", false},
		{"family text and versioned URL agree", []Statement{
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by-nc/3.0/de/"},
			{From: "dc:rights", Value: "Creative Commons Namensnennung - Nicht kommerziell"},
		}, "CC-BY-NC-3.0-DE", false},
		{"same tool twice", []Statement{
			{From: "a", Value: "CC BY 4.0"},
			{From: "b", Value: "https://creativecommons.org/licenses/by/4.0/deed.de"},
		}, "CC-BY-4.0", false},
		{"resource beats site", []Statement{
			{From: "footer", Value: "https://creativecommons.org/licenses/by/4.0/", Scope: ScopeSite},
			{From: "a[rel=license]", Value: "https://creativecommons.org/licenses/by-nc-sa/4.0/", Scope: ScopeResource},
		}, "CC-BY-NC-SA-4.0", false},
		{"site used when the resource says nothing", []Statement{
			{From: "footer", Value: "https://creativecommons.org/licenses/by/4.0/", Scope: ScopeSite},
		}, "CC-BY-4.0", false},
		{"part is evidence only", []Statement{
			{From: "figcaption", Value: "CC BY-NC-ND 2.0", Scope: ScopePart},
			{From: "meta license", Value: "https://creativecommons.org/licenses/by/4.0/"},
		}, "CC-BY-4.0", false},
		{"only a part", []Statement{{From: "figcaption", Value: "CC BY-NC-ND 2.0", Scope: ScopePart}}, "", false},
		{"access term ignored", []Statement{
			{From: "dc:rights", Value: "info:eu-repo/semantics/openAccess"},
			{From: "dc:rights", Value: "http://creativecommons.org/licenses/by/4.0/"},
		}, "CC-BY-4.0", false},
		{"two URLs disagree", []Statement{
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by/4.0/"},
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by-nc/4.0/"},
		}, "CC-BY-4.0", true},
		{"text disagrees with URL", []Statement{
			{From: "dc:rights", Value: "CC BY-NC-SA"},
			{From: "dc:rights", Value: "https://creativecommons.org/licenses/by/4.0/"},
		}, "CC-BY-4.0", true},
		{"deceptive anchor", []Statement{
			{From: "a[rel=license]", Value: "https://creativecommons.org/licenses/by-nc/4.0/", Text: "CC BY"},
		}, "", false},
		{"anchor agreeing", []Statement{
			{From: "a[rel=license]", Value: "https://creativecommons.org/licenses/by-nc/4.0/", Text: "CC BY-NC 4.0"},
		}, "CC-BY-NC-4.0", false},
		{"public-domain claim and CC0 agree", []Statement{
			{From: "dc:rights", Value: "public domain"},
			{From: "dc:rights", Value: "https://creativecommons.org/publicdomain/zero/1.0/"},
		}, "CC0-1.0", false},
		{"nothing", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Resolve(tt.stmts)
			if res.Tool.ID != tt.id || res.Conflict != tt.conflict {
				t.Fatalf("Resolve = %q conflict %v %v, want %q conflict %v", res.Tool.ID, res.Conflict, res.Warnings, tt.id, tt.conflict)
			}
			if len(res.Evidence) != len(tt.stmts) {
				t.Fatalf("evidence %v, want one per statement", res.Evidence)
			}
			for i, e := range res.Evidence {
				if e.From != tt.stmts[i].From || e.Value != tt.stmts[i].Value {
					t.Errorf("evidence %d = %+v", i, e)
				}
			}
		})
	}
	res := Resolve([]Statement{{From: "x", Value: "https://creativecommons.org/licenses/by/5.0/"}})
	if res.Tool.ID != "" || len(res.Warnings) == 0 || !strings.HasPrefix(res.Warnings[0], "x: ") {
		t.Errorf("invalid URL: %+v", res)
	}
}

func TestAttribute(t *testing.T) {
	bysa, _ := Lookup("CC-BY-SA-4.0")
	cc0, _ := Lookup("CC0-1.0")
	pdm, _ := Lookup("CC-PDM-1.0")
	w := Work{Title: "Photosynthesis <basics> & more", Author: "Ada \"A\" Lovelace", AuthorURL: "https://example.org/ada",
		SourceURL: "https://example.org/work?a=1&b=2"}
	tests := []struct {
		w    Work
		t    Tool
		f    Format
		want string
	}{
		{w, bysa, FormatText, `"Photosynthesis <basics> & more" (https://example.org/work?a=1&b=2) by Ada "A" Lovelace is licensed under CC BY-SA 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by-sa/4.0/`},
		{Work{}, bysa, FormatText, `This work is licensed under CC BY-SA 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by-sa/4.0/`},
		{Work{Title: "Map"}, cc0, FormatText, `"Map" is dedicated to the public domain under CC0 1.0. See https://creativecommons.org/publicdomain/zero/1.0/`},
		{Work{Title: "Map", Author: "Bo"}, pdm, FormatText, `"Map" by Bo is marked with PDM 1.0. See https://creativecommons.org/publicdomain/mark/1.0/`},
		{w, bysa, FormatHTML, `<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/">` +
			`<a property="dct:title" rel="cc:attributionURL" href="https://example.org/work?a=1&amp;b=2">Photosynthesis &lt;basics&gt; &amp; more</a>` +
			` by <a rel="cc:attributionURL dct:creator" property="cc:attributionName" href="https://example.org/ada">Ada &#34;A&#34; Lovelace</a>` +
			` is licensed under <a href="https://creativecommons.org/licenses/by-sa/4.0/" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">CC BY-SA 4.0</a></p>`},
		{Work{Author: "Bo", AuthorURL: "javascript:alert(1)"}, cc0, FormatHTML, `<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/">This work by <span property="cc:attributionName">Bo</span> is dedicated to the public domain under <a href="https://creativecommons.org/publicdomain/zero/1.0/" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">CC0 1.0</a></p>`},
		{w, bysa, FormatMarkdown, `[Photosynthesis \<basics\> \& more](https://example.org/work?a=1&b=2) by [Ada "A" Lovelace](https://example.org/ada) is licensed under [CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)`},
		{Work{Title: "a_b [c]"}, pdm, FormatMarkdown, `a\_b \[c\] is marked with [PDM 1.0](https://creativecommons.org/publicdomain/mark/1.0/)`},
		{Work{Title: "Map", Author: "Bo", Change: ChangeAdapted}, bysa, FormatText, `Adapted from "Map" by Bo, which is licensed under CC BY-SA 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by-sa/4.0/`},
		{Work{Change: " Translated "}, cc0, FormatText, `Translated from this work, which is dedicated to the public domain under CC0 1.0. See https://creativecommons.org/publicdomain/zero/1.0/`},
		{Work{Title: "Map", SourceURL: "https://example.org/m", Change: ChangeTranslated}, bysa, FormatHTML, `<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/">` +
			`Translated from <a property="dct:title" rel="cc:attributionURL" href="https://example.org/m">Map</a>, which is licensed under ` +
			`<a href="https://creativecommons.org/licenses/by-sa/4.0/" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">CC BY-SA 4.0</a></p>`},
		{Work{Title: "Map", Author: "Bo", Change: ChangeAdapted}, pdm, FormatMarkdown, `Adapted from Map by Bo, which is marked with [PDM 1.0](https://creativecommons.org/publicdomain/mark/1.0/)`},
	}
	for _, tt := range tests {
		if got := Attribute(tt.w, tt.t, tt.f); got != tt.want {
			t.Errorf("Attribute(%+v, %s, %s) =\n%s\nwant\n%s", tt.w, tt.t.ID, tt.f, got, tt.want)
		}
	}
}

func TestCompatible(t *testing.T) {
	tests := []struct {
		ids       []string
		possible  bool
		decidable bool
		has, not  []string
	}{
		{[]string{"CC-BY-SA-4.0", "GPL-3.0-only"}, true, true, []string{"GPL-3.0-only"}, []string{"CC-BY-SA-4.0"}},
		{[]string{"CC-BY-SA-3.0", "CC-BY-4.0"}, true, true, []string{"CC-BY-SA-3.0", "CC-BY-SA-4.0"}, []string{"CC-BY-4.0"}},
		{[]string{"CC-BY-SA-4.0", "CC-BY-NC-4.0"}, false, true, nil, nil},
		{[]string{"CC-BY-NC-SA-4.0", "CC-BY-NC-4.0"}, true, true, []string{"CC-BY-NC-SA-4.0"}, []string{"CC-BY-NC-4.0"}},
		{[]string{"CC-BY-ND-4.0", "CC-BY-4.0"}, false, true, nil, nil},
		{[]string{"CC0-1.0", "CC-PDM-1.0"}, true, true, []string{"CC0-1.0", "CC-BY-4.0"}, nil},
		{[]string{"CC0-1.0", "CC-BY-SA-4.0"}, true, true, []string{"CC-BY-SA-4.0"}, []string{"CC0-1.0", "CC-BY-4.0"}},
		{[]string{"CC-BY-4.0", "CC-BY-2.0-DE"}, true, true, []string{"CC-BY-4.0", "CC-BY-NC-ND-4.0"}, []string{"CC0-1.0"}},
		{[]string{"CC-BY-SA-4.0", "LicenseRef-All-Rights-Reserved"}, false, true, nil, nil},
		{[]string{"CC-BY-SA", "CC-BY-4.0"}, false, false, nil, nil},
		{[]string{"nonsense", "CC-BY-4.0"}, false, false, nil, nil},
		{[]string{"CC-BY-SA-2.0-UK", "CC-BY-SA-4.0"}, true, true, []string{"CC-BY-SA-4.0"}, []string{"CC-BY-SA-2.0-UK"}},
	}
	for _, tt := range tests {
		c := Compatible(tt.ids...)
		if c.Possible != tt.possible || c.Decidable != tt.decidable || c.Reason == "" || !strings.HasSuffix(c.Reason, ".") {
			t.Errorf("Compatible(%v) = %+v", tt.ids, c)
			continue
		}
		in := map[string]bool{}
		for _, id := range c.Licenses {
			in[id] = true
		}
		for _, id := range tt.has {
			if !in[id] {
				t.Errorf("Compatible(%v) lacks %s: %v", tt.ids, id, c.Licenses)
			}
		}
		for _, id := range tt.not {
			if in[id] {
				t.Errorf("Compatible(%v) wrongly allows %s", tt.ids, id)
			}
		}
	}
}

func TestExplain(t *testing.T) {
	e, ok := Explain("cc-by-nc-sa-3.0-de")
	if !ok || e.ID != "CC-BY-NC-SA-3.0-DE" || len(e.May) == 0 || len(e.Must) != 2 || len(e.MustNot) != 2 || len(e.Notes) != 1 {
		t.Fatalf("Explain = %+v", e)
	}
	for _, id := range []string{"CC0-1.0", "CC-PDM-1.0", "LicenseRef-RS-InC-EDU", "LicenseRef-All-Rights-Reserved", "MIT", "GPL-3.0-only", "CC-SA-1.0", "CC-BY-SA"} {
		e, ok := Explain(id)
		if !ok || e.Summary == "" || len(e.May)+len(e.Must) == 0 {
			t.Errorf("Explain(%s) = %+v", id, e)
		}
	}
	if _, ok := Explain("CC-BY-9.0"); ok {
		t.Error("unknown id explained")
	}
	for _, tool := range All() {
		if e, ok := Explain(tool.ID); !ok || e.Summary == "" {
			t.Errorf("Explain(%s) = %+v", tool.ID, e)
		}
	}
}

func TestAttributeIn(t *testing.T) {
	by, _ := Lookup("CC-BY-4.0")
	cc0, _ := Lookup("CC0-1.0")
	w := Work{Title: "Zelle", Author: "Jana Müller", SourceURL: "https://oer.example/z"}
	tests := []struct {
		lang string
		w    Work
		t    Tool
		f    Format
		want string
	}{
		{"de", w, by, FormatText, `„Zelle“ (https://oer.example/z) von Jana Müller ist lizenziert unter CC BY 4.0. Eine Kopie dieser Lizenz finden Sie unter https://creativecommons.org/licenses/by/4.0/`},
		{"de", Work{Title: "Zelle", Change: ChangeTranslated}, by, FormatMarkdown, `Übersetzt aus Zelle, lizenziert unter [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)`},
		{"de", Work{Title: "Karte"}, cc0, FormatHTML, `<p xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/"><span property="dct:title">Karte</span> ist mit <a href="https://creativecommons.org/publicdomain/zero/1.0/" target="_blank" rel="license noopener noreferrer" style="display:inline-block;">CC0 1.0</a> der Gemeinfreiheit gewidmet</p>`},
		{"fr", w, by, FormatText, `« Zelle » (https://oer.example/z) par Jana Müller est diffusé sous CC BY 4.0. Pour voir une copie de cette licence, visitez https://creativecommons.org/licenses/by/4.0/`},
		{"es", Work{}, Tool{}, FormatText, `Esta obra está bajo una licencia desconocida.`},
		{"ja", Work{Title: "Map"}, by, FormatText, `"Map" is licensed under CC BY 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by/4.0/`},
	}
	for _, tt := range tests {
		if got := AttributeIn(tt.w, tt.t, tt.f, tt.lang); got != tt.want {
			t.Errorf("%s %s:\ngot  %s\nwant %s", tt.lang, tt.f, got, tt.want)
		}
	}
}
