// Package catalog benchmarks Orchard's catalog index backends on synthetic but realistic records.
package catalog

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
)

var vocabulary = map[string][]string{
	"en": strings.Fields(`photosynthesis cell biology energy climate history geography algebra geometry
		fractions reading writing grammar poetry novel chemistry physics electricity magnetism motion
		ecology evolution genetics statistics probability economics democracy revolution empire
		painting music rhythm language vocabulary astronomy planet volcano earthquake ocean river forest
		nutrition health programming algorithm network database ethics philosophy citizenship
		experiment laboratory worksheet lesson introduction advanced beginner practice exercises`),
	"de": strings.Fields(`Photosynthese Zelle Biologie Energie Klima Geschichte Erdkunde Algebra Geometrie
		Brüche Lesen Schreiben Grammatik Gedicht Roman Chemie Physik Elektrizität Magnetismus Bewegung
		Ökologie Evolution Genetik Statistik Wahrscheinlichkeit Wirtschaft Demokratie Revolution
		Malerei Musik Rhythmus Sprache Wortschatz Astronomie Planet Vulkan Erdbeben Ozean Fluss Wald
		Ernährung Gesundheit Programmierung Algorithmus Netzwerk Datenbank Ethik Philosophie Übungen
		Arbeitsblatt Unterricht Einführung Grundschule Oberstufe Lösungen Versuch Schüler Lehrkräfte`),
	"fr": strings.Fields(`photosynthèse cellule biologie énergie climat histoire géographie algèbre géométrie
		fractions lecture écriture grammaire poésie roman chimie physique électricité magnétisme mouvement
		écologie évolution génétique statistiques probabilité économie démocratie révolution empire
		peinture musique rythme langue vocabulaire astronomie planète volcan séisme océan rivière forêt
		nutrition santé programmation algorithme réseau données éthique philosophie citoyenneté
		expérience laboratoire fiche leçon introduction avancé débutant exercices élèves enseignants`),
	"es": strings.Fields(`fotosíntesis célula biología energía clima historia geografía álgebra geometría
		fracciones lectura escritura gramática poesía novela química física electricidad magnetismo
		movimiento ecología evolución genética estadística probabilidad economía democracia revolución
		pintura música ritmo lengua vocabulario astronomía planeta volcán terremoto océano río bosque
		nutrición salud programación algoritmo red datos ética filosofía ciudadanía experimento
		laboratorio ficha lección introducción avanzado principiante ejercicios alumnos niños docentes`),
}

var (
	languages = []struct {
		code   string
		weight int
	}{{"en", 50}, {"de", 20}, {"fr", 15}, {"es", 15}}
	licenses = []licenseMix{
		{"CC-BY-4.0", "CC-BY", true, true, true, 30},
		{"CC-BY-SA-4.0", "CC-BY-SA", true, true, true, 20},
		{"CC0-1.0", "CC0", true, true, true, 10},
		{"CC-BY-NC-4.0", "CC-BY-NC", false, true, false, 10},
		{"CC-BY-NC-SA-4.0", "CC-BY-NC-SA", false, true, false, 10},
		{"CC-BY-ND-4.0", "CC-BY-ND", true, false, false, 5},
		{"LicenseRef-All-Rights-Reserved", "LicenseRef-All-Rights-Reserved", false, false, false, 5},
		{"", "", false, false, false, 10},
	}
	types    = []string{"text", "video", "image", "audio", "interactive", "dataset"}
	given    = strings.Fields("Ada Jürgen Hélène Iñigo María Thomas Amélie Lukas Sofía John Léa Björn Carmen Grace Émile Anna")
	family   = strings.Fields("Lovelace Müller Dubois Pérez García Schmidt Martin Schäfer López Smith Bernard Weiß Fernández Hopper Durand Novák")
	subjects = strings.Fields("Biology Chemistry Physics Mathematics History Geography Languages Literature Art Music Computing Economics Ethics Health Astronomy Ecology")
)

// Records returns n deterministic records in English, German, French and Spanish, about 1 KB of
// JSON each: 20 sources, a mix of licenses, types, languages and years, 1% hidden.
func Records(n int) []catalog.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]catalog.Record, n)
	for i := range out {
		lang := pickLang(rng)
		words := vocabulary[lang]
		phrase := func(k int) string {
			w := make([]string, k)
			for j := range w {
				w[j] = words[rng.IntN(len(words))]
			}
			return strings.Join(w, " ")
		}
		lic := pickLicense(rng)
		source := fmt.Sprintf("source-%02d", rng.IntN(20))
		origin := fmt.Sprintf("oai:%s:%d", source, i)
		year := 1995 + rng.IntN(31)
		title := phrase(3 + rng.IntN(6))
		r := catalog.Record{
			ID: catalog.RecordID(source, origin), Source: source, OriginID: origin,
			Datestamp:     fmt.Sprintf("2025-%02d-%02dT10:00:00Z", 1+rng.IntN(12), 1+rng.IntN(28)),
			URL:           "https://" + source + ".example.org/resource/" + fmt.Sprint(i),
			Title:         strings.ToUpper(title[:1]) + title[1:],
			Description:   phrase(30+rng.IntN(50)) + ". " + phrase(10+rng.IntN(20)) + ".",
			Creators:      []string{given[rng.IntN(len(given))] + " " + family[rng.IntN(len(family))]},
			Languages:     []string{lang},
			Subjects:      []string{subjects[rng.IntN(len(subjects))], subjects[rng.IntN(len(subjects))]},
			Keywords:      strings.Fields(phrase(3)),
			ResourceTypes: []string{types[rng.IntN(len(types))]},
			Year:          year,
			Date:          fmt.Sprintf("%d-%02d", year, 1+rng.IntN(12)),
			License: catalog.License{ID: lic.id, Family: lic.family, Commercial: lic.commercial,
				Derivatives: lic.derivs, Open: lic.open},
			Hidden: rng.IntN(100) == 0,
		}
		if lic.id != "" {
			r.License.URL = "https://creativecommons.org/licenses/" + strings.ToLower(lic.family) + "/4.0/"
			r.License.Label = lic.id
			r.License.Evidence = []catalog.Evidence{{From: "dc:rights", Value: r.License.URL, ID: lic.id}}
		}
		r.Attribution = fmt.Sprintf("%s by %s, %s", r.Title, r.Creators[0], r.License.Label)
		out[i] = r
	}
	return out
}

func pickLang(rng *rand.Rand) string {
	n := rng.IntN(100)
	for _, l := range languages {
		if n < l.weight {
			return l.code
		}
		n -= l.weight
	}
	return "en"
}

type licenseMix struct {
	id, family               string
	commercial, derivs, open bool
	weight                   int
}

func pickLicense(rng *rand.Rand) licenseMix {
	n := rng.IntN(100)
	for _, l := range licenses {
		if n < l.weight {
			return l
		}
		n -= l.weight
	}
	return licenses[0]
}

// Queries are searches as learners type them: whole words, prefixes, typos, two-word phrases, in
// all four languages.
var Queries = []string{"photosynthesis", "geschichte", "éducation", "biología", "photo", "electri",
	"algebr", "climat", "evoluton", "Ökologie", "statistics probability", "forest", "Übungen",
	"revolución", "music", "volcan", "programmation", "Schüler", "ecology evolution", "wald"}
