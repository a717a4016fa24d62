package workers

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// A local user without the data directory's token cannot reach the embedded server's
// listener; with it, they can.
func TestEmbeddedNATSRefusesClientsWithoutToken(t *testing.T) {
	t.Parallel()
	s := openSystem(t, Config{Listen: "127.0.0.1:0"})
	url := s.ClientURL()
	for name, opts := range map[string][]nats.Option{
		"no credentials": nil,
		"wrong token":    {nats.Token("guess")},
		"user password":  {nats.UserInfo("orchard", "orchard")},
	} {
		nc, err := nats.Connect(url, append(opts, nats.NoReconnect(), nats.Timeout(2*time.Second))...)
		if err == nil {
			nc.Close()
			t.Errorf("%s: connected", name)
		} else if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("%s: refused for another reason: %v", name, err)
		}
	}
	path := filepath.Join(s.cfg.Dir, tokenFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	tok, err := readToken(path)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(url, nats.Token(tok))
	if err != nil {
		t.Fatalf("with the token from the data directory: %v", err)
	}
	nc.Close()
}

// A token file others may read is refused rather than trusted.
func TestTokenFileReadableByOthersIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := openSystem(t, Config{Dir: dir})
	first.Close()
	if err := os.Chmod(filepath.Join(dir, tokenFile), 0o644); err != nil {
		t.Fatal(err)
	}
	err := openErr(t, Config{Dir: dir})
	if err == nil {
		t.Fatal("opened with a world-readable token file")
	}
	if !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("error does not say what to do: %v", err)
	}
}

// A second process on a data directory whose embedded server is running stops instead of
// opening the live store again.
func TestEmbeddedStoreOpenedOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	openSystem(t, Config{Dir: dir})
	err := openErr(t, Config{Dir: dir})
	if err == nil {
		t.Fatal("the live store was opened a second time")
	}
	if !errors.Is(err, ErrStoreInUse) {
		t.Errorf("err = %v, want ErrStoreInUse", err)
	}
}

// openErr opens a System that should not open and returns why it did not.
func openErr(t *testing.T, cfg Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, cfg, testLog(t))
	if err == nil {
		s.Close()
	}
	return err
}

func TestLocalTokenGoesOnlyToLoopback(t *testing.T) {
	tests := []struct {
		urls string
		want bool
	}{
		{"nats://127.0.0.1:4222", true},
		{"nats://localhost:4222", true},
		{"nats://[::1]:4222", true},
		{"nats://127.0.0.1:4222,nats://nats-2:4222", false},
		{"nats://nats-1:4222", false},
		{"nats://10.0.0.1:4222", false},
	}
	for _, tt := range tests {
		if got := loopbackOnly(tt.urls); got != tt.want {
			t.Errorf("loopbackOnly(%q) = %v, want %v", tt.urls, got, tt.want)
		}
	}
}

// The first process records the deployment's catalog; one configured for another is refused
// with both named, and one configured alike is let in.
func TestCatalogBackendRecorded(t *testing.T) {
	t.Parallel()
	s := openSystem(t, Config{})
	ctx := t.Context()
	meili := CatalogBackend{Kind: "meilisearch", URL: "http://meili.example:7700/", Index: "records"}
	if err := s.ClaimCatalog(ctx, meili); err != nil {
		t.Fatal(err)
	}
	same := meili
	same.URL = "http://meili.example:7700"
	if err := s.ClaimCatalog(ctx, same); err != nil {
		t.Errorf("same catalog refused: %v", err)
	}
	for _, other := range []CatalogBackend{
		{Kind: "embedded"},
		{Kind: "meilisearch", URL: "http://other.example:7700", Index: "records"},
		{Kind: "meilisearch", URL: "http://meili.example:7700", Index: "test"},
	} {
		err := s.ClaimCatalog(ctx, other)
		if !errors.Is(err, ErrOtherCatalog) {
			t.Errorf("%s: err = %v, want ErrOtherCatalog", other, err)
			continue
		}
		if !strings.Contains(err.Error(), meili.String()) || !strings.Contains(err.Error(), other.String()) {
			t.Errorf("error does not name both catalogs: %v", err)
		}
	}
}

// A cluster whose servers list users is reached with Config.User and Password; a wrong
// password is refused at connect.
func TestConnectsWithUserAndPassword(t *testing.T) {
	t.Parallel()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(),
		Users: []*server.User{{Username: "orchard", Password: "s3cret-password"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if s, err := Open(ctx, Config{URL: srv.ClientURL(), User: "orchard", Password: "wrong"}, testLog(t)); err == nil {
		s.Close()
		t.Fatal("connected with a wrong password")
	} else if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Errorf("wrong password refused for another reason: %v", err)
	}
	s := openSystem(t, Config{URL: srv.ClientURL(), User: "orchard", Password: "s3cret-password"})
	if _, err := s.Sources().List(ctx); err != nil {
		t.Fatalf("list sources as orchard: %v", err)
	}
}

// TestListenInUse refuses at once, saying why, to start where another process listens.
func TestListenInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Open(t.Context(), Config{Dir: t.TempDir(), Listen: l.Addr().String()}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "is another Orchard using it? set nats.listen") {
		t.Fatalf("open on a port in use: %v", err)
	}
}
