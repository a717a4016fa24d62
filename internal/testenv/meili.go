package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running Meilisearch.
type Server struct {
	URL       string
	MasterKey string
	PID       int // of the server started here; 0 for one named by MEILI_URL
}

var (
	once   sync.Once
	shared *Server
	reason string
)

// Meili returns a real Meilisearch server: the one at MEILI_URL (with MEILI_MASTER_KEY), or one
// started from the binary at $ORCHARD_MEILISEARCH or on PATH, shared by all tests of the process
// (scripts/test.sh gives each test process its own: Meilisearch runs one task at a time across
// its indexes, and a package's bulk ingest held another's small writes past their deadlines).
// It skips (outside CI) or fails (in CI) t, or skips (outside CI) or fails (in CI) when none can
// be had.
func Meili(t testing.TB) *Server {
	t.Helper()
	Slow(t, "Meilisearch")
	once.Do(func() { shared, reason = start() })
	if shared == nil {
		Missing(t, "meilisearch", reason+"; run `make test`, which installs it, or set MEILI_URL or put meilisearch on PATH")
	}
	return shared
}

// IndexName returns a fresh index name for one test.
func IndexName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

func start() (*Server, string) {
	if u := os.Getenv("MEILI_URL"); u != "" {
		return &Server{URL: u, MasterKey: os.Getenv("MEILI_MASTER_KEY")}, ""
	}
	bin := os.Getenv("ORCHARD_MEILISEARCH")
	if bin == "" {
		p, err := exec.LookPath("meilisearch")
		if err != nil {
			return nil, "no MEILI_URL, ORCHARD_MEILISEARCH or meilisearch on PATH"
		}
		bin = p
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err.Error()
	}
	addr := l.Addr().String()
	l.Close()
	dir, err := os.MkdirTemp("", "orchard-meili-")
	if err != nil {
		return nil, err.Error()
	}
	key := "test-master-key-" + IndexName("k")
	cmd := exec.Command(bin, "--db-path", filepath.Join(dir, "db"), "--dump-dir", filepath.Join(dir, "dumps"),
		"--snapshot-dir", filepath.Join(dir, "snapshots"), "--http-addr", addr, "--no-analytics",
		"--master-key", key, "--env", "development", "--log-level", "WARN")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := cmd.Start(); err != nil {
		return nil, fmt.Sprintf("start %s: %v", bin, err)
	}
	s := &Server{URL: "http://" + addr, MasterKey: key, PID: cmd.Process.Pid}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, ""
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return nil, fmt.Sprintf("%s did not become healthy on %s", bin, addr)
}
