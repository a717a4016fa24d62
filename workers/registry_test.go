package workers

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

func TestSourceValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Source)
		ok   bool
	}{
		{"minimal", func(*Source) {}, true},
		{"web with everything", func(s *Source) {
			s.Type, s.Mode, s.URLs, s.MaxDepth, s.Pace = harvester.TypeWeb, "urls", []string{"http://a.example/x"}, 2, time.Second
		}, true},
		{"cron in zone", func(s *Source) { s.Schedule, s.TimeZone = "30 2 * * 1-5", "Europe/Berlin" }, true},
		{"interval", func(s *Source) { s.Schedule = "@every 6h" }, true},
		{"descriptor", func(s *Source) { s.Schedule = "@daily" }, true},
		{"prefixes and sets", func(s *Source) { s.MetadataPrefixes, s.Sets = []string{"oai_dc", "lom"}, []string{"math:algebra"} }, true},
		{"upper-case name", func(s *Source) { s.Name = "OER" }, false},
		{"name with dot", func(s *Source) { s.Name = "a.b" }, false},
		{"empty name", func(s *Source) { s.Name = "" }, false},
		{"bad type", func(s *Source) { s.Type = "ftp" }, false},
		{"relative url", func(s *Source) { s.URL = "/oai" }, false},
		{"ftp url", func(s *Source) { s.URL = "ftp://example.org/" }, false},
		{"bad prefix", func(s *Source) { s.MetadataPrefixes = []string{"oai dc"} }, false},
		{"empty set", func(s *Source) { s.Sets = []string{""} }, false},
		{"six-field cron", func(s *Source) { s.Schedule = "0 30 2 * * *" }, false},
		{"garbage schedule", func(s *Source) { s.Schedule = "sometimes" }, false},
		{"tz in schedule", func(s *Source) { s.Schedule = "CRON_TZ=UTC 0 2 * * *" }, false},
		{"interval too short", func(s *Source) { s.Schedule = "@every 10ms" }, false},
		{"unknown zone", func(s *Source) { s.TimeZone = "Mars/Olympus" }, false},
		{"pace too short", func(s *Source) { s.Pace = time.Millisecond }, false},
		{"negative pace", func(s *Source) { s.Pace = -time.Second }, false},
		{"bad from", func(s *Source) { s.From = "last week" }, false},
		{"web settings on an OAI-PMH source are ignored", func(s *Source) { s.Mode = "spider" }, true},
		{"bad mode", func(s *Source) { s.Type, s.Mode = harvester.TypeWeb, "spider" }, false},
		{"bad listed url", func(s *Source) { s.Type, s.Mode, s.URLs = harvester.TypeWeb, "urls", []string{"not a url"} }, false},
		{"negative depth", func(s *Source) { s.Type, s.MaxDepth = harvester.TypeWeb, -1 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := testSource("oer-1")
			tt.edit(&src)
			err := src.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	s := openSystem(t, Config{})
	ctx := t.Context()
	reg := s.Sources()

	a, err := reg.Add(ctx, testSource("beta"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Revision == 0 || a.Created.IsZero() {
		t.Errorf("added source lacks revision or time: %+v", a)
	}
	if _, err := reg.Add(ctx, testSource("beta")); !errors.Is(err, ErrExists) {
		t.Errorf("second add: %v, want ErrExists", err)
	}
	bad := testSource("gamma")
	bad.URL = "nope"
	if _, err := reg.Add(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid add: %v, want ErrInvalid", err)
	}
	if _, err := reg.Add(ctx, testSource("alpha")); err != nil {
		t.Fatal(err)
	}
	list, err := reg.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "beta" {
		t.Fatalf("list = %+v, want alpha, beta", list)
	}

	got, err := reg.Get(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	got.Schedule = "@daily"
	upd, err := reg.Update(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if upd.Revision <= got.Revision || !upd.Created.Equal(a.Created) {
		t.Errorf("update: revision %d after %d, created %v vs %v", upd.Revision, got.Revision, upd.Created, a.Created)
	}
	// got is stale now: compare-and-set refuses it.
	got.Paused = true
	if _, err := reg.Update(ctx, got); !errors.Is(err, ErrConflict) {
		t.Errorf("stale update: %v, want ErrConflict", err)
	}
	if again, _ := reg.Get(ctx, "beta"); again.Schedule != "@daily" || again.Paused {
		t.Errorf("after refused update: %+v", again)
	}
	if _, err := reg.Update(ctx, testSource("nobody")); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of missing: %v, want ErrNotFound", err)
	}

	if err := reg.Remove(ctx, "beta"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Get(ctx, "beta"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get removed: %v, want ErrNotFound", err)
	}
	if err := reg.Remove(ctx, "beta"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: %v, want ErrNotFound", err)
	}
	if _, err := reg.Add(ctx, testSource("beta")); err != nil {
		t.Errorf("re-add after remove: %v", err)
	}
}

func TestDocs(t *testing.T) {
	t.Parallel()
	s := openSystem(t, Config{})
	ctx := t.Context()
	if _, err := s.Docs(ctx, "Bad Name"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad bucket: %v", err)
	}
	d, err := s.Docs(ctx, "toolkits")
	if err != nil {
		t.Fatal(err)
	}
	type kit struct {
		Items []string `json:"items"`
	}
	var k kit
	if _, err := d.Get(ctx, "u1", &k); !errors.Is(err, ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
	rev, err := d.Create(ctx, "u1", kit{Items: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create(ctx, "u1", kit{}); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v", err)
	}
	if _, err := d.Update(ctx, "u1", kit{Items: []string{"a", "b"}}, rev); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Update(ctx, "u1", kit{}, rev); !errors.Is(err, ErrConflict) {
		t.Errorf("stale update: %v", err)
	}
	if _, err := d.Put(ctx, "u2.notes", kit{Items: []string{"z"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(ctx, "has space", kit{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad key: %v", err)
	}
	if _, err := d.Get(ctx, "u1", &k); err != nil || len(k.Items) != 2 {
		t.Errorf("get: %+v, %v", k, err)
	}
	all, err := d.List(ctx, "")
	if err != nil || len(all) != 2 || all[0].Key != "u1" || all[1].Key != "u2.notes" {
		t.Fatalf("list = %+v, %v", all, err)
	}
	some, err := d.List(ctx, "u2")
	if err != nil || len(some) != 1 {
		t.Errorf("list u2 = %+v, %v", some, err)
	}
	if err := d.Delete(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "u1"); err != nil {
		t.Errorf("delete twice: %v", err)
	}
	if all, _ := d.List(ctx, ""); len(all) != 1 {
		t.Errorf("after delete: %+v", all)
	}
	// GetMany leaves out missing, deleted and impossible keys, and takes a key twice.
	many, err := d.GetMany(ctx, []string{"u2.notes", "u1", "missing", "has space", "u2.notes"})
	if err != nil || len(many) != 1 || string(many["u2.notes"]) != `{"items":["z"]}` {
		t.Errorf("GetMany = %q, %v", many, err)
	}
	var keys []string
	for i := range 2*getManyChunk + 1 { // more than one read
		keys = append(keys, fmt.Sprintf("k%d", i))
		if i%100 == 0 {
			if _, err := d.Put(ctx, keys[i], kit{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if many, err := d.GetMany(ctx, keys); err != nil || len(many) != 11 {
		t.Errorf("GetMany of %d keys: %d found, %v", len(keys), len(many), err)
	}
	// The same bucket from a second System on the same data sees the same documents.
	d2, err := s.Docs(ctx, "toolkits")
	if err != nil || d2 != d {
		t.Errorf("second Docs: %v", err)
	}
}

func TestOpenListensForOtherProcesses(t *testing.T) {
	t.Parallel()
	s := openSystem(t, Config{Listen: "127.0.0.1:0"})
	url := s.ClientURL()
	if url == "" {
		t.Fatal("no client URL")
	}
	if _, err := s.Sources().Add(t.Context(), testSource("shared")); err != nil {
		t.Fatal(err)
	}
	other := openSystem(t, Config{URL: url, Dir: s.cfg.Dir})
	if _, err := other.Sources().Get(t.Context(), "shared"); err != nil {
		t.Errorf("second process view: %v", err)
	}
	if openSystem(t, Config{}).ClientURL() != "" {
		t.Error("in-process server reports a client URL")
	}
}

// TestRegistryEdit checks that an edit racing another writer is applied again on the fresh
// source (so neither change is lost), and that an edit pinned to a revision is refused instead.
func TestRegistryEdit(t *testing.T) {
	t.Parallel()
	s := openSystem(t, Config{})
	ctx := t.Context()
	reg := s.Sources()
	src := testSource("beta")
	src.Pace = 5 * time.Second
	added, err := reg.Add(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	out, err := reg.Edit(ctx, "beta", 0, func(s *Source) error {
		calls++
		if calls == 1 { // another writer gets in between this read and its write
			other, err := reg.Get(ctx, "beta")
			if err != nil {
				return err
			}
			other.Schedule = "@daily"
			if _, err := reg.Update(ctx, other); err != nil {
				return err
			}
		}
		s.Paused = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || !out.Paused || out.Schedule != "@daily" || out.Pace != 5*time.Second {
		t.Errorf("after a raced edit (%d calls): %+v", calls, out)
	}
	if _, err := reg.Edit(ctx, "beta", added.Revision, func(s *Source) error { s.Paused = false; return nil }); !errors.Is(err, ErrConflict) {
		t.Errorf("edit at a stale revision: %v, want ErrConflict", err)
	}
	if _, err := reg.Edit(ctx, "beta", out.Revision, func(s *Source) error { s.Name = "gamma"; return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("rename by edit: %v, want ErrInvalid", err)
	}
	if _, err := reg.Edit(ctx, "nobody", 0, func(*Source) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("edit of missing: %v, want ErrNotFound", err)
	}
	if got, _ := reg.Get(ctx, "beta"); !got.Paused || got.Revision != out.Revision {
		t.Errorf("refused edits changed the source: %+v", got)
	}
}
