package embedded

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"golang.org/x/text/unicode/norm"

	"github.com/orchard-oer/orchard/catalog"
)

// The Bleve index of layouts 1–4, as Orchard wrote it, so that tests can give Open one to
// upgrade.

// Field names in the Bleve documents, beside those catalog.Record.IndexFields derives.
const (
	fieldTitle            = "title"
	fieldBody             = "body"
	fieldYear             = "year"
	fieldDatestamp        = "datestamp"
	fieldListDate         = "list_date"
	fieldFacets           = "facets"
	facetSep              = "\x1f"
	stemPrefix            = "stem_"
	bleveApostropheFilter = "orchard_apostrophe"
	foldedAnalyzer        = "orchard_folded"
)

func stemField(lang string) string { return stemPrefix + lang }

// createBleve makes an empty Bleve index at path as the last Bleve layout had it.
func createBleve(path string) (bleve.Index, error) {
	im, err := newMapping(catalog.Facets)
	if err != nil {
		return nil, err
	}
	b, err := bleve.New(path, im)
	if err != nil {
		return nil, err
	}
	if err := b.SetInternal(layoutKey, []byte(strconv.Itoa(bleveLayouts))); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("record layout version: %w", err)
	}
	return b, nil
}

// document is the Bleve form of a record: folded and stemmed text for matching, keyword fields
// for filters, facets and sorting, and the record's JSON to give it back.
func document(r *catalog.Record) (map[string]any, error) {
	src, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	body := make([]string, 0, 1+len(r.Creators)+len(r.Subjects)+len(r.Keywords))
	body = append(body, norm.NFC.String(r.Description))
	for _, list := range [][]string{r.Creators, r.Subjects, r.Keywords} {
		for _, s := range list {
			body = append(body, norm.NFC.String(s))
		}
	}
	title := norm.NFC.String(r.Title)
	doc := r.IndexFields()
	doc[fieldTitle] = title
	doc[fieldBody] = body
	doc[fieldSource] = string(src)
	if r.Datestamp != "" {
		doc[fieldDatestamp] = r.Datestamp
	}
	if d := r.ListDate(); d != "" {
		doc[fieldListDate] = d
	}
	if r.Year != 0 {
		doc[fieldYear] = float64(r.Year)
	}
	var all []string
	for _, f := range catalog.Facets {
		v, _ := doc[catalog.FacetPrefix+f].([]string)
		for _, x := range v {
			all = append(all, f+facetSep+x)
		}
	}
	if len(all) > 0 {
		doc[fieldFacets] = all
	}
	stemmed := append([]string{title}, body...)
	for _, lang := range stemLangs(r.Languages) {
		doc[stemField(lang)] = stemmed
	}
	return doc, nil
}

func newMapping(facets []string) (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	if err := im.AddCustomCharFilter(bleveApostropheFilter, map[string]any{
		"type":    regexp.Name,
		"regexp":  "[" + apostrophes + "]",
		"replace": " ",
	}); err != nil {
		return nil, fmt.Errorf("apostrophe filter: %w", err)
	}
	if err := im.AddCustomAnalyzer(foldedAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{bleveApostropheFilter, asciifolding.Name},
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
			"char_filters":  []any{bleveApostropheFilter, asciifolding.Name},
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
