package meili

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/orchard-oer/orchard/catalog"
)

// List reads a page of a harvest list: the position goes into the filter, so that pages are
// keyset pages, not offsets. The whole list is counted by a second, hit-less search when the
// page does not start the list.
//
// Meilisearch compares a filter's string with the lower-cased string it indexed, so every
// compared value is lower case: list dates lower-cased (ISO 8601 dates keep their order, their
// only letters being T and Z) and ids hex-encoded in list_id, which keeps their byte order
// where lower-casing would not ("B" < "a" but "b" > "a").
func (ix *Index) List(ctx context.Context, req catalog.ListRequest) (catalog.ListPage, error) {
	base := []string{fieldListDate + " EXISTS"}
	if req.From != "" {
		base = append(base, fieldListDate+" >= "+quote(strings.ToLower(req.From)))
	}
	if req.Until != "" {
		base = append(base, fieldListDate+" <= "+quote(strings.ToLower(req.Until)))
	}
	if f := filter(req.Filter); f != "" {
		base = append(base, f)
	}
	and := base
	if k := req.After; k != nil {
		d, id := quote(strings.ToLower(k.Datestamp)), quote(hex.EncodeToString([]byte(k.ID)))
		and = append(and[:len(and):len(and)], "("+fieldListDate+" > "+d+" OR ("+
			fieldListDate+" = "+d+" AND "+fieldListID+" > "+id+"))")
	}
	size := int64(req.PageSize())
	res, err := ix.listSearch(ctx, strings.Join(and, " AND "), size)
	if err != nil {
		return catalog.ListPage{}, err
	}
	page := catalog.ListPage{Total: int(res.TotalHits), Records: make([]catalog.Record, 0, len(res.Hits))}
	for _, h := range res.Hits {
		var r catalog.Record
		if err := h.DecodeInto(&r); err != nil {
			return catalog.ListPage{}, fmt.Errorf("list: decode hit: %w", err)
		}
		page.Records = append(page.Records, r)
	}
	if req.After != nil {
		all, err := ix.listSearch(ctx, strings.Join(base, " AND "), 0)
		if err != nil {
			return catalog.ListPage{}, err
		}
		page.Total = int(all.TotalHits)
	}
	return page, nil
}

func (ix *Index) listSearch(ctx context.Context, expr string, size int64) (*meilisearch.SearchResponse, error) {
	var res *meilisearch.SearchResponse
	err := ix.retry(ctx, "list", func(ctx context.Context) (err error) {
		res, err = ix.reader.SearchWithContext(ctx, "", &meilisearch.SearchRequest{
			Filter: expr, HitsPerPage: &size, Page: 1, AttributesToRetrieve: recordFields,
			Sort: []string{fieldListDate + ":asc", fieldListID + ":asc"},
		})
		return err
	})
	return res, err
}
