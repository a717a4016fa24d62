package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// entries returns the current entries of kv whose keys match filters (NATS subject wildcards),
// or of the whole bucket when none are given.
func entries(ctx context.Context, kv jetstream.KeyValue, filters ...string) ([]jetstream.KeyValueEntry, error) {
	if len(filters) == 0 {
		filters = []string{">"}
	}
	w, err := kv.WatchFiltered(ctx, filters, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read bucket %s: %w", kv.Bucket(), err)
	}
	defer w.Stop()
	var out []jetstream.KeyValueEntry
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // all current values seen
				return out, nil
			}
			out = append(out, e)
		case <-ctx.Done():
			return nil, fmt.Errorf("read bucket %s: %w", kv.Bucket(), ctx.Err())
		}
	}
}

// Conditions for putJSON besides a revision to compare and set.
const (
	freeKey     uint64 = 0          // store only if the key holds nothing, as NATS reads revision 0
	anyRevision uint64 = ^uint64(0) // replace whatever the key holds
)

// errUndecodable marks a stored value that is not the JSON of the type asked for.
var errUndecodable = errors.New("cannot decode")

// getJSON decodes the value at key as a T and returns its revision. A missing key is
// ErrNotFound (and jetstream.ErrKeyNotFound).
func getJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string) (T, uint64, error) {
	var v T
	rev, err := getInto(ctx, kv, key, &v)
	return v, rev, err
}

// getInto is getJSON for a value whose type the caller holds only as a pointer.
func getInto(ctx context.Context, kv jetstream.KeyValue, key string, v any) (uint64, error) {
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, fmt.Errorf("%w %s: %w", errUndecodable, key, err)
	}
	return e.Revision(), nil
}

// decodeJSON decodes an entry already read, such as one from entries.
func decodeJSON[T any](e jetstream.KeyValueEntry) (T, error) {
	var v T
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return v, fmt.Errorf("%w %s: %w", errUndecodable, e.Key(), err)
	}
	return v, nil
}

// putJSON encodes v and stores it at key with putBytes.
func putJSON(ctx context.Context, kv jetstream.KeyValue, key string, v any, rev uint64) (uint64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", key, err)
	}
	return putBytes(ctx, kv, key, b, rev)
}

// putBytes stores b at key: regardless of what is there (anyRevision), only if the key is free
// (freeKey, else ErrExists), or only if it is still at revision rev (else ErrConflict). A bucket
// at its MaxBytes gives ErrFull. The sentinels also wrap jetstream's own error.
func putBytes(ctx context.Context, kv jetstream.KeyValue, key string, b []byte, rev uint64) (uint64, error) {
	var stored uint64
	var err error
	switch rev {
	case anyRevision:
		stored, err = kv.Put(ctx, key, b)
	case freeKey:
		stored, err = kv.Create(ctx, key, b)
	default:
		stored, err = kv.Update(ctx, key, b, rev)
	}
	switch {
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		return 0, fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, jetstream.ErrKeyExists):
		// A stale revision may come back as "exists" too.
		if rev == freeKey {
			return 0, fmt.Errorf("%w: %w", ErrExists, err)
		}
		return 0, fmt.Errorf("%w: %w", ErrConflict, err)
	case isFull(err):
		return 0, fmt.Errorf("store %s: %w: %w", key, ErrFull, err)
	case err != nil:
		return 0, fmt.Errorf("store %s: %w", key, err)
	}
	return stored, nil
}

// JetStream error codes of a write refused for want of room: the stream's own limits
// ("maximum bytes exceeded" comes as a store failure), or the server's or account's storage.
const (
	codeStoreFailed          jetstream.ErrorCode = 10077
	codeInsufficientResource jetstream.ErrorCode = 10023
	codeStorageExceeded      jetstream.ErrorCode = 10047
)

func isFull(err error) bool {
	var ae *jetstream.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode {
	case codeInsufficientResource, codeStorageExceeded:
		return true
	case codeStoreFailed:
		return strings.HasPrefix(ae.Description, "maximum ")
	}
	return false
}
