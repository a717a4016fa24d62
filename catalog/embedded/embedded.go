// Package embedded is Orchard's default catalog index: an in-memory inverted index of roaring
// bitmaps over an append-only log of the records on local disk, so that one process on a laptop
// needs no search server.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/orchard-oer/orchard/catalog"
)

// Config says where the index lives.
type Config struct {
	// Dir holds the index and the lock file of Open; it is created when missing and reopened
	// when present.
	Dir string
}

// Index is a catalog.Index held in memory and kept in a log file. It is safe for concurrent
// use: searches run together, writes one at a time.
type Index struct {
	log *slog.Logger
	analyzers
	unlock func()

	mu           sync.RWMutex
	mem          *memory
	store        *store
	dir          string
	fromSnapshot bool // the index was read from a snapshot and not written to since
}

var _ catalog.Index = (*Index)(nil)

// ErrBusy says another process (usually a running `orchard serve`) has the index open.
var ErrBusy = errors.New("in use by another process, such as a running orchard serve")

var errClosed = errors.New("index closed")

// lockWait is how long Open waits for another process to let go of the index.
const lockWait = 2 * time.Second

// indexDir is the Bleve index of Orchard before layout 5, inside Config.Dir; Open turns it
// into the log.
const indexDir = "catalog.bleve"

// Open opens the index in cfg.Dir, creating it when missing. An index of an earlier layout is
// rebuilt from the records it stores first; one of a later layout is refused. The directory
// stays locked until Close, so that a second process gets ErrBusy.
func Open(cfg Config, log *slog.Logger) (*Index, error) {
	if cfg.Dir == "" {
		return nil, errors.New("open embedded index: no directory configured")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(cfg.Dir, logFile)
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	unlock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	ix, err := openIndex(cfg.Dir, log)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("open embedded index %s: %w", path, err)
	}
	ix.unlock = unlock
	return ix, nil
}

func openIndex(dir string, log *slog.Logger) (*Index, error) {
	an, err := newAnalyzers()
	if err != nil {
		return nil, err
	}
	ix := &Index{log: log, analyzers: an, mem: newMemory(), dir: dir}
	path := filepath.Join(dir, logFile)
	if err := upgrade(dir, log); err != nil {
		return nil, err
	}
	v, err := readLayout(path)
	if err == nil && v > layoutVersion {
		err = fmt.Errorf("layout %d, this Orchard reads up to %d: %w", v, layoutVersion, errNewerLayout)
	}
	if err != nil {
		return nil, err
	}
	start := time.Now()
	from := "snapshot"
	if err := ix.loadSnapshot(dir, path); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			log.Warn("embedded index: snapshot not used, reading the log", "path", path, "err", err)
		}
		from = "log"
		if err := ix.loadLog(path); err != nil {
			return nil, err
		}
	}
	for _, n := range ix.mem.ids {
		d := ix.mem.docs[n]
		ix.store.live += frameSize(d.id, d.at.n)
	}
	log.Debug("embedded index: loaded", "from", from, "records", len(ix.mem.ids), "took", time.Since(start).Round(time.Millisecond))
	return ix, nil
}

// loadSnapshot reads the snapshot and the log written after it.
func (ix *Index) loadSnapshot(dir, path string) error {
	m, covered, err := readSnapshot(dir)
	if err != nil {
		return err
	}
	type op struct {
		op byte
		id string
		at entry
	}
	var ops []op
	s, err := openStore(path, covered, func(o byte, id string, e entry) { ops = append(ops, op{o, id, e}) })
	if err != nil {
		return err
	}
	ix.mem, ix.store = m, s
	for _, o := range ops {
		if err = ix.drop(o.id); err != nil {
			break
		}
		if o.op != opUpsert {
			continue
		}
		var r catalog.Record
		if r, err = ix.record(doc{id: o.id, at: o.at}); err != nil {
			break
		}
		var a analyzed
		a.rec = r
		ix.terms(&r, &a)
		m.add(uint32(len(m.docs)), &a, o.at)
	}
	if err != nil {
		s.close()
		ix.mem, ix.store = newMemory(), nil
		return err
	}
	m.settle()
	ix.fromSnapshot = true
	return nil
}

// loadLog indexes every live record of the log at path.
func (ix *Index) loadLog(path string) error {
	live := map[string]entry{}
	var order []string
	s, err := openStore(path, 0, func(op byte, id string, e entry) {
		switch op {
		case opUpsert:
			live[id] = e
			order = append(order, id)
		case opDelete:
			delete(live, id)
		}
	})
	if err != nil {
		return err
	}
	ix.store = s
	if err := ix.load(live, order); err != nil {
		s.close()
		ix.store = nil
		return err
	}
	return nil
}

