package meili

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/orchard-oer/orchard/catalog"
)

// batchSize is how many documents one request carries. All batches are sent before any task is
// waited for: Meilisearch merges queued tasks, and waiting between them costs about a quarter
// of the rate.
const batchSize = 5000

// recordFields are the attributes that make up a catalog.Record, retrieved without the derived
// fields.
var recordFields = func() []string {
	t := reflect.TypeFor[catalog.Record]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}()

// Document is the JSON Orchard sends Meilisearch for a record: the record's own fields plus the
// ones filters, facets and sorting use.
func Document(r *catalog.Record) (json.RawMessage, error) {
	rec, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	extra := r.IndexFields()
	if d := r.ListDate(); d != "" {
		extra[fieldListDate] = d
		extra[fieldListID] = hex.EncodeToString([]byte(r.ID))
	}
	ex, err := json.Marshal(extra)
	if err != nil {
		return nil, err
	}
	// {record…} + {extra…} → {record…,extra…}
	doc := make([]byte, 0, len(rec)+len(ex))
	doc = append(doc, rec[:len(rec)-1]...)
	doc = append(doc, ',')
	return append(doc, ex[1:]...), nil
}

// Upsert sends recs in batches and waits until Meilisearch has indexed them all; a record marked
// deleted is removed.
func (ix *Index) Upsert(ctx context.Context, recs []catalog.Record) error {
	p, err := ix.UpsertAsync(ctx, recs)
	if err != nil {
		return err
	}
	return p.Wait(ctx)
}

// UpsertAsync sends recs in batches and returns once Meilisearch has queued them; the Pending
// waits for their tasks. One invalid record fails the call before anything is sent: Meilisearch
// would fail the whole task for one bad id. Each batch is encoded just before it is sent, so
// encoding overlaps with Meilisearch indexing the batches before it.
func (ix *Index) UpsertAsync(ctx context.Context, recs []catalog.Record) (catalog.Pending, error) {
	var deleted []string
	for i := range recs {
		if err := recs[i].Validate(); err != nil {
			return nil, fmt.Errorf("upsert: %w", err)
		}
		if recs[i].Deleted {
			deleted = append(deleted, recs[i].ID)
		}
	}
	var (
		tasks []int64
		body  []byte
	)
	for start := 0; start < len(recs); {
		body = append(body[:0], '[')
		n := 0
		for ; start < len(recs) && n < batchSize; start++ {
			r := &recs[start]
			if r.Deleted {
				continue
			}
			d, err := Document(r)
			if err != nil {
				return nil, fmt.Errorf("upsert %s: %w", r.ID, err)
			}
			if n > 0 {
				body = append(body, ',')
			}
			body = append(body, d...)
			n++
		}
		if n == 0 {
			break
		}
		body = append(body, ']')
		var info *meilisearch.TaskInfo
		err := ix.retry(ctx, "add documents", func(ctx context.Context) (err error) {
			info, err = ix.writer.AddDocumentsWithContext(ctx, body, nil)
			return err
		})
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, info.TaskUID)
	}
	del, err := ix.sendDelete(ctx, deleted)
	if err != nil {
		return nil, err
	}
	return pending{ix: ix, what: "upsert", tasks: append(tasks, del...)}, nil
}

// pending is the tasks of one write; Meilisearch runs the tasks of an index in order.
type pending struct {
	ix    *Index
	what  string
	tasks []int64
}

// Wait waits for every task of the write.
func (p pending) Wait(ctx context.Context) error {
	for _, uid := range p.tasks {
		if err := p.ix.wait(ctx, p.what, uid); err != nil {
			return err
		}
	}
	return nil
}

// sendDelete queues the deletion of ids in batches. Ids no backend accepts cannot be in the
// index and are skipped rather than failing the task.
func (ix *Index) sendDelete(ctx context.Context, ids []string) ([]int64, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if catalog.ValidID(id) {
			valid = append(valid, id)
		}
	}
	var tasks []int64
	for start := 0; start < len(valid); start += batchSize {
		batch := valid[start:min(start+batchSize, len(valid))]
		var info *meilisearch.TaskInfo
		err := ix.retry(ctx, "delete documents", func(ctx context.Context) (err error) {
			info, err = ix.writer.DeleteDocumentsWithContext(ctx, batch, nil)
			return err
		})
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, info.TaskUID)
	}
	return tasks, nil
}

