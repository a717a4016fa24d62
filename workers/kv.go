package workers

import (
	"context"
	"fmt"

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
