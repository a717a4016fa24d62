package embedded

import (
	"context"
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

// layoutVersion is the shape of the index this Orchard writes: its mapping and the fields
// document derives. Raise it with every change to either, so that Open rebuilds an index of an
// earlier shape from the records it stores instead of answering from fields that are not there.
//
//	1: the layout before versions were recorded (flags as hidden, open, commercial, derivatives)
//	2: derived fields named by catalog.Record.IndexFields (f_hidden, f_open, …)
//	3: list_date, the order of harvest lists (catalog.Record.ListDate)
//	4: f_commons and the openness facet (catalog.License.Commons, Openness)
//	5: ISCED-F fields: the field facet and their labels in the body (catalog.Record.SetFields)
const layoutVersion = 5

// layoutKey holds layoutVersion, in decimal, among the index's internal values.
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

// create makes an empty index at path with the current mapping and layout version.
func create(path string) (bleve.Index, error) {
	im, err := newMapping(catalog.Facets)
	if err != nil {
		return nil, err
	}
	b, err := bleve.New(path, im)
	if err != nil {
		return nil, err
	}
	if err := b.SetInternal(layoutKey, []byte(strconv.Itoa(layoutVersion))); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("record layout version: %w", err)
	}
	return b, nil
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

// rebuild copies every record of old, the index at path with layout version from, into a new
// index with the current layout and puts that in its place. It closes old. Memory stays bounded
// by one write batch; disk needs room for both indexes until the old one is removed. A failure
// before the swap leaves the old index as it was.
func rebuild(old bleve.Index, path string, from int, log *slog.Logger) error {
	start := time.Now()
	fresh := path + rebuildSuffix
	total, err := old.DocCount()
	if err == nil {
		log.Info("embedded index: rebuilding for the current layout", "path", path,
			"from_layout", from, "to_layout", layoutVersion, "records", total)
		err = os.RemoveAll(fresh)
	}
	var copied uint64
	if err == nil {
		copied, err = copyRecords(old, fresh)
	}
	if err == nil && copied != total {
		err = fmt.Errorf("copied %d of %d records", copied, total)
	}
	// The old index is closed before the swap, and whatever happened.
	if cerr := old.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close old index: %w", cerr)
	}
	if err != nil {
		_ = os.RemoveAll(fresh)
		return err
	}
	if err := swap(path); err != nil {
		return err
	}
	log.Info("embedded index: rebuilt", "path", path, "records", copied,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildBatch is how many records a rebuild writes at once: each write waits for its segment
// to reach the disk, so larger batches than Each's pages copy faster, at a bounded cost in memory.
const rebuildBatch = 2 * eachPage

// copyRecords writes the stored records of old into a new index at path.
func copyRecords(old bleve.Index, path string) (uint64, error) {
	b, err := create(path)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	var copied uint64
	batch := b.NewBatch()
	flush := func() error {
		if err := b.Batch(batch); err != nil {
			return fmt.Errorf("write %d records: %w", batch.Size(), err)
		}
		copied += uint64(batch.Size())
		batch.Reset()
		return nil
	}
	err = pages(context.Background(), old, query.NewMatchAllQuery(), func(hits search.DocumentMatchCollection) error {
		for _, h := range hits {
			r, err := decode(h)
			if err != nil {
				return err
			}
			// Records stored before fields existed, or before the vocabulary grew, get them.
			r.SetFields()
			doc, err := document(&r)
			if err != nil {
				return fmt.Errorf("record %s: %w", h.ID, err)
			}
			if err := batch.Index(h.ID, doc); err != nil {
				return fmt.Errorf("record %s: %w", h.ID, err)
			}
		}
		if batch.Size() >= rebuildBatch {
			return flush()
		}
		return nil
	})
	if err == nil && batch.Size() > 0 {
		err = flush()
	}
	if cerr := b.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	return copied, err
}

// swap puts the complete index at path+rebuildSuffix in place of the one at path. Each rename
// is atomic, and settle recovers from a crash between them.
func swap(path string) error {
	fresh, aside := path+rebuildSuffix, path+asideSuffix
	parent := filepath.Dir(path)
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("set old index aside: %w", err)
	}
	if err := os.Rename(fresh, path); err != nil {
		if rerr := os.Rename(aside, path); rerr != nil {
			return fmt.Errorf("put rebuilt index in place: %w (and restoring the old one: %v)", err, rerr)
		}
		return fmt.Errorf("put rebuilt index in place: %w", err)
	}
	if err := syncDir(parent); err != nil {
		return err
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("remove old index: %w", err)
	}
	return nil
}