// Delete removes records by id and waits until they are gone.
func (ix *Index) Delete(ctx context.Context, ids []string) error {
	p, err := ix.DeleteAsync(ctx, ids)
	if err != nil {
		return err
	}
	return p.Wait(ctx)
}

// DeleteAsync queues the removal of ids; the Pending waits until they are gone.
func (ix *Index) DeleteAsync(ctx context.Context, ids []string) (catalog.Pending, error) {
	tasks, err := ix.sendDelete(ctx, ids)
	if err != nil {
		return nil, err
	}
	return pending{ix: ix, what: "delete", tasks: tasks}, nil
}

// DeleteSource removes every record of source.
func (ix *Index) DeleteSource(ctx context.Context, source string) error {
	var info *meilisearch.TaskInfo
	err := ix.retry(ctx, "delete source "+source, func(ctx context.Context) (err error) {
		info, err = ix.writer.DeleteDocumentsByFilterWithContext(ctx, catalog.FacetPrefix+catalog.FacetSource+" = "+quote(source), nil)
		return err
	})
	if err != nil {
		return err
	}
	return ix.wait(ctx, "delete source "+source, info.TaskUID)
}

// eachPage is how many documents Each fetches per request.
const eachPage = 1000

// Each calls fn for every record matching f, in id order.
func (ix *Index) Each(ctx context.Context, f catalog.Filter, fn func(catalog.Record) error) error {
	q := &meilisearch.DocumentsQuery{Limit: eachPage, Fields: recordFields, Sort: []string{fieldID + ":asc"}}
	if expr := filter(f); expr != "" {
		q.Filter = expr
	}
	// Meilisearch 1.21 answers a sorted fetch at an offset with the document before it too (the
	// last of the page before): what the previous page held is skipped, so every record comes
	// once.
	var prev, cur map[string]bool
	for {
		var res meilisearch.DocumentsResult
		err := ix.retry(ctx, "fetch documents", func(ctx context.Context) error {
			return ix.writer.GetDocumentsWithContext(ctx, q, &res)
		})
		if err != nil {
			return err
		}
		cur = make(map[string]bool, len(res.Results))
		for _, h := range res.Results {
			var r catalog.Record
			if err := h.DecodeInto(&r); err != nil {
				return fmt.Errorf("each: decode document: %w", err)
			}
			if prev[r.ID] {
				continue
			}
			cur[r.ID] = true
			if err := fn(r); err != nil {
				return err
			}
		}
		prev = cur
		if len(res.Results) < eachPage {
			return nil
		}
		q.Offset += eachPage
	}
}

// Stats counts all documents, hidden ones included, and the records of each source (the top
// maxValuesPerFacet sources).
func (ix *Index) Stats(ctx context.Context) (catalog.Stats, error) {
	var st *meilisearch.StatsIndex
	err := ix.retry(ctx, "index stats", func(ctx context.Context) (err error) {
		st, err = ix.writer.GetStatsWithContext(ctx, nil)
		return err
	})
	if err != nil {
		return catalog.Stats{}, err
	}
	zero := int64(0)
	var res *meilisearch.SearchResponse
	err = ix.retry(ctx, "count sources", func(ctx context.Context) (err error) {
		res, err = ix.reader.SearchWithContext(ctx, "", &meilisearch.SearchRequest{
			HitsPerPage: &zero, Page: 1, Facets: []string{catalog.FacetPrefix + catalog.FacetSource},
		})
		return err
	})
	if err != nil {
		return catalog.Stats{}, err
	}
	facets, err := decodeFacets(res.FacetDistribution)
	if err != nil {
		return catalog.Stats{}, err
	}
	by := facets[catalog.FacetSource]
	if by == nil {
		by = map[string]int{}
	}
	return catalog.Stats{Records: int(st.NumberOfDocuments), BySource: by}, nil
}
