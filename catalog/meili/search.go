package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/meilisearch/meilisearch-go"

	"github.com/orchard-oer/orchard/catalog"
)

// SnippetWords is how many words of a description a snippet shows, as in the embedded index.
const SnippetWords = 30

// Highlight tags Meilisearch wraps matches in: private-use characters that no record holds, so
// the text can be HTML-escaped first and the tags turned into <mark> after (Meilisearch itself
// escapes nothing).
const (
	markOpen  = "\ue000"
	markClose = "\ue001"
)

// markup turns Meilisearch's highlighted text into HTML: escaped, with whole words in <mark>.
// Meilisearch marks a prefix match only in part, and shifts a mark by one character after "<"
// ("<Membranes>" comes back as "[<Membrane]s>"); marking whole words, as the embedded index
// does, evens both out.
func markup(s string) string {
	var (
		text   []rune
		marked []bool
		on     bool
	)
	for _, r := range s {
		switch string(r) {
		case markOpen:
			on = true
		case markClose:
			on = false
		default:
			text = append(text, r)
			marked = append(marked, on && wordRune(r))
		}
	}
	for start := 0; start < len(text); {
		if !wordRune(text[start]) {
			start++
			continue
		}
		end, any := start, false
		for ; end < len(text) && wordRune(text[end]); end++ {
			any = any || marked[end]
		}
		for i := start; i < end; i++ {
			marked[i] = any
		}
		start = end
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && marked[j] == marked[i] {
			j++
		}
		if marked[i] {
			b.WriteString("<mark>")
		}
		b.WriteString(html.EscapeString(string(text[i:j])))
		if marked[i] {
			b.WriteString("</mark>")
		}
		i = j
	}
	return b.String()
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// quote makes s a string literal of Meilisearch's filter syntax.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// filter renders f in Meilisearch's filter syntax: fields joined by AND, values of one field by IN.
func filter(f catalog.Filter) string {
	var and []string
	if !f.WithHidden {
		and = append(and, catalog.FieldHidden+" = false")
	}
	for _, t := range f.FacetTerms() {
		q := make([]string, len(t.Values))
		for i, v := range t.Values {
			q[i] = quote(v)
		}
		and = append(and, catalog.FacetPrefix+t.Facet+" IN ["+strings.Join(q, ", ")+"]")
	}
	for _, c := range []struct {
		field string
		v     *bool
	}{{catalog.FieldCommercial, f.Commercial}, {catalog.FieldDerivatives, f.Derivatives}, {catalog.FieldOpen, f.Open}, {catalog.FieldCommons, f.Commons}} {
		if c.v != nil {
			and = append(and, c.field+" = "+strconv.FormatBool(*c.v))
		}
	}
	if f.YearFrom != 0 {
		and = append(and, fieldYear+" >= "+strconv.Itoa(f.YearFrom))
	}
	if f.YearTo != 0 {
		and = append(and, fieldYear+" <= "+strconv.Itoa(f.YearTo))
	}
	return strings.Join(and, " AND ")
}

// sortOrder ends each order on the id so that pages never overlap.
func sortOrder(s catalog.Sort) ([]string, error) {
	switch s {
	case catalog.SortRelevance:
		return nil, nil
	case catalog.SortNewest:
		return []string{catalog.FieldSortDate + ":desc", fieldDatestamp + ":desc", fieldID + ":asc"}, nil
	case catalog.SortTitle:
		return []string{catalog.FieldSortTitle + ":asc", fieldID + ":asc"}, nil
	}
	return nil, fmt.Errorf("%w: unknown sort %q", catalog.ErrInvalid, s)
}

// Request builds the Meilisearch search a catalog search sends, so that its cost can be
// compared with a direct query.
func Request(req catalog.SearchRequest) (*meilisearch.SearchRequest, error) {
	req.Normalize()
	if err := catalog.CheckQuery(req.Query); err != nil {
		return nil, err
	}
	order, err := sortOrder(req.Sort)
	if err != nil {
		return nil, err
	}
	perPage := int64(req.PerPage)
	sr := &meilisearch.SearchRequest{
		Page:                  int64(req.Page),
		HitsPerPage:           &perPage,
		Sort:                  order,
		AttributesToRetrieve:  recordFields,
		AttributesToHighlight: []string{"title", "description"},
		AttributesToCrop:      []string{"description"},
		CropLength:            SnippetWords,
		CropMarker:            "…",
		HighlightPreTag:       markOpen,
		HighlightPostTag:      markClose,
		// Every word must match, as in the embedded index.
		MatchingStrategy: meilisearch.All,
	}
	if expr := filter(req.Filter); expr != "" {
		sr.Filter = expr
	}
	for _, f := range req.Facets {
		if !slices.Contains(catalog.Facets, f) {
			return nil, fmt.Errorf("%w: unknown facet %q", catalog.ErrInvalid, f)
		}
		sr.Facets = append(sr.Facets, catalog.FacetPrefix+f)
	}
	return sr, nil
}

// Search runs req on Meilisearch.
func (ix *Index) Search(ctx context.Context, req catalog.SearchRequest) (catalog.SearchResult, error) {
	sr, err := Request(req)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	var res *meilisearch.SearchResponse
	err = ix.retry(ctx, "search", func(ctx context.Context) (err error) {
		res, err = ix.reader.SearchWithContext(ctx, req.Query, sr)
		return err
	})
	if err != nil {
		return catalog.SearchResult{}, err
	}
	out := catalog.SearchResult{Total: int(res.TotalHits), Hits: make([]catalog.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		var hit catalog.Hit
		if err := h.DecodeInto(&hit.Record); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("search: decode hit: %w", err)
		}
		var formatted struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		}
		if raw, ok := h["_formatted"]; ok {
			if err := json.Unmarshal(raw, &formatted); err != nil {
				return catalog.SearchResult{}, fmt.Errorf("search: decode highlights of %s: %w", hit.ID, err)
			}
		}
		hit.TitleHTML = markup(formatted.Title)
		hit.Snippet = markup(formatted.Description)
		out.Hits = append(out.Hits, hit)
	}
	if out.Facets, err = decodeFacets(res.FacetDistribution); err != nil {
		return catalog.SearchResult{}, err
	}
	for _, f := range req.Facets {
		if out.Facets[f] == nil {
			out.Facets[f] = map[string]int{}
		}
	}
	return out, nil
}

