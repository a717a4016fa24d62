package curation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/workers"
)

// Bucket is the document bucket decisions are kept in, by record id.
const Bucket = "overrides"

// Store keeps decisions by record id, so that they survive later harvests.
type Store struct {
	docs *workers.Docs
}

// DocStore opens document buckets; *workers.System is one.
type DocStore interface {
	Docs(ctx context.Context, bucket string) (*workers.Docs, error)
}

// Open opens the decision store in w's document buckets.
func Open(ctx context.Context, w DocStore) (*Store, error) {
	d, err := w.Docs(ctx, Bucket)
	if err != nil {
		return nil, fmt.Errorf("open decisions: %w", err)
	}
	return &Store{docs: d}, nil
}

// Get returns what was decided about a record; ok is false when nothing was.
func (s *Store) Get(ctx context.Context, id string) (d Decision, ok bool, err error) {
	if _, err := s.docs.Get(ctx, id, &d); err != nil {
		if errors.Is(err, workers.ErrNotFound) {
			return Decision{}, false, nil
		}
		return Decision{}, false, fmt.Errorf("decision about %s: %w", id, err)
	}
	return d, true, nil
}

// Lookup returns the decisions about those of ids that have one, in one read of the store.
func (s *Store) Lookup(ctx context.Context, ids []string) (map[string]Decision, error) {
	docs, err := s.docs.GetMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("look up decisions: %w", err)
	}
	out := make(map[string]Decision, len(docs))
	for id, raw := range docs {
		var d Decision
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("decode decision about %s: %w", id, err)
		}
		out[id] = d
	}
	return out, nil
}

// Change edits the decision about id and keeps the result, or forgets it when it decides
// nothing any more; it returns the decision as kept.
func (s *Store) Change(ctx context.Context, id string, edit func(*Decision) error) (Decision, error) {
	d, _, err := s.Get(ctx, id)
	if err != nil {
		return Decision{}, err
	}
	if err := edit(&d); err != nil {
		return Decision{}, err
	}
	if d.Empty() {
		err = s.docs.Delete(ctx, id)
	} else {
		_, err = s.docs.Put(ctx, id, d)
	}
	if err != nil {
		return Decision{}, fmt.Errorf("keep decision about %s: %w", id, err)
	}
	return d, nil
}

// Normalize wraps a record normalizer (normalizer.Record) into the page-level form
// workers.Pipeline.Normalize takes: every record of the page is normalized, then the decisions
// about them, read in one lookup with the job's context, are applied. A failed lookup fails the
// page, so that the job is retried rather than its records indexed without their decisions.
func (s *Store) Normalize(fn func(source string, raw harvester.Record) (catalog.Record, error)) workers.NormalizeFunc {
	each := workers.EachRecord(fn)
	return func(ctx context.Context, src harvester.Source, raws []harvester.Record) ([]workers.Normalized, error) {
		out, err := each(ctx, src, raws)
		if err != nil {
			return nil, err
		}
		decisions, err := s.Lookup(ctx, workers.Written(out))
		if err != nil {
			return nil, err
		}
		for i := range out {
			n := &out[i]
			if d, ok := decisions[n.Record.ID]; ok && n.Err == nil && !n.Record.Deleted {
				n.Err = Apply(&n.Record, d)
			}
		}
		return out, nil
	}
}

// Decide applies the decisions about entries that merge several sources' records, by the
// entry's id, in one lookup; it is workers.Pipeline.Decide.
func (s *Store) Decide(ctx context.Context, entries []catalog.Record) error {
	ids := make([]string, len(entries))
	for i := range entries {
		ids[i] = entries[i].ID
	}
	decisions, err := s.Lookup(ctx, ids)
	if err != nil {
		return err
	}
	for i := range entries {
		if d, ok := decisions[entries[i].ID]; ok {
			if err := Apply(&entries[i], d); err != nil {
				return err
			}
		}
	}
	return nil
}
