package embedded

import (
	"context"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/orchard-oer/orchard/catalog"
)

// List reads a page of a harvest list: the records f lets through with a list date between From
// and Until, in (list date, id) order after req.After. Records without a list date are left out.
func (ix *Index) List(ctx context.Context, req catalog.ListRequest) (catalog.ListPage, error) {
	if err := ctx.Err(); err != nil {
		return catalog.ListPage{}, fmt.Errorf("list: %w", err)
	}
	if err := ix.readLock(); err != nil {
		return catalog.ListPage{}, fmt.Errorf("list: %w", err)
	}
	defer ix.mu.RUnlock()
	m := ix.mem
	in := m.filter(req.Filter)
	var page catalog.ListPage
	rest := roaring.New() // in range and after req.After
	in.Iterate(func(n uint32) bool {
		d := &m.docs[n]
		if d.listDate == "" || d.listDate < req.From || (req.Until != "" && d.listDate > req.Until) {
			return true
		}
		page.Total++
		if req.After == nil || req.After.Less(catalog.ListKey{Datestamp: d.listDate, ID: d.id}) {
			rest.Add(n)
		}
		return true
	})
	for _, n := range top(rest, req.PageSize(), func(a, b uint32) bool {
		da, db := &m.docs[a], &m.docs[b]
		return catalog.ListKey{Datestamp: da.listDate, ID: da.id}.Less(catalog.ListKey{Datestamp: db.listDate, ID: db.id})
	}) {
		r, err := ix.record(m.docs[n])
		if err != nil {
			return catalog.ListPage{}, fmt.Errorf("list: %w", err)
		}
		page.Records = append(page.Records, r)
	}
	if page.Records == nil {
		page.Records = []catalog.Record{}
	}
	return page, nil
}