func decodeFacets(raw json.RawMessage) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	if len(raw) == 0 {
		return out, nil
	}
	var dist map[string]map[string]int
	if err := json.Unmarshal(raw, &dist); err != nil {
		return nil, fmt.Errorf("decode facet counts: %w", err)
	}
	for k, v := range dist {
		out[strings.TrimPrefix(k, catalog.FacetPrefix)] = v
	}
	return out, nil
}

// Get returns one record, hidden or not, or catalog.ErrNotFound. It searches by id so that a
// search-only key suffices.
func (ix *Index) Get(ctx context.Context, id string) (catalog.Record, error) {
	if !catalog.ValidID(id) {
		return catalog.Record{}, fmt.Errorf("get %q: %w", id, catalog.ErrNotFound)
	}
	one := int64(1)
	var res *meilisearch.SearchResponse
	err := ix.retry(ctx, "get "+id, func(ctx context.Context) (err error) {
		res, err = ix.reader.SearchWithContext(ctx, "", &meilisearch.SearchRequest{
			Filter: fieldID + " = " + quote(id), HitsPerPage: &one, Page: 1, AttributesToRetrieve: recordFields,
		})
		return err
	})
	if err != nil {
		return catalog.Record{}, err
	}
	if len(res.Hits) == 0 {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, catalog.ErrNotFound)
	}
	var r catalog.Record
	if err := res.Hits[0].DecodeInto(&r); err != nil {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, err)
	}
	return r, nil
}