// load indexes the live records of the log in the order of their last writes.
func (ix *Index) load(live map[string]entry, order []string) error {
	const chunk = 5000
	var recs []catalog.Record
	var at []entry
	flush := func() error {
		as, err := ix.analyzeAll(recs)
		if err != nil {
			return err
		}
		for i := range as {
			n := uint32(len(ix.mem.docs))
			ix.mem.add(n, &as[i], at[i])
		}
		recs, at = recs[:0], at[:0]
		return nil
	}
	for _, id := range order {
		e, ok := live[id]
		if !ok || e.off == -1 {
			continue // overwritten or deleted later in the log
		}
		live[id] = entry{off: -1}
		js, err := ix.store.read(e)
		if err != nil {
			return err
		}
		var r catalog.Record
		if err := json.Unmarshal(js, &r); err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		recs, at = append(recs, r), append(at, e)
		if len(recs) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	ix.mem.settle()
	return nil
}

// analyzeAll analyzes recs on every core.
func (ix *Index) analyzeAll(recs []catalog.Record) ([]analyzed, error) {
	out := make([]analyzed, len(recs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range recs {
		g.Go(func() error {
			var err error
			out[i], err = ix.analyze(&recs[i])
			return err
		})
	}
	return out, g.Wait()
}

// Close writes what the index holds to disk and releases it. Unless the index is as it was read
// from a snapshot, it writes a snapshot for the next Open; failing that costs the next Open time,
// not records, so it is logged rather than returned.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.store == nil {
		return nil
	}
	defer ix.unlock()
	err := ix.store.f.Sync()
	if err == nil && !ix.fromSnapshot {
		if serr := writeSnapshot(ix.dir, ix.mem, ix.store.size); serr != nil {
			ix.log.Warn("embedded index: no snapshot written; the next start reads the whole log", "err", serr)
		}
	}
	if cerr := ix.store.close(); err == nil {
		err = cerr
	}
	ix.store = nil
	if err != nil {
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
	var keep []catalog.Record
	var gone []string
	for i := range recs {
		if err := recs[i].Validate(); err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
		if len(recs[i].ID) > maxIDBytes {
			return fmt.Errorf("upsert: %w: id longer than %d bytes", catalog.ErrInvalid, maxIDBytes)
		}
		if recs[i].Deleted {
			gone = append(gone, recs[i].ID)
		} else {
			keep = append(keep, recs[i])
		}
	}
	as, err := ix.analyzeAll(keep)
	if err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	if err := ix.write(as, gone); err != nil {
		return fmt.Errorf("upsert %d records: %w", len(recs), err)
	}
	return nil
}

// write appends upserts and deletions to the log in one write, then applies them in memory.
func (ix *Index) write(as []analyzed, gone []string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s := ix.store
	if s == nil {
		return errClosed
	}
	var buf []byte
	offs := make([]int64, len(as))
	for i := range as {
		buf = frame(buf, opUpsert, as[i].rec.ID, as[i].json)
		offs[i] = s.size + int64(len(buf)) - int64(len(as[i].json))
	}
	for _, id := range gone {
		buf = frame(buf, opDelete, id, nil)
	}
	if err := s.append(buf); err != nil {
		return err
	}
	ix.fromSnapshot = false
	for i := range as {
		if err := ix.drop(as[i].rec.ID); err != nil {
			return err
		}
		ix.mem.add(uint32(len(ix.mem.docs)), &as[i], entry{off: offs[i], n: uint32(len(as[i].json))})
		s.live += frameSize(as[i].rec.ID, uint32(len(as[i].json)))
	}
	for _, id := range gone {
		if err := ix.drop(id); err != nil {
			return err
		}
	}
	ix.mem.settle()
	if s.wasteful() {
		return ix.compact()
	}
	return nil
}

// drop takes the record with id, if any, out of the index in memory. The postings to leave are
// found by analyzing the record again, as it was written, from the log.
func (ix *Index) drop(id string) error {
	n, ok := ix.mem.ids[id]
	if !ok {
		return nil
	}
	d := ix.mem.docs[n]
	r, err := ix.record(d)
	if err != nil {
		return err
	}
	var a analyzed
	a.rec = r
	ix.terms(&r, &a)
	ix.mem.remove(n, &a)
	ix.store.live -= frameSize(id, d.at.n)
	return nil
}

// compact rewrites the log without overwritten and deleted records.
func (ix *Index) compact() error {
	m := ix.mem
	ids := make([]string, 0, len(m.ids))
	for id := range m.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	moved, err := ix.store.compact(ids, func(id string) entry { return m.docs[m.ids[id]].at })
	if err != nil {
		return err
	}
	for id, e := range moved {
		m.docs[m.ids[id]].at = e
	}
	return nil
}

// readLock takes the read lock of an open index; the caller releases it unless there was an error.
func (ix *Index) readLock() error {
	ix.mu.RLock()
	if ix.store == nil {
		ix.mu.RUnlock()
		return errClosed
	}
	return nil
}

// record reads the record of d back from the log.
func (ix *Index) record(d doc) (catalog.Record, error) {
	var r catalog.Record
	if ix.store == nil {
		return r, errClosed
	}
	js, err := ix.store.read(d.at)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(js, &r); err != nil {
		return r, fmt.Errorf("record %s: %w", d.id, err)
	}
	return r, nil
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
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := ix.write(nil, ids); err != nil {
		return fmt.Errorf("delete %d records: %w", len(ids), err)
	}
	return nil
}

// DeleteSource removes every record of source, hidden ones included.
func (ix *Index) DeleteSource(ctx context.Context, source string) error {
	if err := ix.readLock(); err != nil {
		return fmt.Errorf("delete source %s: %w", source, err)
	}
	var ids []string
	if b := ix.mem.facets[catalog.FacetSource][source]; b != nil {
		b.Iterate(func(n uint32) bool { ids = append(ids, ix.mem.docs[n].id); return true })
	}
	ix.mu.RUnlock()
	if err := ix.Delete(ctx, ids); err != nil {
		return fmt.Errorf("delete source %s: %w", source, err)
	}
	return nil
}

// Get returns the record with id, or catalog.ErrNotFound.
func (ix *Index) Get(ctx context.Context, id string) (catalog.Record, error) {
	if err := ctx.Err(); err != nil {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, err)
	}
	if err := ix.readLock(); err != nil {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, err)
	}
	defer ix.mu.RUnlock()
	n, ok := ix.mem.ids[id]
	if !ok {
		return catalog.Record{}, fmt.Errorf("get %s: %w", id, catalog.ErrNotFound)
	}
	r, err := ix.record(ix.mem.docs[n])
	if err != nil {
		return r, fmt.Errorf("get %s: %w", id, err)
	}
	return r, nil
}

