package locale

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pluralForms are the CLDR plural forms each language needs for a message that counts.
var pluralForms = map[string][]string{"en": {"one", "other"}, "de": {"one", "other"},
	"fr": {"one", "many", "other"}, "es": {"one", "many", "other"}}

func forms(m *goi18n.Message) map[string]string {
	return map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
}

var placeholderName = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func names(s string) []string {
	var out []string
	for _, m := range placeholderName.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestComplete: every message exists in every language, none is empty, plural messages have
// each form the language needs, and a translation uses the placeholders of the English one.
func TestComplete(t *testing.T) {
	c := load(t)
	en := c.messages["en"]
	if len(en) < 100 {
		t.Fatalf("only %d English messages", len(en))
	}
	for _, code := range Codes {
		msgs := c.messages[code]
		for id := range msgs {
			if en[id] == nil {
				t.Errorf("%s: %q is not in en.toml", code, id)
			}
		}
		for id, e := range en {
			m := msgs[id]
			if m == nil {
				t.Errorf("%s: %q is missing", code, id)
				continue
			}
			want := []string{"other"}
			if e.One != "" {
				want = pluralForms[code]
			}
			f := forms(m)
			for _, form := range want {
				if strings.TrimSpace(f[form]) == "" {
					t.Errorf("%s: %q has no %q form", code, id, form)
				}
				if got, wantNames := names(f[form]), names(e.Other); !slices.Equal(got, wantNames) {
					t.Errorf("%s: %q (%s) uses placeholders %v, English %v", code, id, form, got, wantNames)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		accept  string
		choices []string
		want    string
	}{
		{"de-DE,de;q=0.9,en;q=0.5", nil, "de"},
		{"fr-CA", nil, "fr"},
		{"es-419,es;q=0.9", nil, "es"},
		{"ja, zh;q=0.5", nil, "en"},
		{"", nil, "en"},
		{"de", []string{"fr"}, "fr"},
		{"de", []string{"xx", "es"}, "es"},
		{"de", []string{""}, "de"},
		{"pt-BR, es;q=0.4", nil, "es"},
	} {
		if got := c.Match(tc.accept, tc.choices...); got != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tc.accept, tc.choices, got, tc.want)
		}
	}
}

func TestLocalizer(t *testing.T) {
	c := load(t)
	de, fr, es := c.For("de"), c.For("fr"), c.For("es")
	for _, tc := range []struct{ got, want string }{
		{de.T("search.total", 1), "1 Ressource"},
		{de.T("search.total", 12345), "12.345 Ressourcen"},
		{fr.T("search.total", 0), "0 ressource"},
		{fr.T("search.total", 2), "2 ressources"},
		{es.T("search.total", 1000000), "1.000.000 de recursos"},
		{de.T("layout.logout.named", "Name", "Ada"), "Abmelden (Ada)"},
		{de.Deed("https://creativecommons.org/licenses/by/4.0/"), "https://creativecommons.org/licenses/by/4.0/deed.de"},
		{fr.Deed("https://creativecommons.org/publicdomain/zero/1.0/"), "https://creativecommons.org/publicdomain/zero/1.0/deed.fr"},
		{fr.Deed("https://opensource.org/licenses/MIT"), "https://opensource.org/licenses/MIT"},
		{de.When(time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)), "04.03.2026, 05:06 UTC"},
		{c.For("xx").T("layout.nav.search"), "Search"},
		{fr.LanguageName("de"), "allemand"},
		{de.Date("2024-05-01T10:00:00Z"), "01.05.2024, 10:00 UTC"},
		{es.Date("2021-03-04"), "04/03/2021"},
		{fr.Date("2019"), "2019"},
		{es.TOr("type.nothing", "fallback"), "fallback"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestByTextUnique: a sentence found by its English text names one message.
func TestByTextUnique(t *testing.T) {
	c := load(t)
	seen := map[string]string{}
	for id, m := range c.messages["en"] {
		if !byText(id) {
			continue
		}
		if other, ok := seen[m.Other]; ok {
			t.Errorf("%q and %q have the same English text %q", id, other, m.Other)
		}
		seen[m.Other] = id
	}
}

// TestKnown: sentences Go code writes in English are found by their text, placeholders, lists
// and sentences set inside others included.
func TestKnown(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ code, english, want string }{
		{"de", "Copy and share the work in any medium or format.", "Das Werk in jedem Medium und Format vervielfältigen und weiterverbreiten."},
		{"de", "This version is adapted to the law of Germany.", "Diese Version ist an das Recht von Deutschland angepasst."},
		{"fr", "CC-BY-ND-4.0 does not allow adaptations to be shared.", "CC-BY-ND-4.0 ne permet pas de partager des adaptations."},
		{"es", "a sentence nobody wrote", "a sentence nobody wrote"},
		{"es", "CC-BY-SA-4.0 and CC-BY-NC-SA-4.0 require the adaptation to be shared alike, so only the listed licenses fit.", "CC-BY-SA-4.0 y CC-BY-NC-SA-4.0 exigen compartir la obra derivada igual, así que solo sirven las licencias indicadas."},
		{"de", "Not quite. CC BY-NC 4.0 forbids uses mainly for commercial advantage.", "Nicht ganz. CC BY-NC 4.0 verbietet Nutzungen, die vorwiegend kommerziellen Vorteilen dienen."},
		{"fr", "You may: copy and share the work in any medium or format.", "Vous pouvez : Copier et partager l'œuvre sur tout support et dans tout format."},
		{"es", "CC BY 4.0 (Attribution 4.0 International): An open license: you may reuse, adapt and share the work, even commercially, under its conditions.", "CC BY 4.0 (Reconocimiento 4.0 International): Una licencia abierta: puede reutilizar, adaptar y compartir la obra, incluso comercialmente, según sus condiciones."},
		{"de", "“Zelle”: all rights are reserved, so it may not be shared without permission", "“Zelle”: alle Rechte sind vorbehalten, daher darf es ohne Erlaubnis nicht weitergegeben werden"},
		{"de", "Not quite: the author is missing: credit Ada Lovelace; and 2 more below.", "Nicht ganz: die Urheber fehlen: nennen Sie Ada Lovelace; und 2 weitere unten."},
		{"de", "Detected: http://h/robots.txt is a robots.txt: type web, mode sitemap, URL http://h/s.xml (it lists 2 sitemaps; the first is used).",
			"Erkannt: http://h/robots.txt ist eine robots.txt: Typ web, Modus sitemap, URL http://h/s.xml (sie nennt 2 Sitemaps; die erste wird verwendet)."},
		{"de", "OAI-PMH endpoint of the repository answers Identify. Problems: unreadable record r1: no title No answer in time: ListRecords.",
			"Der OAI-PMH-Endpunkt von dem Repository beantwortet Identify. Probleme: unlesbarer Datensatz r1: no title Keine Antwort in der Zeit: ListRecords."},
		{"de", "Harvestable: robots.txt allows it and the sitemaps list 12 pages.", "Abrufbar: Die robots.txt erlaubt es, und die Sitemaps nennen 12 Seiten."},
		{"de", "Harvestable: robots.txt allows it and the sitemaps list 1 pages.", "Abrufbar: Die robots.txt erlaubt es, und die Sitemaps nennen 1 Seite."},
		{"fr", "Harvestable: robots.txt allows it and the sitemaps list 2 pages.", "Moissonnable : robots.txt l'autorise et les plans de site indiquent 2 pages."},
		{"de", "Find a resource in the catalog that is a video or audio, in German or fr, under CC BY-SA, that you may adapt and use commercially. Give its id or the address of its page.",
			"Finden Sie im Katalog eine Ressource: vom Typ Video oder Audio, auf Deutsch oder Französisch, unter CC BY-SA, die Sie bearbeiten und kommerziell nutzen dürfen. Geben Sie ihre ID oder die Adresse ihrer Seite an."},
		{"fr", "Find a resource in the catalog that is a video, in German. Give its id or the address of its page.",
			"Trouvez dans le catalogue une ressource : de type vidéo, en allemand. Donnez son identifiant ou l'adresse de sa page."},
		{"de", "✗ not in German (it is in English or Spanish)", "✗ nicht auf Deutsch (sondern auf Englisch oder Spanisch)"},
		{"de", "✓ a video", "✓ vom Typ Video"},
		{"de", "Not quite: “Zelle” is a librarian took it out of the catalog; not under CC BY (it is under CC BY-NC 4.0).",
			"Nicht ganz: „Zelle“ passt nicht: eine Bibliothekarin oder ein Bibliothekar hat es aus dem Katalog genommen; nicht unter CC BY (sondern unter CC BY-NC 4.0)."},
		{"de", "wrong license version: CC BY 3.0 instead of CC BY 4.0; the work is under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
			"falsche Lizenzversion: CC BY 3.0 statt CC BY 4.0; das Werk steht unter CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"},
		{"de", "must be among license, type, lang", "muss einer dieser Werte sein: license, type, lang"},
		{"de", "This version is adapted to the law of Czech Republic.", "Diese Version ist an das Recht von Tschechien angepasst."},
		{"fr", "This version is adapted to the law of Korea.", "Cette version est adaptée au droit de ce pays : Corée du Sud."},
		{"es", "This version is adapted to the law of Macedonia.", "Esta versión está adaptada a la legislación de Macedonia."},
		{"de", "This version is adapted to the law of IGO.", "Diese Version ist an das Recht von zwischenstaatlichen Organisationen (IGO) angepasst."},
		{"de", "Title: missing (the title is missing: name the work, \"Zelle\")", "Titel: fehlt (der Titel fehlt: nennen Sie das Werk, „Zelle“)"},
		{"de", "License: correct", "Lizenz: korrekt"},
		{"de", "questions[2].records: a find question names no record: the learner finds one", "questions[2].records: eine Suchaufgabe nennt keinen Datensatz: die Lernenden finden einen"},
		{"de", "questions[1].kind: must be one of license, may, attribution, combine, find", "questions[1].kind: muss license, may, attribution, combine oder find sein"},
		{"de", "dc:rights: not recognised as a license statement", "dc:rights: nicht als Lizenzangabe erkannt"},
		{"fr", "the text says CC-BY-4.0 but the URL says CC-BY-SA-4.0; the URL wins", "le texte indique CC-BY-4.0 mais l'URL indique CC-BY-SA-4.0 ; l'URL l'emporte"},
		{"es", "CC BY-NC 2.0 has no port XX", "CC BY-NC 2.0 no tiene la adaptación XX"},
		{"en", "Find a resource in the catalog that is a video, in German. Give its id or the address of its page.", "Find a resource in the catalog that is a video, in German. Give its id or the address of its page."},
	} {
		if got := c.For(tc.code).Known(tc.english); got != tc.want {
			t.Errorf("%s: %q\ngot  %q\nwant %q", tc.code, tc.english, got, tc.want)
		}
	}
}
