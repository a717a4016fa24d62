package license

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"https://creativecommons.org/licenses/by-sa/4.0/deed.de",
		"//creativecommons.org/licenses/by-nd-nc/2.0/jp/",
		"https://i.creativecommons.org/l/by-nc-sa/3.0/fr/88x31.png",
		"http://rightsstatements.org/page/InC/1.0/?language=en",
		"CC-BY-NC-SA 3.0 US",
		"Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 International",
		"<a rel=\"license\" href=\"https://creativecommons.org/licenses/by/4.0/\">CC BY-NC</a>",
		"<script type=\"application/ld+json\">{\"license\":{\"@id\":\"https://creativecommons.org/licenses/by/4.0/\"}}</script>",
		"flickr license=4",
		"ccm:commonlicense_key=CC_BY_SA; ccm:commonlicense_cc_version=4.0",
		"https://duepublico.uni-due.de/api/v1/classifications/mir_licenses#cc_by-nc-sa_4.0",
		"© 2020", "info:eu-repo/semantics/openAccess", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Parse(s)
		if r.Input != s {
			t.Fatalf("Input changed: %q", r.Input)
		}
		if r.Tool.ID == "" {
			return
		}
		if r.Access {
			t.Fatalf("access term with a tool: %+v", r)
		}
		got, ok := Lookup(r.Tool.ID)
		if !ok || got != r.Tool {
			t.Fatalf("Parse(%q) returned %s, which Lookup does not know", s, r.Tool.ID)
		}
		if r.Tool.URL != "" && strings.HasPrefix(r.Tool.URL, "https://creativecommons.org/") {
			if back := Parse(r.Tool.URL); back.Tool.ID != r.Tool.ID {
				t.Fatalf("canonical URL %s reads as %s", r.Tool.URL, back.Tool.ID)
			}
		}
		for _, w := range r.Warnings {
			if !utf8.ValidString(w) && utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 warning %q", w)
			}
		}
		Resolve([]Statement{{From: "fuzz", Value: s, Text: s}})
	})
}