// eachPage is how many records Each reads per round.
const eachPage = 500

// Each calls fn for every record matching f in id order. The ids are taken at the start; a
// record removed meanwhile is skipped, and fn may write to the index.
func (ix *Index) Each(ctx context.Context, f catalog.Filter, fn func(catalog.Record) error) error {
	if err := ix.readLock(); err != nil {
		return fmt.Errorf("each: %w", err)
	}
	var ids []string
	ix.mem.filter(f).Iterate(func(n uint32) bool { ids = append(ids, ix.mem.docs[n].id); return true })
	ix.mu.RUnlock()
	slices.Sort(ids)
	for len(ids) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("each: %w", err)
		}
		chunk := ids[:min(eachPage, len(ids))]
		ids = ids[len(chunk):]
		recs, err := ix.records(chunk)
		if err != nil {
			return fmt.Errorf("each: %w", err)
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// records reads the records of ids that the index still holds.
func (ix *Index) records(ids []string) ([]catalog.Record, error) {
	if err := ix.readLock(); err != nil {
		return nil, err
	}
	defer ix.mu.RUnlock()
	out := make([]catalog.Record, 0, len(ids))
	for _, id := range ids {
		n, ok := ix.mem.ids[id]
		if !ok {
			continue
		}
		r, err := ix.record(ix.mem.docs[n])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Stats counts all records, hidden ones included, and the records of each source.
func (ix *Index) Stats(ctx context.Context) (catalog.Stats, error) {
	if err := ctx.Err(); err != nil {
		return catalog.Stats{}, fmt.Errorf("stats: %w", err)
	}
	if err := ix.readLock(); err != nil {
		return catalog.Stats{}, fmt.Errorf("stats: %w", err)
	}
	defer ix.mu.RUnlock()
	st := catalog.Stats{Records: int(ix.mem.live.GetCardinality()), BySource: map[string]int{}}
	for src, b := range ix.mem.facets[catalog.FacetSource] {
		st.BySource[src] = int(b.GetCardinality())
	}
	return st, nil
}
