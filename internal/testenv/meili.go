package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	bin, err := meiliBinary()
	if err != nil {
		return nil, err.Error()
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
	s := &Server{URL: "http://" + addr, MasterKey: "test-master-key-" + IndexName("k")}
	cmd, err := launchMeili(bin, dir, addr, s.MasterKey)
	if err != nil {
		return nil, err.Error()
	}
	s.PID = cmd.Process.Pid
	return s, ""
}

func meiliBinary() (string, error) {
	if bin := os.Getenv("ORCHARD_MEILISEARCH"); bin != "" {
		return bin, nil
	}
	p, err := exec.LookPath("meilisearch")
	if err != nil {
		return "", errors.New("no MEILI_URL, ORCHARD_MEILISEARCH or meilisearch on PATH")
	}
	return p, nil
}

// launchMeili starts Meilisearch on addr with its data in dir and waits until it is healthy.
func launchMeili(bin, dir, addr, key string) (*exec.Cmd, error) {
	cmd := exec.Command(bin, "--db-path", filepath.Join(dir, "db"), "--dump-dir", filepath.Join(dir, "dumps"),
		"--snapshot-dir", filepath.Join(dir, "snapshots"), "--http-addr", addr, "--no-analytics",
		"--master-key", key, "--env", "development", "--log-level", "WARN")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, fmt.Errorf("%s did not become healthy on %s", bin, addr)
}

// OwnMeili is a Meilisearch of one test, which it may restart.
type OwnMeili struct {
	Server
	bin, dir, addr string
	cmd            *exec.Cmd
}

// StartOwnMeili starts a Meilisearch for t alone, stopped when t ends.
func StartOwnMeili(t testing.TB) *OwnMeili {
	t.Helper()
	Slow(t, "Meilisearch")
	bin, err := meiliBinary()
	if err != nil {
		Missing(t, "meilisearch", err.Error()+"; run `make test`, which installs it")
	}
	m := &OwnMeili{bin: bin, dir: t.TempDir(), addr: FreeAddr(t)}
	m.URL, m.MasterKey = "http://"+m.addr, "test-master-key-"+IndexName("k")
	m.Restart(t, nil)
	t.Cleanup(func() { m.stop(syscall.SIGKILL) })
	return m
}

// Restart stops the server with sig (none for a first start) and starts it again on the same
// address and data.
func (m *OwnMeili) Restart(t testing.TB, sig os.Signal) {
	t.Helper()
	if sig != nil {
		m.stop(sig)
	}
	cmd, err := launchMeili(m.bin, m.dir, m.addr, m.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	m.cmd, m.PID = cmd, cmd.Process.Pid
}

func (m *OwnMeili) stop(sig os.Signal) {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(sig)
	_ = m.cmd.Wait()
	m.cmd = nil
}
