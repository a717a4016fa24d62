package embedded

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/orchard-oer/orchard/catalog"
)

// List reads a page of a harvest list with search-after on (list date, id). The range query
// on the list date also leaves out records without one.
func (ix *Index) List(ctx context.Context, req catalog.ListRequest) (catalog.ListPage, error) {
	from := req.From
	if from == "" {
		from = "0" // below every ISO 8601 date
	}
	incl := true
	rq := query.NewTermRangeInclusiveQuery(from, req.Until, &incl, &incl)
	rq.SetField(fieldListDate)
	q := withFilter(rq, req.Filter)
	sr := bleve.NewSearchRequestOptions(q, req.PageSize(), 0, false)
	sr.Fields = []string{fieldSource}
	sr.SortBy([]string{fieldListDate, "_id"})
	if req.After != nil {
		sr.SetSearchAfter([]string{req.After.Datestamp, req.After.ID})
	}
	res, err := ix.bleve.SearchInContext(ctx, sr)
	if err != nil {
		return catalog.ListPage{}, fmt.Errorf("list: %w", err)
	}
	page := catalog.ListPage{Total: int(res.Total), Records: make([]catalog.Record, 0, len(res.Hits))}
	for _, h := range res.Hits {
		r, err := decode(h)
		if err != nil {
			return catalog.ListPage{}, fmt.Errorf("list: %w", err)
		}
		page.Records = append(page.Records, r)
	}
	return page, nil
}
