package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/orchard-oer/orchard/catalog"
)

// layoutVersion is the shape of the index this Orchard writes. Raise it with every change to
// what the index keeps, so that Open rebuilds an index of an earlier shape from the records it
// stores instead of answering from what is not there.
//
//	1: the Bleve layout before versions were recorded (flags as hidden, open, commercial, derivatives)
//	2: derived fields named by catalog.Record.IndexFields (f_hidden, f_open, …)
//	3: list_date, the order of harvest lists (catalog.Record.ListDate)
//	4: f_commons and the openness facet (catalog.License.Commons, Openness)
//	5: the records in a log file, indexed in memory when opened (store.go); layouts 1–4 were
//	   Bleve indexes in catalog.bleve; an upgrade files their records under ISCED-F
//	   fields (catalog.Record.SetFields)
const layoutVersion = 5

// bleveLayouts is the last layout kept in a Bleve index.
const bleveLayouts = 4

// layoutKey holds the layout version, in decimal, among a Bleve index's internal values.
var layoutKey = []byte("orchard_layout")

// errNewerLayout refuses an index this Orchard cannot read correctly.
var errNewerLayout = errors.New("made by a newer Orchard; run that version or a later one")

// Beside the index during a rebuild: the new index while it is built, then the old one while the
// new one takes its place.
const (
	rebuildSuffix = ".rebuild"
	asideSuffix   = ".old"
)

// lockFile serializes Open between processes, so that one never settles or removes the
// directories of another's rebuild. bbolt's file lock, which Bleve's own store relies on, works
// on every platform Orchard builds for.
const lockFile = "open.lock"

// lockDir takes the open lock in dir, waiting lockWait at most.
func lockDir(dir string) (unlock func(), err error) {
	db, err := bolt.Open(filepath.Join(dir, lockFile), 0o600, &bolt.Options{Timeout: lockWait})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = db.Close() }, nil
}

// layoutOf reads the layout version of b; an index without one is of layout 1.
func layoutOf(b bleve.Index) (int, error) {
	v, err := b.GetInternal(layoutKey)
	if err != nil {
		return 0, fmt.Errorf("read layout version: %w", err)
	}
	if len(v) == 0 {
		return 1, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, fmt.Errorf("read layout version %q: %w", v, err)
	}
	return n, nil
}

// settle finishes or undoes a rebuild that a crash interrupted, leaving at most the index at
// path. The new index is renamed toward path only once it is complete and closed, so a new
// index beside the old one set aside is whole, and one without it may not be.
func settle(path string, log *slog.Logger) error {
	fresh, aside := path+rebuildSuffix, path+asideSuffix
	if !exists(aside) && !exists(fresh) {
		return nil
	}
	if !exists(path) && exists(aside) {
		from, how := aside, "rolled back"
		if exists(fresh) {
			from, how = fresh, "finished"
		}
		if err := os.Rename(from, path); err != nil {
			return fmt.Errorf("settle interrupted rebuild: %w", err)
		}
		log.Warn("embedded index: interrupted rebuild "+how, "path", path)
	}
	for _, stale := range []string{aside, fresh} {
		if !exists(stale) {
			continue
		}
		if err := os.RemoveAll(stale); err != nil {
			return fmt.Errorf("remove %s: %w", stale, err)
		}
		log.Warn("embedded index: removed what an interrupted rebuild left", "path", stale)
	}
	return syncDir(filepath.Dir(path))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// upgrade leaves dir with a log in the current layout: an empty one for a new index, or one
// holding the records of the Bleve index of an earlier Orchard, which it then removes. The log
// takes its place by a rename once complete, so a crash at any point leaves either the Bleve
// index whole or the log whole.
func upgrade(dir string, log *slog.Logger) error {
	path, old := filepath.Join(dir, logFile), filepath.Join(dir, indexDir)
	if !exists(path) {
		if err := settle(old, log); err != nil {
			return err
		}
		if !exists(filepath.Join(old, "index_meta.json")) {
			return createLog(path)
		}
		if err := fromBleve(old, path, log); err != nil {
			return err
		}
	}
	// Left behind when a crash followed the rename of the log.
	for _, stale := range []string{old, old + rebuildSuffix, old + asideSuffix} {
		if exists(stale) {
			if err := os.RemoveAll(stale); err != nil {
				return fmt.Errorf("remove %s: %w", stale, err)
			}
		}
	}
	return syncDir(dir)
}

// fromBleve writes the records of the Bleve index at old into a new log at path.
func fromBleve(old, path string, log *slog.Logger) error {
	start := time.Now()
	b, err := openExisting(old)
	if err != nil {
		return err
	}
	defer b.Close()
	v, err := layoutOf(b)
	if err == nil && v > bleveLayouts {
		err = fmt.Errorf("layout %d, this Orchard reads up to %d: %w", v, layoutVersion, errNewerLayout)
	}
	var total uint64
	if err == nil {
		total, err = b.DocCount()
	}
	if err != nil {
		return err
	}
	log.Info("embedded index: rebuilding for the current layout", "path", old,
		"from_layout", v, "to_layout", layoutVersion, "records", total)
	tmp := path + rebuildSuffix
	_ = os.Remove(tmp)
	if err := createLog(tmp); err != nil {
		return err
	}
	s, err := openStore(tmp, 0, func(byte, string, entry) {})
	if err != nil {
		return err
	}
	var copied uint64
	err = pages(context.Background(), b, query.NewMatchAllQuery(), func(hits search.DocumentMatchCollection) error {
		var buf []byte
		for _, h := range hits {
			r, err := decode(h)
			if err != nil {
				return err
			}
			// Records stored before fields existed, or before the vocabulary grew, get them.
			r.SetFields()
			js, err := json.Marshal(&r)
			if err != nil {
				return fmt.Errorf("record %s: %w", h.ID, err)
			}
			buf = frame(buf, opUpsert, r.ID, js)
		}
		copied += uint64(len(hits))
		return s.append(buf)
	})
	if err == nil && copied != total {
		err = fmt.Errorf("copied %d of %d records", copied, total)
	}
	if cerr := s.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("rebuild from layout %d: %w", v, err)
	}
	log.Info("embedded index: rebuilt", "path", path, "records", copied,
		"took", time.Since(start).Round(time.Millisecond))
	return syncDir(filepath.Dir(path))
}

// openExisting opens the Bleve index at path.
func openExisting(path string) (bleve.Index, error) {
	b, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": lockWait.String()})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrBusy
	}
	return b, err
}

// pages calls fn with the documents of b matching q in id order, eachPage at a time with their
// stored JSON.
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
