package auth

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/workers"
)

func store(t *testing.T, bucket string) *workers.Docs {
	t.Helper()
	sys, err := workers.Open(t.Context(), workers.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	d, err := sys.Docs(t.Context(), bucket)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTokens(t *testing.T) {
	st := store(t, "tokens")
	ctx := t.Context()
	plain, err := Create(ctx, st, RoleLibrarian, " Lin ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain, "orch_") || len(plain) < 40 {
		t.Errorf("token %q", plain)
	}
	tok, err := Verify(ctx, st, plain)
	if err != nil || tok.Role != RoleLibrarian || tok.Name != "Lin" {
		t.Fatalf("Verify = %+v, %v", tok, err)
	}
	// Only the hash is stored.
	docs, err := st.List(ctx, "")
	if err != nil || len(docs) != 1 || docs[0].Key != Hash(plain) || strings.Contains(string(docs[0].Value), plain) {
		t.Errorf("stored %+v %v", docs, err)
	}
	for _, bad := range []string{"", "orch_", plain + "x", "Bearer " + plain, strings.Repeat("orch_a", 40)} {
		if _, err := Verify(ctx, st, bad); !errors.Is(err, ErrDenied) {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
	if _, err := Create(ctx, st, "owner", ""); err == nil {
		t.Error("unknown role accepted")
	}
	if err := Revoke(ctx, st, plain); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, st, plain); !errors.Is(err, ErrDenied) {
		t.Errorf("revoked token: %v", err)
	}
}

func TestSessions(t *testing.T) {
	st := store(t, "sessions")
	ctx := t.Context()
	id, s, err := StartSession(ctx, st, Token{Role: RoleAdmin, Name: "ada"}, time.Hour)
	if err != nil || s.CSRF == "" {
		t.Fatal(s, err)
	}
	got, err := LoadSession(ctx, st, id)
	if err != nil || got.Role != RoleAdmin || got.CSRF != s.CSRF {
		t.Fatalf("LoadSession = %+v %v", got, err)
	}
	expired, _, err := StartSession(ctx, st, Token{Role: RoleAdmin}, -time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSession(ctx, st, expired); !errors.Is(err, ErrDenied) {
		t.Errorf("expired session: %v", err)
	}
	if err := EndSession(ctx, st, id); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSession(ctx, st, id); !errors.Is(err, ErrDenied) {
		t.Errorf("ended session: %v", err)
	}
}

func TestRoles(t *testing.T) {
	if !RoleAdmin.Allows(RoleLibrarian) || RoleLibrarian.Allows(RoleAdmin) || !RoleLibrarian.Allows(RoleLibrarian) {
		t.Error("role order")
	}
	if r, err := ParseRole(" Admin "); err != nil || r != RoleAdmin {
		t.Errorf("ParseRole = %v %v", r, err)
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("root accepted")
	}
}
