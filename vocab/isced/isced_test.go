package isced

import (
	"slices"
	"strings"
	"testing"
)

// TestShippedVocabulary checks the SKOS file Orchard ships: it parses (so every concept has a
// notation and a preferred label in every language), and its broader links form the three
// levels of ISCED-F, each notation extending its broader one by a digit.
func TestShippedVocabulary(t *testing.T) {
	v, err := Parse(skosFile)
	if err != nil {
		t.Fatal(err)
	}
	perLevel := map[int]int{}
	for _, n := range v.Notations() {
		c, _ := v.Concept(n)
		perLevel[c.Level()]++
		switch c.Level() {
		case 1:
			if c.Broader != "" {
				t.Errorf("broad field %s has broader %s", n, c.Broader)
			}
		case 2, 3:
			b, ok := v.Concept(c.Broader)
			if !ok || b.Level() != c.Level()-1 || !strings.HasPrefix(n, c.Broader) {
				t.Errorf("%s: broader %q is not the field one level up", n, c.Broader)
			}
		default:
			t.Errorf("%s: notation is not of a broad, narrow or detailed field", n)
		}
		if c.Level() < 3 && len(v.Children(n)) == 0 {
			t.Errorf("%s: level %d without narrower fields", n, c.Level())
		}
		if c.URI == "" {
			t.Errorf("%s: no URI", n)
		}
	}
	if got := v.Children(""); len(got) != 11 || got[0] != "00" || got[10] != "10" {
		t.Errorf("broad fields = %v, want 00 to 10", got)
	}
	if perLevel[2] < 29 || perLevel[3] < 80 {
		t.Errorf("levels = %v, want the 29 narrow and 80 detailed fields at least", perLevel)
	}
	if a := ambiguous(v); len(a) > 0 {
		t.Errorf("labels naming unrelated concepts: %v", a)
	}
	if Default().Label("0511", "de") != "Biologie" {
		t.Errorf("Default is not the shipped vocabulary")
	}
}

