package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Docs is a bucket of small JSON documents by key (tokens, toolkits, license overrides,
// sessions), so that callers need not know NATS. Keys are 1 to 255 of [A-Za-z0-9_=/.-],
// not starting or ending with a dot.
type Docs struct {
	kv     jetstream.KeyValue
	nc     *nats.Conn
	expire time.Duration
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

// Docs returns the document bucket of that name (lower-case [a-z0-9_-]), creating it on first use
// and otherwise updating its bounds to the configured ones. Lowering MaxBytes below what a bucket
// holds loses nothing: writes are refused until it has room again.
func (s *System) Docs(ctx context.Context, bucket string) (*Docs, error) {
	return s.docsBucket(ctx, bucket, s.cfg.docsLimits(bucket))
}

// BoundedDocs is Docs for a bucket of at most maxBytes in all and maxValue bytes per document,
// for documents that anonymous visitors write: a full bucket refuses writes and keeps what it
// holds, rather than filling the disk.
// A limit configured for the bucket (Config.Docs) wins over maxBytes.
func (s *System) BoundedDocs(ctx context.Context, bucket string, maxBytes int64, maxValue int32) (*Docs, error) {
	lim := s.cfg.docsLimits(bucket)
	if _, set := s.cfg.Docs[bucket]; !set || s.cfg.Docs[bucket].MaxBytes <= 0 {
		lim.MaxBytes = maxBytes
	}
	lim.MaxValue = maxValue
	return s.docsBucket(ctx, bucket, lim)
}

func (s *System) docsBucket(ctx context.Context, bucket string, lim DocsLimits) (*Docs, error) {
	if !bucketRe.MatchString(bucket) {
		return nil, fmt.Errorf("%w document bucket name %q", ErrInvalid, bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.docs[bucket]; ok {
		return d, nil
	}
	kv, err := s.bucket(ctx, jetstream.KeyValueConfig{
		Bucket:       docsBucketPfx + bucket,
		Storage:      jetstream.FileStorage,
		MaxBytes:     lim.MaxBytes,
		MaxValueSize: lim.MaxValue,
		// Every write is a new message, so a bucket's age limit counts from the last write.
		TTL: lim.Expire,
	})
	if err != nil {
		return nil, fmt.Errorf("document bucket %s: %w", bucket, err)
	}
	d := &Docs{kv: kv, nc: s.nc, expire: lim.Expire}
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
	rev, err := getInto(ctx, d.kv, key, v)
	if err != nil {
		return 0, fmt.Errorf("document %s: %w", key, err)
	}
	return rev, nil
}

// getManyChunk bounds the keys of one read in GetMany; the server answers at most 1,024.
const getManyChunk = 500

// GetMany returns the documents that exist at keys, by key, with one request to the server
// per getManyChunk keys rather than one per key. Missing keys are left out, and so are keys
// that cannot name a document.
func (d *Docs) GetMany(ctx context.Context, keys []string) (map[string]json.RawMessage, error) {
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return checkKey(k) != nil })
	slices.Sort(keys)
	keys = slices.Compact(keys)
	out := make(map[string]json.RawMessage)
	for chunk := range slices.Chunk(keys, getManyChunk) {
		es, err := entries(ctx, d.nc, d.kv, chunk...)
		if err != nil {
			return nil, fmt.Errorf("get %d documents: %w", len(chunk), err)
		}
		for _, e := range es {
			out[e.key] = e.value
		}
	}
	return out, nil
}

// Touch counts a read of the document at key as a use in a bucket whose documents expire: a
// document last written more than a tenth of the expiry ago is written again unchanged, so
// that most reads cost no write. A missing key is ErrNotFound.
func (d *Docs) Touch(ctx context.Context, key string) error {
	if d.expire <= 0 {
		return nil
	}
	if err := checkKey(key); err != nil {
		return err
	}
	e, err := d.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("touch document %s: %w: %w", key, ErrNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("touch document %s: %w", key, err)
	}
	if time.Since(e.Created()) < d.expire/10 {
		return nil
	}
	// A conflict means another write came first, which renewed the document as well.
	if _, err := putBytes(ctx, d.kv, key, e.Value(), e.Revision()); err != nil && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("touch document %s: %w", key, err)
	}
	return nil
}

// Bytes is how much the bucket holds, as counted against its MaxBytes.
func (d *Docs) Bytes(ctx context.Context) (uint64, error) {
	st, err := d.kv.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("document bucket status: %w", err)
	}
	return st.Bytes(), nil
}

// Put stores v at key, replacing what was there.
func (d *Docs) Put(ctx context.Context, key string, v any) (uint64, error) {
	return d.write(ctx, key, v, anyRevision)
}

// Create stores v at key only if the key is free; ErrExists otherwise.
func (d *Docs) Create(ctx context.Context, key string, v any) (uint64, error) {
	return d.write(ctx, key, v, freeKey)
}

// Update stores v at key only if the key is still at revision; ErrConflict otherwise.
func (d *Docs) Update(ctx context.Context, key string, v any, revision uint64) (uint64, error) {
	return d.write(ctx, key, v, revision)
}

func (d *Docs) write(ctx context.Context, key string, v any, rev uint64) (uint64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	stored, err := putJSON(ctx, d.kv, key, v, rev)
	if err != nil {
		return 0, fmt.Errorf("document %s: %w", key, err)
	}
	return stored, nil
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

// List returns every document whose key starts with prefix ("" for all), ordered by key. A
// prefix that ends in a dot is a subject filter, so the server sends only those documents.
func (d *Docs) List(ctx context.Context, prefix string) ([]Doc, error) {
	var filters []string
	if strings.HasSuffix(prefix, ".") && checkKey(prefix+"x") == nil {
		filters = []string{prefix + ">"}
	}
	es, err := entries(ctx, d.nc, d.kv, filters...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var out []Doc
	for _, e := range es {
		if strings.HasPrefix(e.Key(), prefix) {
			out = append(out, Doc{Key: e.key, Value: e.value, Revision: e.rev})
		}
	}
	slices.SortFunc(out, func(a, b Doc) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}
