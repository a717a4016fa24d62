package workers

import (
	"strings"
	"testing"
)

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
