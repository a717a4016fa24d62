// Package embedded is Orchard's default catalog index: Bleve (scorch segments) in a directory on
// local disk, so that one process on a laptop needs no search server.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/text/unicode/norm"

	"github.com/orchard-oer/orchard/catalog"
)

// Config says where the index lives.
type Config struct {
	// Dir holds the index and the lock file of Open; it is created when missing and reopened
	// when present.
	Dir string
}

// Index is a catalog.Index on Bleve. It is safe for concurrent use.
type Index struct {
	bleve  bleve.Index
	log    *slog.Logger
	folded analysis.Analyzer
	stems  map[string]analysis.Analyzer
}

var _ catalog.Index = (*Index)(nil)

// ErrBusy says another process (usually a running `orchard serve`) has the index open.
var ErrBusy = errors.New("in use by another process, such as a running orchard serve")

// lockWait is how long Open waits for another process to let go of the index.
const lockWait = 2 * time.Second

// indexDir is the Bleve index inside Config.Dir, leaving room beside it for other files.
const indexDir = "catalog.bleve"

// Open opens the index in cfg.Dir, creating it when missing. An index of an earlier layout is
// rebuilt from the records it stores first; one of a later layout is refused.
func Open(cfg Config, log *slog.Logger) (*Index, error) {
	if cfg.Dir == "" {
		return nil, errors.New("open embedded index: no directory configured")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(cfg.Dir, indexDir)
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	unlock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	defer unlock()
	if err := settle(path, log); err != nil {
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	b, err := openCurrent(path, log)
	if err != nil {
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	ix := &Index{bleve: b, log: log, stems: map[string]analysis.Analyzer{}}
	im := b.Mapping()
	ix.folded = im.AnalyzerNamed(foldedAnalyzer)
	for lang := range stemLanguages {
		ix.stems[lang] = im.AnalyzerNamed("orchard_stem_" + lang)
	}
	if ix.folded == nil || len(ix.stems) != len(stemLanguages) || hasNil(ix.stems) {
		_ = b.Close()
		return nil, fmt.Errorf("open embedded index %s: analyzers missing from its mapping", path)
	}
	return ix, nil
}

// openCurrent opens or creates the index at path in the current layout, rebuilding it when its
// layout is older.
func openCurrent(path string, log *slog.Logger) (bleve.Index, error) {
	if !exists(filepath.Join(path, "index_meta.json")) {
		return create(path)
	}
	b, err := openExisting(path)
	if err != nil {
		return nil, err
	}
	v, err := layoutOf(b)
	if err == nil && v > layoutVersion {
		err = fmt.Errorf("layout %d, this Orchard reads up to %d: %w", v, layoutVersion, errNewerLayout)
	}
	if err != nil {
		_ = b.Close()
		return nil, err
	}
	if v == layoutVersion {
		return b, nil
	}
	if err := rebuild(b, path, v, log); err != nil {
		return nil, fmt.Errorf("rebuild from layout %d: %w", v, err)
	}
	return openExisting(path)
}

// openExisting opens the index at path, waiting briefly for a running server that holds it
// instead of forever.
func openExisting(path string) (bleve.Index, error) {
	b, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": lockWait.String()})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrBusy
	}
	return b, err
}

func hasNil(m map[string]analysis.Analyzer) bool {
	for _, a := range m {
		if a == nil {
			return true
		}
	}
	return false
}

// Close releases the index files.
func (ix *Index) Close() error {
	if err := ix.bleve.Close(); err != nil {
		return fmt.Errorf("close embedded index: %w", err)
	}
	return nil
}

// Upsert indexes recs in one batch; a record with an id already present replaces it, and a
// record marked deleted is removed. One invalid record fails the batch before anything is written.
func (ix *Index) Upsert(ctx context.Context, recs []catalog.Record) error {
	if len(recs) == 0 {
		return nil
	}
	for i := range recs {
		if err := recs[i].Validate(); err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
	}
	batch := ix.bleve.NewBatch()
	for i := range recs {
		if recs[i].Deleted {
			batch.Delete(recs[i].ID)
			continue
		}
		doc, err := document(&recs[i])
		if err != nil {
			return fmt.Errorf("upsert %s: %w", recs[i].ID, err)
		}
		if err := batch.Index(recs[i].ID, doc); err != nil {
			return fmt.Errorf("upsert %s: %w", recs[i].ID, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("upsert %d records: %w", len(recs), err)
	}
	return nil
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
	// The fields' labels join the body: a field's name finds what is filed under it.
	if labels, ok := doc[catalog.FieldFieldLabels].([]string); ok {
		body = append(body, labels...)
		delete(doc, catalog.FieldFieldLabels)
	}
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

// stemLangs maps record languages ("de", "de-AT", "EN") to the stemmed fields they fill.
func stemLangs(langs []string) []string {
	var out []string
	for _, l := range langs {
		l = strings.ToLower(l)
		if i := strings.IndexAny(l, "-_"); i > 0 {
			l = l[:i]
		}
		if _, ok := stemLanguages[l]; ok && !contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Delete removes records by id.
func (ix *Index) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	batch := ix.bleve.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("delete %d records: %w", len(ids), err)
	}
	return nil
}

// deletePage bounds the ids collected per round of DeleteSource.
const deletePage = 5000

// DeleteSource removes every record of source, hidden ones included.
func (ix *Index) DeleteSource(ctx context.Context, source string) error {
	q := keywordQuery(catalog.FacetPrefix+catalog.FacetSource, source)
	for {
		req := bleve.NewSearchRequestOptions(q, deletePage, 0, false)
		req.SortBy([]string{"_id"})
		res, err := ix.bleve.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("delete source %s: %w", source, err)
		}
		if len(res.Hits) == 0 {
			return nil
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		if err := ix.Delete(ctx, ids); err != nil {
			return fmt.Errorf("delete source %s: %w", source, err)
		}
	}
}

// Get returns the record with id, or catalog.ErrNotFound.
func (ix *Index) Get(ctx context.Context, id string) (catalog.Record, error) {
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fieldSource}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, err)
	}
	if len(res.Hits) == 0 {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, catalog.ErrNotFound)
	}
	return decode(res.Hits[0])
}

func decode(h *search.DocumentMatch) (catalog.Record, error) {
	var r catalog.Record
	src, ok := h.Fields[fieldSource].(string)
	if !ok {
		return r, fmt.Errorf("record %s: stored JSON missing", h.ID)
	}
	if err := json.Unmarshal([]byte(src), &r); err != nil {
		return r, fmt.Errorf("record %s: %w", h.ID, err)
	}
	return r, nil
}

// eachPage is how many records Each reads per round.
const eachPage = 500

// Each calls fn for every record matching f in id order.
func (ix *Index) Each(ctx context.Context, f catalog.Filter, fn func(catalog.Record) error) error {
	return pages(ctx, ix.bleve, withFilter(query.NewMatchAllQuery(), f), func(hits search.DocumentMatchCollection) error {
		for _, h := range hits {
			r, err := decode(h)
			if err != nil {
				return fmt.Errorf("each: %w", err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// pages calls fn with the documents of b matching q in id order, eachPage at a time with their
// stored JSON. Pages are read with search-after on the id, so records added or removed
// meanwhile never shift a page.
func pages(ctx context.Context, b bleve.Index, q query.Query, fn func(search.DocumentMatchCollection) error) error {
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(q, eachPage, 0, false)
		req.Fields = []string{fieldSource}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := b.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
		if len(res.Hits) > 0 {
			if err := fn(res.Hits); err != nil {
				return err
			}
		}
		if len(res.Hits) < eachPage {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}

// maxSources bounds the per-source counts Stats reports.
const maxSources = 10000

// Stats counts all records, hidden ones included, and the records of each source.
func (ix *Index) Stats(ctx context.Context) (catalog.Stats, error) {
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet(catalog.FacetSource, bleve.NewFacetRequest(catalog.FacetPrefix+catalog.FacetSource, maxSources))
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return catalog.Stats{}, fmt.Errorf("stats: %w", err)
	}
	st := catalog.Stats{Records: int(res.Total), BySource: map[string]int{}}
	if fr := res.Facets[catalog.FacetSource]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			st.BySource[t.Term] = t.Count
		}
	}
	return st, nil
}