func TestParseRefuses(t *testing.T) {
	const head = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">`
	labels := `<skos:prefLabel xml:lang="en">A</skos:prefLabel><skos:prefLabel xml:lang="de">A</skos:prefLabel>` +
		`<skos:prefLabel xml:lang="fr">A</skos:prefLabel><skos:prefLabel xml:lang="es">A</skos:prefLabel>`
	concept := func(about, notation, extra string) string {
		return `<skos:Concept rdf:about="` + about + `"><skos:notation>` + notation + `</skos:notation>` + labels + extra + `</skos:Concept>`
	}
	for _, tc := range []struct{ name, body, want string }{
		{"not XML", "<rdf:RDF", "read SKOS"},
		{"no notation", concept("u:1", "", ""), "no notation"},
		{"twice", concept("u:1", "01", "") + concept("u:2", "01", ""), "used twice"},
		{"missing language", `<skos:Concept rdf:about="u:1"><skos:notation>01</skos:notation><skos:prefLabel xml:lang="en">A</skos:prefLabel></skos:Concept>`, "no preferred label in de"},
		{"unknown broader", concept("u:1", "011", `<skos:broader rdf:resource="u:9"/>`), "not in the vocabulary"},
		{"two broader", concept("u:1", "011", `<skos:broader rdf:resource="u:2"/><skos:broader rdf:resource="u:3"/>`), "2 broader"},
		{"cycle", concept("u:1", "01", `<skos:broader rdf:resource="u:2"/>`) + concept("u:2", "02", `<skos:broader rdf:resource="u:1"/>`), "own ancestor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(head + tc.body + "</rdf:RDF>"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	v := Default()
	for _, tc := range []struct{ subject, want string }{
		// a label in each language, any case, with or without diacritics
		{"Biology", "0511"},
		{"Biologie", "0511"},
		{"biología", "0511"},
		{"BIOLOGIA", "0511"},
		{"Computer science", "061"},
		{"Informatik", "061"},
		{"informatique", "061"},
		{"Informática", "061"},
		{"Mathematics", "0541"},
		{"Mathématiques", "0541"},
		{"Matemáticas", "0541"},
		{"Mathe", "0541"},
		{"Geschichte", "0222"},
		{"Histoire", "0222"},
		{"Physique", "0533"},
		{"Física", "0533"},
		{"Naturwissenschaften", "05"},
		{"Sciences naturelles", "05"},
		{"Natural sciences, mathematics and statistics", "05"},
		{"Ciencias naturales, matemáticas y estadística", "05"},
		{"Éducation physique", "1014"},
		{"Straße", ""},
		// a label both of a narrow and of its detailed field: the detailed one
		{"Law", "0421"},
		{"Recht", "0421"},
		// notations
		{"0511", "0511"},
		{"051", "051"},
		{"ISCED 0511", "0511"},
		{"ISCED-F 2013: 053", "053"},
		{"isced:05", "05"},
		{"05", ""},
		{"0599", ""},
		{"urn:orchard:isced-f:0313", "0313"},
		// paths
		{"Naturwissenschaften > Biologie", "0511"},
		{"Science / Chemistry", "0531"},
		// unmapped
		{"photosynthesis", ""},
		{"", ""},
		{"  ", ""},
	} {
		got, ok := v.Match(tc.subject)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", tc.subject, got, ok, tc.want)
		}
	}
}

func TestFields(t *testing.T) {
	v := Default()
	for _, tc := range []struct {
		subjects []string
		want     []string
	}{
		{[]string{"Biologie", "Physics", "photosynthesis"}, []string{"05", "051", "0511", "053", "0533"}},
		{[]string{"ISCED 0511", "biology"}, []string{"05", "051", "0511"}},
		{[]string{"Informatique"}, []string{"06", "061"}},
		{[]string{"Zellen"}, nil},
		{nil, nil},
	} {
		if got := v.Fields(tc.subjects); !slices.Equal(got, tc.want) {
			t.Errorf("Fields(%q) = %v, want %v", tc.subjects, got, tc.want)
		}
	}
}

func TestLabels(t *testing.T) {
	v := Default()
	for _, tc := range []struct{ notation, lang, want string }{
		{"0511", "en", "Biology"},
		{"0511", "es", "Biología"},
		{"061", "fr", "Technologies de l'information et de la communication (TIC)"},
		{"05", "DE", "Naturwissenschaften, Mathematik und Statistik"},
		{"05", "it", "Natural sciences, mathematics and statistics"},
		{"9999", "en", ""},
	} {
		if got := v.Label(tc.notation, tc.lang); got != tc.want {
			t.Errorf("Label(%s, %s) = %q, want %q", tc.notation, tc.lang, got, tc.want)
		}
	}
	all := v.Labels([]string{"051", "0511"})
	for _, want := range []string{"Biological and related sciences", "Biowissenschaften", "Biologie", "Biología", "Biology"} {
		if !slices.Contains(all, want) {
			t.Errorf("Labels lacks %q: %v", want, all)
		}
	}
	if got := v.Path("0511"); !slices.Equal(got, []string{"05", "051", "0511"}) {
		t.Errorf("Path(0511) = %v", got)
	}
}

// ambiguous lists the labels that name two concepts of which neither is below the other: such
// a label maps to whichever came last, which a vocabulary should not leave to chance.
func ambiguous(v *Vocabulary) []string {
	seen := map[string]string{}
	var out []string
	for _, n := range v.order {
		c := v.concepts[n]
		for _, lang := range Languages {
			for _, l := range append([]string{c.Pref[lang]}, c.Alt[lang]...) {
				k := key(l)
				if o, ok := seen[k]; ok && o != n && !slices.Contains(v.Path(n), o) && !slices.Contains(v.Path(o), n) {
					out = append(out, l+" ("+o+", "+n+")")
				}
				seen[k] = n
			}
		}
	}
	return out
}
