// Package toolkit keeps learners' toolkits: lists of catalog records with notes, kept without
// an account. Whoever holds a toolkit's edit key may change it; its id alone gives a read-only
// view to share. Toolkits are small documents in a workers.Docs bucket.
package toolkit

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/workers"
)

// Bucket is the document bucket toolkits are kept in.
const Bucket = "toolkits"

// Limits that keep a toolkit a small document. MaxSize bounds the stored JSON as a whole,
// below the 1 MiB a NATS message may hold, since notes full of characters JSON escapes can
// make a toolkit within the other limits larger than that.
const (
	MaxItems = 500
	MaxNote  = 2000
	MaxTitle = 200
	MaxSize  = 1000 << 10
)

// Toolkit is a learner's list of records with notes.
type Toolkit struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	KeyHash string    `json:"key_hash"` // SHA-256 of the edit key
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Items   []Item    `json:"items"`
}

// Item is one record in a toolkit.
type Item struct {
	Record string    `json:"record"`
	Note   string    `json:"note,omitempty"`
	Added  time.Time `json:"added"`
}

var (
	// ErrKey is returned for an edit with a wrong key.
	ErrKey = errors.New("wrong toolkit key")
	// ErrFull is returned when the toolkit bucket holds as much as it may.
	ErrFull = errors.New("the toolkit store is full")
)

// FieldError says which value of a change was refused and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// KeyOK reports whether key is the toolkit's edit key.
func (t *Toolkit) KeyOK(key string) bool {
	return key != "" && subtle.ConstantTimeCompare([]byte(auth.Hash(key)), []byte(t.KeyHash)) == 1
}

// Has reports whether the toolkit holds the record.
func (t *Toolkit) Has(record string) bool {
	return slices.ContainsFunc(t.Items, func(it Item) bool { return it.Record == record })
}

// Put adds a record or changes its note.
func (t *Toolkit) Put(record, note string) error {
	if !catalog.ValidID(record) {
		return errRecord
	}
	if len(note) > MaxNote {
		return errNote
	}
	now := time.Now().UTC()
	t.Updated = now
	if i := slices.IndexFunc(t.Items, func(it Item) bool { return it.Record == record }); i >= 0 {
		t.Items[i].Note = note
		return nil
	}
	if len(t.Items) >= MaxItems {
		return errItems
	}
	t.Items = append(t.Items, Item{Record: record, Note: note, Added: now})
	return nil
}

// Remove takes a record out of the toolkit.
func (t *Toolkit) Remove(record string) {
	t.Items = slices.DeleteFunc(t.Items, func(it Item) bool { return it.Record == record })
	t.Updated = time.Now().UTC()
}

// Rename sets the title; an empty one becomes "My toolkit".
func (t *Toolkit) Rename(title string) error {
	title = strings.TrimSpace(title)
	if len(title) > MaxTitle {
		return errTitle
	}
	if title == "" {
		title = "My toolkit"
	}
	t.Title = title
	t.Updated = time.Now().UTC()
	return nil
}

var (
	errRecord = &FieldError{"record", "must be 1 to 511 characters of [A-Za-z0-9_-]"}
	errNote   = &FieldError{"note", fmt.Sprintf("must be at most %d bytes", MaxNote)}
	errTitle  = &FieldError{"title", fmt.Sprintf("must be at most %d bytes", MaxTitle)}
	errItems  = &FieldError{"items", fmt.Sprintf("a toolkit holds at most %d records", MaxItems)}
	errSize   = &FieldError{"items", fmt.Sprintf("the toolkit with its notes must be at most %d bytes", MaxSize)}
)

// Check holds the limits on the whole toolkit, whichever change led to it.
func (t *Toolkit) Check() error {
	if len(t.Title) > MaxTitle {
		return errTitle
	}
	if len(t.Items) > MaxItems {
		return errItems
	}
	for _, it := range t.Items {
		if !catalog.ValidID(it.Record) {
			return errRecord
		}
		if len(it.Note) > MaxNote {
			return errNote
		}
	}
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode toolkit %s: %w", t.ID, err)
	}
	if len(b) > MaxSize {
		return errSize
	}
	return nil
}

// ValidID reports whether id has the shape of a toolkit id.
func ValidID(id string) bool {
	return len(id) == 22 && catalog.ValidID(id)
}

// Store keeps toolkits in a document bucket.
type Store struct {
	docs *workers.Docs
}

// NewStore keeps toolkits in docs.
func NewStore(docs *workers.Docs) *Store { return &Store{docs: docs} }

// Create stores a toolkit holding items and returns it with its edit key.
func (s *Store) Create(ctx context.Context, title string, items ...Item) (*Toolkit, string, error) {
	key := auth.Secret()
	now := time.Now().UTC()
	// The share link needs no secrecy beyond being hard to guess.
	t := &Toolkit{ID: auth.Secret()[:22], KeyHash: auth.Hash(key), Created: now, Updated: now, Items: items}
	if err := t.Rename(title); err != nil {
		return nil, "", err
	}
	if err := t.Check(); err != nil {
		return nil, "", err
	}
	if _, err := s.docs.Create(ctx, t.ID, t); err != nil {
		return nil, "", stored("create toolkit", err)
	}
	return t, key, nil
}

// stored wraps a failed write, marking a full bucket with ErrFull.
func stored(what string, err error) error {
	if errors.Is(err, workers.ErrFull) {
		return fmt.Errorf("%s: %w: %w", what, ErrFull, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Get reads a toolkit; workers.ErrNotFound when there is none. Reading counts as using the
// toolkit, which keeps it from expiring.
func (s *Store) Get(ctx context.Context, id string) (*Toolkit, error) {
	t, _, err := s.get(ctx, id)
	if err == nil {
		// A failed touch only leaves the expiry where the last write put it.
		_ = s.docs.Touch(ctx, id)
	}
	return t, err
}

func (s *Store) get(ctx context.Context, id string) (*Toolkit, uint64, error) {
	if !ValidID(id) {
		return nil, 0, fmt.Errorf("toolkit %q: %w", id, workers.ErrNotFound)
	}
	var t Toolkit
	rev, err := s.docs.Get(ctx, id, &t)
	if err != nil {
		return nil, 0, err
	}
	return &t, rev, nil
}

// editAttempts bounds how often Edit re-reads a toolkit that another edit changed meanwhile.
const editAttempts = 5

// Edit applies change to a toolkit under its key, applying it again when another edit raced it.
func (s *Store) Edit(ctx context.Context, id, key string, change func(*Toolkit) error) (*Toolkit, error) {
	for range editAttempts {
		t, rev, err := s.get(ctx, id)
		if err != nil {
			return nil, err
		}
		if !t.KeyOK(key) {
			return nil, ErrKey
		}
		if err := change(t); err != nil {
			return nil, err
		}
		if err := t.Check(); err != nil {
			return nil, err
		}
		if _, err := s.docs.Update(ctx, id, t, rev); errors.Is(err, workers.ErrConflict) {
			continue
		} else if err != nil {
			return nil, stored("edit toolkit "+id, err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("toolkit %s: %w", id, workers.ErrConflict)
}
