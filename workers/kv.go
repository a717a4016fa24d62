package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// readTry bounds one attempt at a read: after a node is lost, a request may go to it or wait on
// a reconnect, and a fresh try reaches a live replica.
const readTry = 2 * time.Second

// entry is a key's current value as read from a bucket.
type entry struct {
	key   string
	value []byte
	rev   uint64
}

func (e entry) Key() string      { return e.key }
func (e entry) Value() []byte    { return e.value }
func (e entry) Revision() uint64 { return e.rev }

// entries returns the current entries of kv whose keys match filters (NATS subject wildcards),
// or of the whole bucket when none are given. It reads with a direct get of the last message of
// each key (multi_last), which any replica answers without a consumer, so that a cluster that
// lost a node answers as soon as the client reaches a live one; each try is short and retried.
// A bucket with more keys than one direct get returns (1,024) is read with a watch instead.
func entries(ctx context.Context, nc *nats.Conn, kv jetstream.KeyValue, filters ...string) ([]entry, error) {
	if len(filters) == 0 {
		filters = []string{">"}
	}
	prefix := "$KV." + kv.Bucket() + "."
	subjects := make([]string, len(filters))
	for i, f := range filters {
		subjects[i] = prefix + f
	}
	var out []entry
	err := retryRead(ctx, func(ctx context.Context) error {
		out = out[:0]
		return lastMsgs(ctx, nc, "KV_"+kv.Bucket(), subjects, func(m *nats.Msg) {
			if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
				return
			}
			rev, _ := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
			out = append(out, entry{key: strings.TrimPrefix(m.Header.Get(jetstream.SubjectHeader), prefix), value: m.Data, rev: rev})
		})
	})
	if errors.Is(err, errTooMany) {
		return watchEntries(ctx, kv, filters)
	}
	if err != nil {
		return nil, fmt.Errorf("read bucket %s: %w", kv.Bucket(), err)
	}
	return out, nil
}

// retryRead runs read with a timeout of readTry per attempt until it succeeds, fails for a
// reason a retry cannot mend, or ctx is done.
func retryRead(ctx context.Context, read func(context.Context) error) error {
	for {
		tctx, cancel := context.WithTimeout(ctx, readTry)
		err := read(tctx)
		cancel()
		if err == nil || errors.Is(err, errTooMany) || ctx.Err() != nil ||
			!(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrConnectionReconnecting)) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// errTooMany is a direct get's refusal of more results than it returns at once.
var errTooMany = errors.New("too many results for one direct get")

// lastMsgs asks stream for the last message of every subject matching subjects at once (a
// direct get with multi_last, which the stream must allow) and hands each to add.
func lastMsgs(ctx context.Context, nc *nats.Conn, stream string, subjects []string, add func(*nats.Msg)) error {
	req, err := json.Marshal(struct {
		MultiLast []string `json:"multi_last"`
	}{subjects})
	if err != nil {
		return err
	}
	inbox := nc.NewRespInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return err
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.PublishRequest("$JS.API.DIRECT.GET."+stream, inbox, req); err != nil {
		return err
	}
	for {
		msg, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return err
		}
		// A status without data (the client puts the status line in these headers) ends the
		// answer.
		if status := msg.Header.Get("Status"); status != "" && len(msg.Data) == 0 {
			switch status {
			case "204", "404": // end of the batch; no subject has a message
				return nil
			case "503":
				return nats.ErrNoResponders
			case "413":
				return errTooMany
			default:
				return fmt.Errorf("direct get: %s %s", status, msg.Header.Get("Description"))
			}
		}
		add(msg)
	}
}

// watchEntries reads the entries with a watch, for buckets too large for one direct get.
func watchEntries(ctx context.Context, kv jetstream.KeyValue, filters []string) ([]entry, error) {
	w, err := kv.WatchFiltered(ctx, filters, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read bucket %s: %w", kv.Bucket(), err)
	}
	defer w.Stop()
	var out []entry
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // all current values seen
				return out, nil
			}
			out = append(out, entry{key: e.Key(), value: e.Value(), rev: e.Revision()})
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
func decodeJSON[T any](e entry) (T, error) {
	var v T
	if err := json.Unmarshal(e.value, &v); err != nil {
		return v, fmt.Errorf("%w %s: %w", errUndecodable, e.key, err)
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
