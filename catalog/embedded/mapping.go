package embedded

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/orchard-oer/orchard/catalog"
)

// Field names in the Bleve documents, beside those catalog.Record.IndexFields derives
// (catalog.Field*).
const (
	fieldTitle     = "title" // folded title: exact, prefix and typo matches
	fieldBody      = "body"  // folded description, creators, subjects, keywords, field labels
	fieldSource    = "src"   // the record's JSON, stored only
	fieldYear      = "year"  // numeric, for year ranges
	fieldDatestamp = "datestamp"
	fieldListDate  = "list_date"
	// fieldFacets holds every facet value as "<facet>\x1f<value>": counting facets then reads
	// one doc-value field per match instead of one per facet, which is most of their cost.
	fieldFacets = "facets"
	facetSep    = "\x1f"
	stemPrefix  = "stem_"
)

// apostrophes split words: "l'éducation" is found by "education", as in Meilisearch. The
// Unicode word rules alone keep such words whole.
const (
	apostropheFilter = "orchard_apostrophe"
	apostrophes      = "'’ʼ"
)

// foldedAnalyzer splits on Unicode word boundaries, folds diacritics to ASCII and lower-cases:
// the language-neutral form every record is indexed in.
const foldedAnalyzer = "orchard_folded"

// stemLanguages are the record languages that also get a stemmed field, with the Bleve token
// filters that make up each one's light stemming. Folding runs first so that stems of
// "éducation" and "education" agree.
var stemLanguages = map[string][]string{
	"en": {en.PossessiveName, lowercase.Name, en.PluralStemmerName},
	"de": {lowercase.Name, de.NormalizeName, de.LightStemmerName},
	"fr": {lowercase.Name, fr.ElisionName, fr.LightStemmerName},
	"es": {lowercase.Name, es.LightStemmerName},
}

func stemField(lang string) string { return stemPrefix + lang }

func newMapping(facets []string) (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	if err := im.AddCustomCharFilter(apostropheFilter, map[string]any{
		"type":    regexp.Name,
		"regexp":  "[" + apostrophes + "]",
		"replace": " ",
	}); err != nil {
		return nil, fmt.Errorf("apostrophe filter: %w", err)
	}
	if err := im.AddCustomAnalyzer(foldedAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{apostropheFilter, asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("folded analyzer: %w", err)
	}
	doc := mapping.NewDocumentStaticMapping()
	text := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	boolean := func() *mapping.FieldMapping {
		f := mapping.NewBooleanFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	doc.AddFieldMappingsAt(fieldTitle, text(foldedAnalyzer))
	doc.AddFieldMappingsAt(fieldBody, text(foldedAnalyzer))
	for lang, filters := range stemLanguages {
		name := "orchard_stem_" + lang
		tf := make([]any, len(filters))
		for i, f := range filters {
			tf[i] = f
		}
		if err := im.AddCustomAnalyzer(name, map[string]any{
			"type":          custom.Name,
			"char_filters":  []any{apostropheFilter, asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": tf,
		}); err != nil {
			return nil, fmt.Errorf("%s analyzer: %w", lang, err)
		}
		doc.AddFieldMappingsAt(stemField(lang), text(name))
	}
	stored := mapping.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeInAll = false
	stored.DocValues = false
	doc.AddFieldMappingsAt(fieldSource, stored)
	year := mapping.NewNumericFieldMapping()
	year.Store = false
	year.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldYear, year)
	for _, f := range []string{catalog.FieldHidden, catalog.FieldCommercial, catalog.FieldDerivatives, catalog.FieldOpen, catalog.FieldCommons} {
		doc.AddFieldMappingsAt(f, boolean())
	}
	for _, f := range []string{catalog.FieldSortTitle, catalog.FieldSortDate, fieldDatestamp, fieldListDate} {
		doc.AddFieldMappingsAt(f, keyword())
	}
	for _, f := range facets {
		doc.AddFieldMappingsAt(catalog.FacetPrefix+f, keyword())
	}
	doc.AddFieldMappingsAt(fieldFacets, keyword())
	im.DefaultMapping = doc
	im.DefaultAnalyzer = foldedAnalyzer
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}
