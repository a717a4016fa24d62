package toolkit

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/workers"
)

func TestChanges(t *testing.T) {
	full := &Toolkit{}
	for i := range MaxItems {
		full.Items = append(full.Items, Item{Record: fmt.Sprint("r", i)})
	}
	tests := []struct {
		name   string
		tk     *Toolkit
		change func(*Toolkit) error
		field  string // of the refusal; empty when the change is allowed
		items  int
		title  string
	}{
		{"add", &Toolkit{}, func(t *Toolkit) error { return t.Put("en-photo", "week 1") }, "", 1, ""},
		{"note again", &Toolkit{Items: []Item{{Record: "en-photo"}}}, func(t *Toolkit) error { return t.Put("en-photo", "later") }, "", 1, ""},
		{"bad record", &Toolkit{}, func(t *Toolkit) error { return t.Put("bad.id", "") }, "record", 0, ""},
		{"long note", &Toolkit{}, func(t *Toolkit) error { return t.Put("en-photo", strings.Repeat("n", MaxNote+1)) }, "note", 0, ""},
		{"full", full, func(t *Toolkit) error { return t.Put("one-more", "") }, "items", MaxItems, ""},
		{"remove", &Toolkit{Items: []Item{{Record: "a"}, {Record: "b"}}}, func(t *Toolkit) error { t.Remove("a"); return nil }, "", 1, ""},
		{"rename", &Toolkit{}, func(t *Toolkit) error { return t.Rename("  Week 1 ") }, "", 0, "Week 1"},
		{"empty title", &Toolkit{Title: "x"}, func(t *Toolkit) error { return t.Rename(" ") }, "", 0, "My toolkit"},
		{"long title", &Toolkit{Title: "x"}, func(t *Toolkit) error { return t.Rename(strings.Repeat("t", MaxTitle+1)) }, "title", 0, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.change(tt.tk)
			var fe *FieldError
			if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Fatalf("error %v, want a refusal of %q", err, tt.field)
			}
			if len(tt.tk.Items) != tt.items || tt.title != "" && tt.tk.Title != tt.title {
				t.Errorf("after: %d items, title %q", len(tt.tk.Items), tt.tk.Title)
			}
		})
	}
}

func TestStore(t *testing.T) {
	ctx := t.Context()
	s, _ := openStore(t, workers.DocsLimits{})
	tk, key, err := s.Create(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if !ValidID(tk.ID) || tk.Title != "My toolkit" || !tk.KeyOK(key) || tk.KeyOK("orch_other") || tk.KeyOK("") {
		t.Fatalf("created %+v with key %q", tk, key)
	}
	if _, err := s.Edit(ctx, tk.ID, "wrong", func(t *Toolkit) error { return t.Put("a", "") }); !errors.Is(err, ErrKey) {
		t.Errorf("edit with a wrong key: %v", err)
	}
	// An edit that races another is applied again to the newer toolkit.
	calls := 0
	_, err = s.Edit(ctx, tk.ID, key, func(t *Toolkit) error {
		calls++
		if calls == 1 {
			if _, err := s.Edit(ctx, tk.ID, key, func(t *Toolkit) error { return t.Put("b", "") }); err != nil {
				return err
			}
		}
		return t.Put("a", "")
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || !got.Has("a") || !got.Has("b") {
		t.Errorf("after a raced edit (%d calls): %+v", calls, got.Items)
	}
	for _, id := range []string{"short", strings.Repeat("z", 22)} {
		if _, err := s.Get(ctx, id); !errors.Is(err, workers.ErrNotFound) {
			t.Errorf("get %s: %v", id, err)
		}
	}
}

func TestCheck(t *testing.T) {
	items := func(n int, note string) []Item {
		out := make([]Item, n)
		for i := range out {
			out[i] = Item{Record: fmt.Sprint("r", i), Note: note}
		}
		return out
	}
	tests := []struct {
		name  string
		tk    Toolkit
		field string // of the refusal; empty when the toolkit is within its limits
	}{
		{"largest allowed", Toolkit{Title: strings.Repeat("t", MaxTitle), Items: items(MaxItems, strings.Repeat("n", 1500))}, ""},
		{"too many items", Toolkit{Items: items(MaxItems+1, "")}, "items"},
		{"long note", Toolkit{Items: append(items(1, ""), Item{Record: "x", Note: strings.Repeat("n", MaxNote+1)})}, "note"},
		{"long title", Toolkit{Title: strings.Repeat("t", MaxTitle+1)}, "title"},
		{"bad record", Toolkit{Items: []Item{{Record: "bad id"}}}, "record"},
		// Each '<' is six bytes of JSON: within the note limit, beyond the document's.
		{"too large", Toolkit{Items: items(MaxItems, strings.Repeat("<", MaxNote))}, "items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tk.Check()
			var fe *FieldError
			if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Fatalf("error %v, want a refusal of %q", err, tt.field)
			}
		})
	}
}

func openStore(t *testing.T, lim workers.DocsLimits) (*Store, *workers.Docs) {
	t.Helper()
	cfg := workers.Config{Dir: t.TempDir(), Docs: map[string]workers.DocsLimits{Bucket: lim}}
	sys, err := workers.Open(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	docs, err := sys.Docs(t.Context(), Bucket)
	if err != nil {
		t.Fatal(err)
	}
	return NewStore(docs), docs
}

func TestStoreBounds(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := openStore(t, workers.DocsLimits{MaxBytes: 64 << 10})
	tk, key, err := s.Create(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// An edit that breaks a limit some other way than Put is refused before it is stored.
	_, err = s.Edit(ctx, tk.ID, key, func(t *Toolkit) error {
		for i := range MaxItems + 1 {
			t.Items = append(t.Items, Item{Record: fmt.Sprint("r", i)})
		}
		return nil
	})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "items" {
		t.Fatalf("edit past MaxItems: %v", err)
	}
	// Notes fill the bucket until it refuses with ErrFull.
	note := strings.Repeat("n", MaxNote)
	for i := 0; ; i++ {
		_, err := s.Edit(ctx, tk.ID, key, func(t *Toolkit) error { return t.Put(fmt.Sprint("r", i), note) })
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil || i > 100 {
			t.Fatalf("edit %d of a toolkit in a 64 KiB bucket: %v", i, err)
		}
	}
	// The room an edit of the whole toolkit needed takes a few hundred empty ones at most.
	for i := 0; ; i++ {
		_, _, err := s.Create(ctx, "")
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil || i > 500 {
			t.Fatalf("create %d in a full bucket: %v", i, err)
		}
	}
}

func TestStoreExpires(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const expire = 2 * time.Second
	s, docs := openStore(t, workers.DocsLimits{Expire: expire})
	idle, _, err := s.Create(ctx, "idle")
	if err != nil {
		t.Fatal(err)
	}
	read, _, err := s.Create(ctx, "read")
	if err != nil {
		t.Fatal(err)
	}
	// "read" is viewed all along; "idle" is looked at only in the bucket, which is no use.
	deadline := time.Now().Add(3 * expire)
	for {
		if _, err := s.Get(ctx, read.ID); err != nil {
			t.Fatalf("a toolkit in use expired: %v", err)
		}
		_, err := docs.Get(ctx, idle.ID, &Toolkit{})
		if errors.Is(err, workers.ErrNotFound) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("idle toolkit not expired after %s: %v", 3*expire, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
