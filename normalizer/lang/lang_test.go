package lang

import (
	"regexp"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/internal/testenv"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"en", "en"}, {"EN", "en"}, {"eng", "en"}, {"English", "en"}, {"english", "en"}, {"English;", "en"},
		{"de", "de"}, {"ger", "de"}, {"deu", "de"}, {"German", "de"}, {"Deutsch", "de"}, {"de-DE", "de"},
		{"de_AT", "de"}, {"Englisch", "en"}, {"en_US", "en"}, {"en-GB", "en"}, {"fre", "fr"}, {"fra", "fr"},
		{"français", "fr"}, {"Francais", "fr"}, {"French", "fr"}, {"Español", "es"}, {"espanol", "es"},
		{"spa", "es"}, {"Spanish; Castilian", "es"}, {"pt-BR", "pt"}, {"pt_BR", "pt"}, {"por", "pt"},
		{"Português", "pt"}, {"portugues", "pt"}, {"zh-Hans-CN", "zh"}, {"chi", "zh"}, {"zho", "zh"},
		{"中文", "zh"}, {"cmn", "zh"}, {"日本語", "ja"}, {"Русский", "ru"}, {"rus", "ru"},
		{"Greek, Modern (1453-)", "el"}, {"gre", "el"}, {"ell", "el"}, {"Ελληνικά", "el"},
		{"Dutch; Flemish", "nl"}, {"dut", "nl"}, {"nld", "nl"}, {"Nederlands", "nl"}, {"wel", "cy"},
		{"Cymraeg", "cy"}, {"nob", "nb"}, {"Norsk bokmål", "nb"}, {"Türkçe", "tr"}, {"turkce", "tr"},
		{"Bahasa Indonesia", "id"}, {"ind", "id"}, {"Kiswahili", "sw"}, {"العربية", "ar"},
		{"Farsi", "fa"}, {"per", "fa"}, {"Persian", "fa"}, {"hindi", "hi"}, {"Latin", "la"},
		{"lat", "la"}, {"English (United States)", "en"}, {"en; fr", "en"}, {"en fr", "en"}, {"Valbonnais dialect / Occitan (post 1500)", "oc"}, {"English/German", "en"},
		{"yue", "yue"}, {"Cantonese", "yue"}, {"haw", "haw"}, {"nds", "nds"}, {"Low German", "nds"},
		{"gsw", "gsw"}, {"fil", "fil"}, {"Filipino", "fil"}, {"tl", "tl"}, {"Tagalog", "tl"},
		{"mul", "mul"}, {"sgn", "sgn"}, {"  eng  ", "en"}, {"Slovenščina", "sl"}, {"čeština", "cs"},
		{"cze", "cs"}, {"ces", "cs"},
		{"", ""}, {"und", ""}, {"xx", ""}, {"Klingon", ""}, {"none", ""}, {"x-klingon", ""}, {"-", ""},
	}
	for _, tt := range tests {
		got, ok := Normalize(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	for code, want := range map[string]string{"en": "English", "de": "German", "pt": "Portuguese",
		"yue": "Cantonese", "EN": "English", "xx": "", "": ""} {
		if got := Name(code); got != want {
			t.Errorf("Name(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestTable checks the data: 184 ISO 639-1 languages with distinct, well-formed codes, every
// code and name normalizing back to its own language, and no looser table (aliases, native
// names, exonyms) naming a language that a code or English name already gives to another.
func TestTable(t *testing.T) {
	if len(iso6391) != 184 {
		t.Errorf("%d ISO 639-1 languages, want 184", len(iso6391))
	}
	code := regexp.MustCompile(`^[a-z]{3}$`)
	seen := map[string]bool{}
	for _, l := range append(iso6391[:len(iso6391):len(iso6391)], iso6393...) {
		want := l.code1
		if want == "" {
			want = l.codeT
		} else if len(l.code1) != 2 {
			t.Errorf("%+v: 639-1 code is not two letters", l)
		}
		if !code.MatchString(l.codeB) || !code.MatchString(l.codeT) || l.name == "" {
			t.Errorf("%+v: malformed row", l)
		}
		if seen[want] {
			t.Errorf("%s twice", want)
		}
		seen[want] = true
		for _, k := range []string{l.code1, l.codeB, l.codeT, l.name} {
			if got, _ := Normalize(k); k != "" && got != want {
				t.Errorf("Normalize(%q) = %q, want %q", k, got, want)
			}
		}
		if Name(want) != l.name {
			t.Errorf("Name(%q) = %q", want, Name(want))
		}
	}
	for _, m := range []map[string]string{individual, aliases, native, exonyms} {
		for k, c := range m {
			if got, _ := Normalize(k); got != c {
				t.Errorf("%q is %q in a table but normalizes to %q", k, c, got)
			}
			if Name(c) == "" {
				t.Errorf("%q maps to %q, which has no name", k, c)
			}
		}
	}
	if len(native) < 40 {
		t.Errorf("%d native names, want at least 40", len(native))
	}
}

// languageElement finds the language values of DC, LOM, DataCite, MODS and UNTL records.
var languageElement = regexp.MustCompile(`<(?:[\w]+:)?(?:language|languageTerm)(?:\s[^>]*)?>([^<]{1,80})</`)

// TestCorpusValues normalizes every language value written in the corpus's OAI-PMH records:
// nothing may panic and all values but a few known non-languages must map.
func TestCorpusValues(t *testing.T) {
	counts := testenv.CorpusValues(t, languageElement)
	// Values in the corpus that name no language.
	notLanguages := map[string]bool{"none": true, "und": true, "undefined": true, "other": true,
		// Occitan written in Chinese, which Orchard has no names for.
		"普罗旺斯阿尔卑斯山或北奥克 / 奧克語（後 1500)": true, "奧克語（後 1500)": true, "valbonnais 方言 / 奧克語（後 1500)": true}
	mapped, total := 0, 0
	for v, n := range counts {
		total += n
		code, ok := Normalize(v)
		if ok {
			mapped += n
			continue
		}
		if !notLanguages[strings.ToLower(v)] {
			t.Errorf("corpus language %q (%d times) not recognised", v, n)
		}
		_ = code
	}
	t.Logf("%d distinct language values, %d of %d occurrences mapped", len(counts), mapped, total)
}

func BenchmarkNormalize(b *testing.B) {
	in := []string{"en", "eng", "English", "de-DE", "pt_BR", "Deutsch", "français", "ger", "Spanish; Castilian", "xx"}
	for b.Loop() {
		for _, s := range in {
			Normalize(s)
		}
	}
}
