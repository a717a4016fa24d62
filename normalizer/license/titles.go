package license

// translatedTitles holds the official titles of the 4.0 suite, CC0 and the Public Domain Mark in
// German, French and Spanish, as the translated legal code and deeds name them.
var translatedTitles = map[string]map[string]string{
	"CC-BY-4.0": {
		"de": "Namensnennung 4.0 International",
		"fr": "Attribution 4.0 International",
		"es": "Atribución 4.0 Internacional",
	},
	"CC-BY-SA-4.0": {
		"de": "Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 International",
		"fr": "Attribution - Partage dans les Mêmes Conditions 4.0 International",
		"es": "Atribución-CompartirIgual 4.0 Internacional",
	},
	"CC-BY-ND-4.0": {
		"de": "Namensnennung - Keine Bearbeitungen 4.0 International",
		"fr": "Attribution - Pas de Modification 4.0 International",
		"es": "Atribución-SinDerivadas 4.0 Internacional",
	},
	"CC-BY-NC-4.0": {
		"de": "Namensnennung - Nicht kommerziell 4.0 International",
		"fr": "Attribution - Pas d'Utilisation Commerciale 4.0 International",
		"es": "Atribución-NoComercial 4.0 Internacional",
	},
	"CC-BY-NC-SA-4.0": {
		"de": "Namensnennung - Nicht kommerziell - Weitergabe unter gleichen Bedingungen 4.0 International",
		"fr": "Attribution - Pas d'Utilisation Commerciale - Partage dans les Mêmes Conditions 4.0 International",
		"es": "Atribución-NoComercial-CompartirIgual 4.0 Internacional",
	},
	"CC-BY-NC-ND-4.0": {
		"de": "Namensnennung - Nicht kommerziell - Keine Bearbeitungen 4.0 International",
		"fr": "Attribution - Pas d'Utilisation Commerciale - Pas de Modification 4.0 International",
		"es": "Atribución-NoComercial-SinDerivadas 4.0 Internacional",
	},
	idCC0: {
		"de": "CC0 1.0 Universell",
		"fr": "CC0 1.0 Universel",
		"es": "CC0 1.0 Universal",
	},
	idPDM: {
		"de": "Public Domain Mark 1.0 Universell",
		"fr": "Marque du Domaine Public 1.0 Universel",
		"es": "Marca de Dominio Público 1.0 Universal",
	},
}
