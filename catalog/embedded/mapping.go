package embedded

import (
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
)

// fieldSource holds the record's JSON in the Bleve index of layouts 1–4, the one field an
// upgrade reads.
const fieldSource = "src"

// apostrophes split words (see apostropheFilter).
const apostrophes = "'’ʼ"

// stemLanguages are the record languages whose words are also indexed by stem, with the Bleve
// token filters that make up each one's light stemming. Folding runs first so that stems of
// "éducation" and "education" agree.
var stemLanguages = map[string][]string{
	"en": {en.PossessiveName, lowercase.Name, en.PluralStemmerName},
	"de": {lowercase.Name, de.NormalizeName, de.LightStemmerName},
	"fr": {lowercase.Name, fr.ElisionName, fr.LightStemmerName},
	"es": {lowercase.Name, es.LightStemmerName},
}
