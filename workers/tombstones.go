package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/catalog"
)

// tombstoneCache holds the tombstones last read and the bucket's last stream sequence then:
// an OAI-PMH list reads the tombstones for every page, and a status request is much cheaper
// than reading them all again when nothing changed.
type tombstoneCache struct {
	mu   sync.Mutex
	seq  uint64
	read bool
	all  []catalog.Tombstone
	ids  map[string]bool
}

var _ catalog.Tombstones = (*System)(nil)

// Tombstones returns the tombstones of every record the pipeline deleted from the catalog.
func (s *System) Tombstones(ctx context.Context) ([]catalog.Tombstone, error) {
	c, err := s.tombstones(ctx)
	if err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	return c.all, nil
}

// tombstones brings the cache up to date and returns it locked.
func (s *System) tombstones(ctx context.Context) (*tombstoneCache, error) {
	st, err := s.tombs.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("read tombstones: %w", err)
	}
	var seq uint64
	if bs, ok := st.(*jetstream.KeyValueBucketStatus); ok {
		seq = bs.StreamInfo().State.LastSeq
	}
	c := &s.tombCache
	c.mu.Lock()
	if c.read && seq != 0 && seq == c.seq {
		return c, nil
	}
	es, err := entries(ctx, s.nc, s.tombs)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	all := make([]catalog.Tombstone, 0, len(es))
	ids := make(map[string]bool, len(es))
	for _, e := range es {
		var t catalog.Tombstone
		if err := json.Unmarshal(e.Value(), &t); err != nil {
			s.log.Warn("unreadable tombstone", "key", e.Key(), "err", err)
			continue
		}
		all = append(all, t)
		ids[t.ID] = true
	}
	// Callers share the slice: it is replaced, never changed.
	c.all, c.ids, c.seq, c.read = all, ids, seq, true
	return c, nil
}

// unbury removes the tombstones of records that are written again.
func (s *System) unbury(ctx context.Context, recs []catalog.Record) error {
	c, err := s.tombstones(ctx)
	if err != nil {
		return err
	}
	var back []string
	for i := range recs {
		if c.ids[recs[i].ID] {
			back = append(back, recs[i].ID)
		}
	}
	c.mu.Unlock()
	for _, id := range back {
		if err := s.tombs.Delete(ctx, id); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("remove tombstone of %s: %w", id, err)
		}
	}
	return nil
}

// Bury keeps a tombstone for each record of ids the catalog holds, before it is deleted. An id
// the catalog does not hold leaves none: no harvester can have seen that record.
func (s *System) Bury(ctx context.Context, index catalog.Index, ids []string) error {
	now := catalog.Stamp(time.Now())
	for _, id := range ids {
		r, err := index.Get(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s before deleting it: %w", id, err)
		}
		b, err := json.Marshal(catalog.Tombstone{ID: id, Source: r.Source, Family: r.License.Family, Open: r.License.Open, Deleted: now})
		if err != nil {
			return fmt.Errorf("encode tombstone of %s: %w", id, err)
		}
		if _, err := s.tombs.Put(ctx, id, b); err != nil {
			return fmt.Errorf("keep tombstone of %s: %w", id, err)
		}
	}
	return nil
}
