package workers

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDocsMaxBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := t.Context()
	note := strings.Repeat("n", 1000)

	// Written before any bound was configured.
	s := openSystem(t, Config{Dir: dir})
	d, err := s.Docs(ctx, "notes")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := d.Put(ctx, fmt.Sprint("k", i), note); err != nil {
			t.Fatal(err)
		}
	}
	before, err := d.Bytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Started again with a bound below what the bucket holds: nothing is lost, writes are refused.
	const limit = 10_000
	s = openSystem(t, Config{Dir: dir, Docs: map[string]DocsLimits{"notes": {MaxBytes: limit}}})
	d, err = s.Docs(ctx, "notes")
	if err != nil {
		t.Fatal(err)
	}
	if all, err := d.List(ctx, ""); err != nil || len(all) != 30 {
		t.Fatalf("after lowering MaxBytes: %d documents, %v; want 30", len(all), err)
	}
	if _, err := d.Put(ctx, "more", note); !errors.Is(err, ErrFull) {
		t.Fatalf("write to a bucket over its bound: %v, want ErrFull", err)
	}
	if after, _ := d.Bytes(ctx); after != before {
		t.Errorf("bytes went from %d to %d on a refused write", before, after)
	}

	// Once there is room, writes fill the bucket up to its bound and no further.
	for i := range 30 {
		if err := d.Delete(ctx, fmt.Sprint("k", i)); err != nil {
			t.Fatal(err)
		}
	}
	var stored int
	for i := range 100 {
		_, err := d.Put(ctx, fmt.Sprint("new", i), note)
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		stored++
	}
	if n, _ := d.Bytes(ctx); stored == 0 || stored == 100 || n > limit {
		t.Errorf("%d writes stored, %d bytes held; want a bucket full at %d bytes", stored, n, limit)
	}

	// A bucket not named in Docs gets DocsMaxBytes.
	s2 := openSystem(t, Config{DocsMaxBytes: 3000})
	small, err := s2.Docs(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	var err3 error
	for i := 0; i < 10 && err3 == nil; i++ {
		_, err3 = small.Put(ctx, fmt.Sprint("k", i), note)
	}
	if !errors.Is(err3, ErrFull) {
		t.Errorf("default bound not applied: %v", err3)
	}
}

func TestDocsExpire(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const expire = 2 * time.Second
	s := openSystem(t, Config{Docs: map[string]DocsLimits{"brief": {Expire: expire}}})
	d, err := s.Docs(ctx, "brief")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"idle", "read"} {
		if _, err := d.Create(ctx, k, k); err != nil {
			t.Fatal(err)
		}
	}
	created := time.Now()
	// "read" is read and touched all along; "idle" is left alone until it is gone.
	waitFor(t, 3*expire, func() error {
		if err := d.Touch(ctx, "read"); err != nil {
			return fmt.Errorf("touch: %w", err)
		}
		var v string
		if _, err := d.Get(ctx, "idle", &v); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("idle document still there (%v)", err)
		}
		return nil
	})
	if since := time.Since(created); since < expire {
		t.Errorf("idle document gone after %s, before its expiry of %s", since, expire)
	}
	var v string
	if _, err := d.Get(ctx, "read", &v); err != nil || v != "read" {
		t.Errorf("touched document: %q, %v", v, err)
	}
	if err := d.Touch(ctx, "idle"); !errors.Is(err, ErrNotFound) {
		t.Errorf("touch of a missing document: %v", err)
	}
}

// TestBoundedDocs checks that a bounded bucket refuses a document over its size and one that
// would overfill it, and keeps what it holds.
func TestBoundedDocs(t *testing.T) {
	ctx := t.Context()
	s := openSystem(t, Config{})
	d, err := s.BoundedDocs(ctx, "bounded", 64<<10, 4<<10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(ctx, "small", "kept"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(ctx, "large", strings.Repeat("x", 8<<10)); err == nil {
		t.Error("a document over the value bound was stored")
	}
	filled := 0
	for i := range 40 {
		if _, err := d.Put(ctx, "fill"+strings.Repeat("x", i), strings.Repeat("y", 3<<10)); err != nil {
			break
		}
		filled++
	}
	if filled == 40 {
		t.Error("the bucket took more than its bound")
	}
	var v string
	if _, err := d.Get(ctx, "small", &v); err != nil || v != "kept" {
		t.Errorf("after the bound: %q, %v", v, err)
	}
}

// TestListPrefix checks that a prefix ending in a dot, which the server filters, lists the
// same documents as any other prefix.
func TestListPrefix(t *testing.T) {
	ctx := t.Context()
	d, err := openSystem(t, Config{}).Docs(ctx, "listed")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a.1", "a.2", "a.b.3", "ab", "b.1"} {
		if _, err := d.Put(ctx, k, k); err != nil {
			t.Fatal(err)
		}
	}
	for prefix, want := range map[string]string{"a.": "a.1 a.2 a.b.3", "a": "a.1 a.2 a.b.3 ab", "": "a.1 a.2 a.b.3 ab b.1", "c.": ""} {
		docs, err := d.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, doc := range docs {
			keys = append(keys, doc.Key)
		}
		if got := strings.Join(keys, " "); got != want {
			t.Errorf("list %q: %q, want %q", prefix, got, want)
		}
	}
}
