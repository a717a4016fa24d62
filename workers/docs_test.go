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
