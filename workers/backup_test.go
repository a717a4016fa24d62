package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
)

// dumpBuckets reads every key of every Orchard bucket through a backup.
func dumpBuckets(t *testing.T, s *System) (map[string]map[string]string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	stats, err := s.Backup(t.Context(), &buf)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	out := map[string]map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
		var e backupEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("backup line %q: %v", line, err)
		}
		if e.End {
			if e.Entries != stats.Entries {
				t.Errorf("trailer counts %d, backup reported %d", e.Entries, stats.Entries)
			}
			continue
		}
		if out[e.Bucket] == nil {
			out[e.Bucket] = map[string]string{}
		}
		out[e.Bucket][e.Key] = string(e.Value)
	}
	return out, buf.Bytes()
}

// A backup restored into a fresh data directory holds every key of every bucket with the
// same value: sources, checkpoints, runs, deployment facts and document buckets.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src := openSystem(t, Config{})
	if _, err := src.Sources().Add(ctx, testSource("oer-commons")); err != nil {
		t.Fatal(err)
	}
	if _, err := src.ckpts.Put(ctx, "oer-commons", []byte(`{"token":"page-7"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := src.runs.Put(ctx, "run-1", []byte(`{"id":"run-1","status":"succeeded"}`)); err != nil {
		t.Fatal(err)
	}
	if err := src.ClaimCatalog(ctx, CatalogBackend{Kind: "embedded"}); err != nil {
		t.Fatal(err)
	}
	for bucket, key := range map[string]string{"tokens": "abc123", "overrides": "rec/1", "toolkits": "biology"} {
		d, err := src.Docs(ctx, bucket)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Put(ctx, key, map[string]string{"in": bucket}); err != nil {
			t.Fatal(err)
		}
	}
	want, archive := dumpBuckets(t, src)
	for _, b := range []string{sourcesBucket, ckptBucket, runsBucket, clusterBucket, "orchard_doc_tokens", "orchard_doc_overrides", "orchard_doc_toolkits"} {
		if len(want[b]) == 0 {
			t.Errorf("backup holds nothing of %s", b)
		}
	}

	dst := openSystem(t, Config{})
	stats, err := dst.Restore(ctx, bytes.NewReader(archive))
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if stats.Entries == 0 || stats.Buckets["orchard_doc_tokens"] != 1 {
		t.Errorf("restore stats %+v", stats)
	}
	got, _ := dumpBuckets(t, dst)
	if !maps.EqualFunc(got, want, maps.Equal) {
		t.Errorf("restored buckets differ\n got %v\nwant %v", got, want)
	}
	if _, err := dst.Sources().Get(ctx, "oer-commons"); err != nil {
		t.Errorf("restored source: %v", err)
	}
}

// A file that is not a whole backup of this version is refused before anything is written.
func TestRestoreRefusesIncompleteBackups(t *testing.T) {
	t.Parallel()
	src := openSystem(t, Config{})
	if _, err := src.Sources().Add(t.Context(), testSource("a")); err != nil {
		t.Fatal(err)
	}
	_, archive := dumpBuckets(t, src)
	lines := strings.SplitAfter(string(archive), "\n")
	cases := map[string]string{
		"empty":         "",
		"not a backup":  "{\"hello\":1}\n",
		"newer version": strings.Replace(lines[0], `"version":1`, `"version":99`, 1) + strings.Join(lines[1:], ""),
		"cut off":       strings.Join(lines[:len(lines)-2], ""),
		"unknown bucket": lines[0] + `{"bucket":"orchard_other","key":"k","value":"e30="}` + "\n" +
			`{"end":true,"entries":1}` + "\n",
	}
	for name, in := range cases {
		dst := openSystem(t, Config{})
		if _, err := dst.Restore(context.Background(), strings.NewReader(in)); !errors.Is(err, ErrBadBackup) {
			t.Errorf("%s: restore error %v, want ErrBadBackup", name, err)
		}
		if name != "unknown bucket" {
			if list, err := dst.Sources().List(t.Context()); err != nil || len(list) != 0 {
				t.Errorf("%s: sources after a refused restore: %v %v", name, list, err)
			}
		}
	}
}
