package toolkit

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

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
		{"full", full, func(t *Toolkit) error { return t.Put("one-more", "") }, "record", MaxItems, ""},
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
	sys, err := workers.Open(ctx, workers.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	docs, err := sys.Docs(ctx, Bucket)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStore(docs)
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
