package workers

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A backup is JSON lines: a header naming the format and its version, one line per key of
// every Orchard bucket, and a trailer with the count, so that a cut-off file is refused
// rather than half restored.
const (
	backupFormat  = "orchard-backup"
	backupVersion = 1
)

type backupHeader struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Created time.Time `json:"created"`
}

type backupEntry struct {
	Bucket string `json:"bucket,omitempty"`
	Key    string `json:"key,omitempty"`
	Value  []byte `json:"value,omitempty"`
	// End marks the trailer; Entries counts the lines before it.
	End     bool `json:"end,omitempty"`
	Entries int  `json:"entries,omitempty"`
}

// BackupStats says what a backup or restore held.
type BackupStats struct {
	Buckets map[string]int // keys per bucket
	Entries int
}

// ErrBadBackup says that a file is not a complete Orchard backup this version can read.
var ErrBadBackup = errors.New("not a complete Orchard backup")

// Backup writes the current value of every key of every Orchard bucket (sources, checkpoints,
// runs, schedule leases, cancel requests, deployment facts and the document buckets: tokens,
// decisions, toolkits, sessions) to w. Streams are not included: queued jobs are re-queued by
// the scheduler and dead letters are diagnostics.
func (s *System) Backup(ctx context.Context, w io.Writer) (BackupStats, error) {
	stats := BackupStats{Buckets: map[string]int{}}
	var names []string
	lister := s.js.KeyValueStoreNames(ctx)
	for name := range lister.Name() {
		if strings.HasPrefix(name, "orchard_") {
			names = append(names, name)
		}
	}
	if err := lister.Error(); err != nil {
		return stats, fmt.Errorf("list buckets: %w", err)
	}
	slices.Sort(names)
	enc := json.NewEncoder(w)
	if err := enc.Encode(backupHeader{Format: backupFormat, Version: backupVersion, Created: time.Now().UTC()}); err != nil {
		return stats, fmt.Errorf("write backup: %w", err)
	}
	for _, name := range names {
		kv, err := s.js.KeyValue(ctx, name)
		if err != nil {
			return stats, fmt.Errorf("open bucket %s: %w", name, err)
		}
		es, err := entries(ctx, s.nc, kv)
		if err != nil {
			return stats, err
		}
		for _, e := range es {
			if err := enc.Encode(backupEntry{Bucket: name, Key: e.Key(), Value: e.Value()}); err != nil {
				return stats, fmt.Errorf("write backup: %w", err)
			}
			stats.Buckets[name]++
			stats.Entries++
		}
	}
	if err := enc.Encode(backupEntry{End: true, Entries: stats.Entries}); err != nil {
		return stats, fmt.Errorf("write backup: %w", err)
	}
	return stats, nil
}

// Restore reads a backup written by Backup and stores every key in its bucket, creating the
// bucket if needed; keys the backup does not hold are left as they are. The whole file is read
// and checked before anything is written.
func (s *System) Restore(ctx context.Context, r io.Reader) (BackupStats, error) {
	stats := BackupStats{Buckets: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	if !sc.Scan() {
		return stats, fmt.Errorf("%w: empty file", ErrBadBackup)
	}
	var h backupHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != backupFormat {
		return stats, fmt.Errorf("%w: no %s header", ErrBadBackup, backupFormat)
	}
	if h.Version != backupVersion {
		return stats, fmt.Errorf("%w: version %d, this Orchard reads version %d", ErrBadBackup, h.Version, backupVersion)
	}
	var all []backupEntry
	complete := false
	for sc.Scan() {
		var e backupEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return stats, fmt.Errorf("%w: line %d: %w", ErrBadBackup, len(all)+2, err)
		}
		if e.End {
			if e.Entries != len(all) {
				return stats, fmt.Errorf("%w: trailer counts %d entries, the file holds %d", ErrBadBackup, e.Entries, len(all))
			}
			complete = true
			break
		}
		all = append(all, e)
	}
	if err := sc.Err(); err != nil {
		return stats, fmt.Errorf("read backup: %w", err)
	}
	if !complete {
		return stats, fmt.Errorf("%w: no trailer after %d entries (cut off?)", ErrBadBackup, len(all))
	}
	kvs := map[string]jetstream.KeyValue{}
	for _, e := range all {
		kv, ok := kvs[e.Bucket]
		if !ok {
			var err error
			if kv, err = s.restoreBucket(ctx, e.Bucket); err != nil {
				return stats, err
			}
			kvs[e.Bucket] = kv
		}
		if _, err := kv.Put(ctx, e.Key, e.Value); err != nil {
			return stats, fmt.Errorf("restore %s %s: %w", e.Bucket, e.Key, err)
		}
		stats.Buckets[e.Bucket]++
		stats.Entries++
	}
	return stats, nil
}

// restoreBucket opens a bucket named in a backup with the configuration Orchard gives it.
func (s *System) restoreBucket(ctx context.Context, name string) (jetstream.KeyValue, error) {
	switch name {
	case sourcesBucket:
		return s.sources, nil
	case ckptBucket:
		return s.ckpts, nil
	case runsBucket:
		return s.runs, nil
	case controlBucket:
		return s.control, nil
	case leaseBucket:
		return s.leases, nil
	case clusterBucket:
		return s.clusterKV(ctx)
	}
	if doc, ok := strings.CutPrefix(name, docsBucketPfx); ok {
		d, err := s.Docs(ctx, doc)
		if err != nil {
			return nil, err
		}
		return d.kv, nil
	}
	return nil, fmt.Errorf("%w: unknown bucket %s", ErrBadBackup, name)
}
