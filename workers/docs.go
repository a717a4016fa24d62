package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// Docs is a bucket of small JSON documents by key (tokens, toolkits, license overrides,
// sessions), so that callers need not know NATS. Keys are 1 to 255 of [A-Za-z0-9_=/.-],
// not starting or ending with a dot.
type Docs struct {
	kv jetstream.KeyValue
}

// Doc is one stored document.
type Doc struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Revision uint64          `json:"revision"`
}

var (
	bucketRe = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
	docKeyRe = regexp.MustCompile(`^[A-Za-z0-9_=/.-]{1,255}$`)
)

// Docs returns the document bucket of that name (lower-case [a-z0-9_-]), creating it on first use.
func (s *System) Docs(ctx context.Context, bucket string) (*Docs, error) {
	if !bucketRe.MatchString(bucket) {
		return nil, fmt.Errorf("%w document bucket name %q", ErrInvalid, bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.docs[bucket]; ok {
		return d, nil
	}
	kv, err := s.bucket(ctx, jetstream.KeyValueConfig{
		Bucket:  docsBucketPfx + bucket,
		Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("document bucket %s: %w", bucket, err)
	}
	d := &Docs{kv: kv}
	s.docs[bucket] = d
	return d, nil
}

func checkKey(key string) error {
	if !docKeyRe.MatchString(key) || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") {
		return fmt.Errorf("%w document key %q", ErrInvalid, key)
	}
	return nil
}

// Get decodes the document at key into v and returns its revision, or ErrNotFound.
func (d *Docs) Get(ctx context.Context, key string, v any) (uint64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	e, err := d.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, fmt.Errorf("document %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("get document %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, fmt.Errorf("decode document %s: %w", key, err)
	}
	return e.Revision(), nil
}

// Put stores v at key, replacing what was there.
func (d *Docs) Put(ctx context.Context, key string, v any) (uint64, error) {
	return d.write(ctx, key, v, func(b []byte) (uint64, error) { return d.kv.Put(ctx, key, b) })
}

// Create stores v at key only if the key is free; ErrExists otherwise.
func (d *Docs) Create(ctx context.Context, key string, v any) (uint64, error) {
	return d.write(ctx, key, v, func(b []byte) (uint64, error) { return d.kv.Create(ctx, key, b) })
}

// Update stores v at key only if the key is still at revision; ErrConflict otherwise.
func (d *Docs) Update(ctx context.Context, key string, v any, revision uint64) (uint64, error) {
	return d.write(ctx, key, v, func(b []byte) (uint64, error) { return d.kv.Update(ctx, key, b, revision) })
}

func (d *Docs) write(ctx context.Context, key string, v any, store func([]byte) (uint64, error)) (uint64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("encode document %s: %w", key, err)
	}
	rev, err := store(b)
	switch {
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		return 0, fmt.Errorf("document %s: %w", key, ErrConflict)
	case errors.Is(err, jetstream.ErrKeyExists):
		return 0, fmt.Errorf("document %s: %w", key, ErrExists)
	case err != nil:
		return 0, fmt.Errorf("store document %s: %w", key, err)
	}
	return rev, nil
}

// Delete removes the document at key; a missing key is not an error.
func (d *Docs) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := d.kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("delete document %s: %w", key, err)
	}
	return nil
}

// List returns every document whose key starts with prefix ("" for all), ordered by key.
func (d *Docs) List(ctx context.Context, prefix string) ([]Doc, error) {
	es, err := entries(ctx, d.kv)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var out []Doc
	for _, e := range es {
		if strings.HasPrefix(e.Key(), prefix) {
			out = append(out, Doc{Key: e.Key(), Value: e.Value(), Revision: e.Revision()})
		}
	}
	slices.SortFunc(out, func(a, b Doc) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}
