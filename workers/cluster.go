package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// clusterBucket holds facts about the whole deployment, written once when it is first
// provisioned, that every process must agree with.
const (
	clusterBucket = "orchard_cluster"
	catalogKey    = "catalog"
)

// replicas is how many replicas the stream (a KV bucket's stream is KV_<bucket>) gets: the
// configured number, unless the stream exists with more. A process started with fewer, say a
// CLI command without nats.replicas, must not shrink what the operator built.
// A lookup that fails for another reason than a missing stream is an error: falling back to
// the configured number could shrink the stream.
func (s *System) replicas(ctx context.Context, stream string) (int, error) {
	want := s.cfg.Replicas
	st, err := s.js.Stream(ctx, stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return want, nil
	}
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	have := st.CachedInfo().Config.Replicas
	if have > want {
		s.log.Warn("keeping the replicas of an existing stream; nats.replicas is lower",
			"stream", stream, "replicas", have, "nats.replicas", want)
		return have, nil
	}
	return want, nil
}

// bucket creates or updates a KV bucket, keeping the replicas it has. A cluster still forming
// (a node not yet joined) cannot place the bucket's replicas: that is waited out for up to
// placementWait, so that a process started beside its cluster does not give up at once.
func (s *System) bucket(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	deadline := time.Now().Add(placementWait)
	for {
		r, err := s.replicas(ctx, "KV_"+cfg.Bucket)
		if err != nil {
			return nil, err
		}
		cfg.Replicas = r
		kv, err := s.js.CreateOrUpdateKeyValue(ctx, cfg)
		if err == nil || !isPlacementErr(err) || time.Now().After(deadline) {
			return kv, err
		}
		s.log.Info("waiting for the NATS cluster to place a bucket", "bucket", cfg.Bucket, "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
}

// placementWait bounds how long a bucket waits for enough cluster nodes to hold its replicas.
const placementWait = time.Minute

// isPlacementErr reports JetStream's refusal to place replicas for lack of peers.
func isPlacementErr(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && strings.Contains(apiErr.Description, "no suitable peers")
}

// clusterKV opens the bucket of deployment facts, creating it on first use.
func (s *System) clusterKV(ctx context.Context) (jetstream.KeyValue, error) {
	kv, err := s.bucket(ctx, jetstream.KeyValueConfig{
		Bucket: clusterBucket, Description: "facts every Orchard process of this deployment agrees with",
		Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", clusterBucket, err)
	}
	return kv, nil
}

// CatalogBackend names the search index a deployment writes to.
type CatalogBackend struct {
	Kind  string `json:"kind"` // "embedded" or "meilisearch"
	URL   string `json:"url,omitempty"`
	Index string `json:"index,omitempty"`
}

func (b CatalogBackend) String() string {
	if b.URL == "" {
		return b.Kind
	}
	return fmt.Sprintf("%s at %s, index %q", b.Kind, b.URL, b.Index)
}

func (b CatalogBackend) same(o CatalogBackend) bool {
	return b.Kind == o.Kind && strings.TrimRight(b.URL, "/") == strings.TrimRight(o.URL, "/") && b.Index == o.Index
}

// ErrOtherCatalog says that a process is configured for another catalog than the one its
// deployment was provisioned with.
var ErrOtherCatalog = errors.New("configured for another catalog than the cluster's")

// ClaimCatalog records b as the deployment's catalog when none is recorded yet, and otherwise
// checks that b is the recorded one: a worker indexing into a catalog nobody searches would
// report successes that reach no one.
func (s *System) ClaimCatalog(ctx context.Context, b CatalogBackend) error {
	kv, err := s.clusterKV(ctx)
	if err != nil {
		return err
	}
	val, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if _, err := kv.Create(ctx, catalogKey, val); err == nil {
		s.log.Info("catalog recorded for this deployment", "catalog", b.String())
		return nil
	} else if !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("record catalog: %w", err)
	}
	e, err := kv.Get(ctx, catalogKey)
	if err != nil {
		return fmt.Errorf("read recorded catalog: %w", err)
	}
	var have CatalogBackend
	if err := json.Unmarshal(e.Value(), &have); err != nil {
		return fmt.Errorf("read recorded catalog: %w", err)
	}
	if !have.same(b) {
		return fmt.Errorf("%w: this deployment's catalog is %s (recorded when it was first provisioned), but this process is configured for %s", ErrOtherCatalog, have, b)
	}
	return nil
}
