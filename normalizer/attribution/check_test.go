package attribution

import (
	"errors"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/normalizer/license"
)

var ada = Expected{Title: "Photosynthesis in Green Plants", Authors: []string{"Lovelace, Ada"},
	SourceURL: "https://oer.example.org/records/photosynthesis", License: "CC-BY-4.0"}

func TestCheckProblems(t *testing.T) {
	adapted := ada
	adapted.Adapted = true
	nd := ada
	nd.License, nd.Adapted = "CC-BY-ND-4.0", true
	cc0 := ada
	cc0.License = "CC0-1.0"
	tests := []struct {
		name   string
		want   Expected
		text   string
		format Format
		ok     bool
		// problem is a piece of the one expected problem; "" when the attribution is right
		problem string
	}{
		{"text, complete", ada, `"Photosynthesis in Green Plants" (https://oer.example.org/records/photosynthesis) by Ada Lovelace is licensed under CC BY 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by/4.0/`,
			FormatText, true, ""},
		{"html, title linked", ada, `<a href="https://oer.example.org/records/photosynthesis">Photosynthesis in Green Plants</a> by Ada Lovelace, <a href="https://creativecommons.org/licenses/by/4.0/deed.de">CC BY 4.0</a>`,
			FormatHTML, true, ""},
		{"markdown, title linked", ada, `[Photosynthesis in Green Plants](https://oer.example.org/records/photosynthesis) by Ada Lovelace, [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)`,
			FormatMarkdown, true, ""},
		{"text without the license link", ada, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, CC BY 4.0`,
			FormatText, false, "print its URL https://creativecommons.org/licenses/by/4.0/"},
		{"html without the license link", ada, `<a href="https://oer.example.org/records/photosynthesis">Photosynthesis in Green Plants</a> by Ada Lovelace, CC BY 4.0`,
			FormatHTML, false, "link CC BY 4.0 to https://creativecommons.org/licenses/by/4.0/"},
		{"wrong version", ada, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by/3.0/`,
			FormatText, false, "wrong license version: CC BY 3.0 instead of CC BY 4.0"},
		{"wrong port", ada, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, CC BY 3.0 DE https://creativecommons.org/licenses/by/4.0/`,
			FormatText, false, "CC BY 3.0 DE"},
		{"NC for BY", ada, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by-nc/4.0/`,
			FormatText, false, "NonCommercial (CC BY-NC 4.0)"},
		{"another author", ada, `"Photosynthesis in Green Plants" by Charles Babbage, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by/4.0/`,
			FormatText, false, `"Charles Babbage" is not the work's author: credit Lovelace, Ada`},
		{"no author", ada, `"Photosynthesis in Green Plants", https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by/4.0/`,
			FormatText, false, "the author is missing"},
		{"another title", ada, `"Leaves" by Ada Lovelace, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by/4.0/`,
			FormatText, false, `the title reads "Leaves"`},
		{"no source", ada, `"Photosynthesis in Green Plants" by Ada Lovelace, https://creativecommons.org/licenses/by/4.0/`,
			FormatText, false, "print the work's URL"},
		{"adapted without a notice", adapted, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by/4.0/`,
			FormatText, false, "modification notice is missing"},
		{"adapted with a notice", adapted, `Adapted from "Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by/4.0/`,
			FormatText, true, ""},
		{"adapted under ND", nd, `Adapted from "Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, https://creativecommons.org/licenses/by-nd/4.0/`,
			FormatText, false, "does not allow adaptations"},
		{"CC0 called a license", cc0, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, licensed under CC0 1.0`,
			FormatText, false, "CC0 is not a license"},
		{"CC0 dedicated", cc0, `"Photosynthesis in Green Plants" by Ada Lovelace, https://oer.example.org/records/photosynthesis, dedicated to the public domain under CC0 1.0`,
			FormatText, true, ""},
		{"script ignored", ada, `<a href="https://oer.example.org/records/photosynthesis">Photosynthesis in Green Plants</a> by Ada Lovelace <script>var l = "https://creativecommons.org/licenses/by/4.0/"</script>`,
			FormatHTML, false, "no license is named"},
		{"javascript link ignored", ada, `<a href="javascript:go()">Photosynthesis in Green Plants</a> by Ada Lovelace, <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>`,
			FormatHTML, false, "link the title to https://oer.example.org/records/photosynthesis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Check(tt.want, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok || res.Format != tt.format {
				t.Errorf("ok %v format %s, want %v %s; problems %q", res.OK, res.Format, tt.ok, tt.format, res.Problems)
			}
			switch {
			case tt.problem == "" && len(res.Problems) > 0:
				t.Errorf("problems %q, want none", res.Problems)
			case tt.problem != "" && (len(res.Problems) != 1 || !strings.Contains(res.Problems[0], tt.problem)):
				t.Errorf("problems %q, want one containing %q", res.Problems, tt.problem)
			}
			if (res.Modified != nil) != tt.want.Adapted {
				t.Errorf("modified graded %v, adapted %v", res.Modified != nil, tt.want.Adapted)
			}
		})
	}
}

func TestCheckBadInput(t *testing.T) {
	big := strings.Repeat("a", MaxSize+1)
	if _, err := Check(ada, big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1 MB attribution: err %v, want ErrTooLarge", err)
	}
	if _, err := Check(ada, strings.Repeat("a", MaxSize)); err != nil {
		t.Errorf("attribution of exactly MaxSize: %v", err)
	}
	for _, lic := range []string{"", "CC-BY", "nonsense", "LicenseRef-All-Rights-Reserved"} {
		e := ada
		e.License = lic
		if _, err := Check(e, "x"); !errors.Is(err, ErrInvalid) {
			t.Errorf("license %q: err %v, want ErrInvalid", lic, err)
		}
	}
	res, err := Check(ada, "")
	if err != nil || res.OK || len(res.Problems) != 4 {
		t.Errorf("empty attribution: ok %v, problems %q, err %v; want four problems", res.OK, res.Problems, err)
	}
}

// TestOwnAttributionsPass grades the attributions Orchard writes itself: every one must pass.
func TestOwnAttributionsPass(t *testing.T) {
	for _, id := range []string{"CC-BY-4.0", "CC-BY-SA-3.0-DE", "CC-BY-NC-ND-2.0", "CC-BY-NC-SA-3.0-IGO", "CC0-1.0", "CC-PDM-1.0", "GPL-3.0-only"} {
		tool, ok := license.Lookup(id)
		if !ok {
			t.Fatalf("%s not in the knowledge base", id)
		}
		for _, lang := range []string{"en", "de", "fr", "es"} {
			for _, change := range []string{"", license.ChangeTranslated} {
				if change != "" && !tool.Derivatives {
					continue
				}
				for _, f := range []license.Format{license.FormatText, license.FormatHTML, license.FormatMarkdown} {
					w := license.Work{Title: "Die Zelle: Aufbau und Funktion", Author: "Jana Müller", SourceURL: "https://oer.example.de/zelle?id=7", Change: change}
					text := license.AttributeIn(w, tool, f, lang)
					res, err := Check(Expected{Title: w.Title, Authors: []string{"Müller, Jana"}, SourceURL: w.SourceURL, License: id, Adapted: change != ""}, text)
					if err != nil || !res.OK || res.Format != Format(f) {
						t.Errorf("%s %s %q as %s: ok %v format %s err %v, problems %q\n%s", id, lang, change, f, res.OK, res.Format, err, res.Problems, text)
					}
				}
			}
		}
	}
}
