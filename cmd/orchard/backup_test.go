package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/workers"
)

// A backup restored into a fresh data directory keeps the sources and a token that still
// authenticates; a data directory a running server holds is refused.
func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := isolate(t)
	t.Setenv("ORCHARD_NATS_LISTEN", testenv.FreeAddr(t)) // nothing listens: commands open the store
	t.Setenv("ORCHARD_DATA_DIR", filepath.Join(dir, "old"))
	out, _, err := run(t, "token", "create", "--role", "admin", "--name", "ops")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(out)
	file := filepath.Join(dir, "orchard.backup")
	if _, errOut, err := run(t, "backup", file); err != nil || !strings.Contains(errOut, "orchard_doc_tokens") {
		t.Fatalf("backup: %v\n%s", err, errOut)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", st, err)
	}

	t.Setenv("ORCHARD_DATA_DIR", filepath.Join(dir, "live"))
	startServe(t, "--nats-listen", "", "--workers=0")
	_, _, err = run(t, "restore", file)
	if !errors.Is(err, workers.ErrStoreInUse) || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("restore under a running server: %v", err)
	}

	fresh := filepath.Join(dir, "new")
	t.Setenv("ORCHARD_DATA_DIR", fresh)
	if _, errOut, err := run(t, "restore", file); err != nil || !strings.Contains(errOut, "restored") {
		t.Fatalf("restore: %v\n%s", err, errOut)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	sys, err := workers.Open(ctx, workers.Config{Dir: fresh}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	store, err := sys.Docs(ctx, auth.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.Verify(ctx, store, token)
	if err != nil || tok.Role != auth.RoleAdmin {
		t.Fatalf("restored token: %+v %v", tok, err)
	}
}
