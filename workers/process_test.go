package workers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// Environment of a worker process started by TestSIGKILL.
const (
	envChild     = "ORCHARD_WORKERS_CHILD"
	envNATS      = "ORCHARD_WORKERS_NATS"
	envDir       = "ORCHARD_WORKERS_DIR"
	envMeiliURL  = "ORCHARD_WORKERS_MEILI_URL"
	envMeiliKey  = "ORCHARD_WORKERS_MEILI_KEY"
	envMeiliName = "ORCHARD_WORKERS_MEILI_INDEX"
)

// slowPager is the harvester of the worker processes: slow enough to be killed mid-run even
// when the index confirms pages a second or two behind the harvest.
func slowPager() *pager { return &pager{pages: 16, per: 25, delay: 250 * time.Millisecond} }

func openMeili(t testing.TB, url, key, name string) *meili.Index {
	t.Helper()
	ix, err := meili.New(context.Background(), meili.Config{URL: url, Key: key, Index: name, Timeout: 2 * time.Second}, testLog(t))
	if err != nil {
		t.Fatalf("open meilisearch index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestHelperWorkerProcess is the body of a worker process; it does nothing in a normal run.
func TestHelperWorkerProcess(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg := killConfig(os.Getenv(envDir))
	cfg.URL = os.Getenv(envNATS)
	s := openSystem(t, cfg)
	ix := openMeili(t, os.Getenv(envMeiliURL), os.Getenv(envMeiliKey), os.Getenv(envMeiliName))
	h := slowPager()
	var once sync.Once
	h.onPage = func(int) { once.Do(func() { fmt.Printf("start %d\n", h.startPages()[0]) }) }
	if err := s.RunWorkers(ctx, pipeline(ix, h), 2); err != nil {
		t.Fatal(err)
	}
}

// startWorkerProcess re-runs the test binary as a worker process; its "start N" lines go to starts.
func startWorkerProcess(t *testing.T, natsURL, dir string, srv *testenv.Server, index string, starts chan<- string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", envNATS+"="+natsURL, envDir+"="+dir,
		envMeiliURL+"="+srv.URL, envMeiliKey+"="+srv.MasterKey, envMeiliName+"="+index)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "start ") {
				starts <- line
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// killConfig is fastConfig with the default AckWait, whose failover time TestSIGKILL measures.
func killConfig(dir string) Config {
	cfg := fastConfig(dir)
	cfg.AckWait = 0
	return cfg
}

// A worker process killed with SIGKILL mid-harvest loses nothing: its run soon says that its
// worker was lost, its job is redelivered within 15 s to another process, which resumes from
// the last checkpoint.
func TestSIGKILL(t *testing.T) {
	t.Parallel()
	srv := testenv.Meili(t)
	index := testenv.IndexName("workers_kill")
	ix := openMeili(t, srv.URL, srv.MasterKey, index)
	cfg := killConfig(t.TempDir())
	cfg.Listen = "127.0.0.1:0"
	s := openSystem(t, cfg)
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("killed")); err != nil {
		t.Fatal(err)
	}
	id, err := s.RunNow(ctx, "killed", false)
	if err != nil {
		t.Fatal(err)
	}
	starts := make(chan string, 4)
	first := startWorkerProcess(t, s.ClientURL(), cfg.Dir, srv, index, starts)
	if got := nextStart(t, s, id, starts); got != "start 0" {
		t.Errorf("first process: %q", got)
	}
	r := waitRun(t, s, id, 30*time.Second, func(r Run) bool { return r.Pages >= 3 })
	if r.PagesHarvested < r.Pages || r.Worker != fmt.Sprintf("%s:%d", s.name[:strings.LastIndex(s.name, ":")], first.Process.Pid) {
		t.Errorf("running: %d pages harvested, %d confirmed, worker %q", r.PagesHarvested, r.Pages, r.Worker)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = first.Wait()
	killedAt := r.Pages
	lost := waitRun(t, s, id, 30*time.Second, func(r Run) bool { return r.Note != "" })
	t.Logf("run says its worker was lost %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	if want := "waiting for redelivery: worker " + r.Worker + " lost"; lost.Status != StatusQueued || lost.Note != want {
		t.Errorf("after the kill: status %q, note %q; want queued, %q", lost.Status, lost.Note, want)
	}
	second := startWorkerProcess(t, s.ClientURL(), cfg.Dir, srv, index, starts)
	var resumed int
	if _, err := fmt.Sscanf(nextStart(t, s, id, starts), "start %d", &resumed); err != nil {
		t.Fatal(err)
	}
	redelivered := time.Since(killed)
	t.Logf("a new worker process resumed the job %v after the kill", redelivered.Round(100*time.Millisecond))
	if redelivered > 15*time.Second {
		t.Errorf("job resumed %v after the kill, want within 15 s", redelivered)
	}
	// The killed process may have checkpointed more pages between the poll above and the
	// signal; the job resumes at its last checkpoint, never before what was confirmed and never
	// from the start (the catalog check below shows nothing was skipped).
	if resumed < killedAt || resumed >= 16 {
		t.Errorf("second process started at page %d; the first was killed after %d of 16", resumed, killedAt)
	}
	r = waitRun(t, s, id, 60*time.Second, ended)
	_ = second.Process.Signal(syscall.SIGTERM)
	_ = second.Wait()
	if r.Status != StatusSucceeded || r.Pages != 16 || r.Upserted != 400 || r.Attempts != 2 {
		t.Errorf("run = %+v", r)
	}
	checkCatalog(t, ix, "killed", slowPager())
}

// nextStart waits for a worker process to start harvesting, and fails with the run's state
// rather than hanging when none does.
func nextStart(t *testing.T, s *System, runID string, starts <-chan string) string {
	t.Helper()
	select {
	case line := <-starts:
		return line
	case <-time.After(time.Minute):
		r, err := s.Run(t.Context(), runID)
		t.Fatalf("no worker process started harvesting within a minute; run %+v (%v)", r, err)
		return ""
	}
}

// meiliProcess is a Meilisearch of this test's own, to stop and restart on the same port and data.
type meiliProcess struct {
	bin, addr, dir, key string
	cmd                 *exec.Cmd
}

func (m *meiliProcess) start(t testing.TB) {
	t.Helper()
	m.cmd = exec.Command(m.bin, "--db-path", filepath.Join(m.dir, "db"), "--dump-dir", filepath.Join(m.dir, "dumps"),
		"--snapshot-dir", filepath.Join(m.dir, "snapshots"), "--http-addr", m.addr, "--no-analytics",
		"--master-key", m.key, "--env", "development", "--log-level", "WARN")
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		t.Fatalf("start meilisearch: %v", err)
	}
	for range 200 {
		if c, err := net.Dial("tcp", m.addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("meilisearch did not listen")
}

func (m *meiliProcess) kill() {
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
}

// The index away for several AckWaits in the middle of a run: the page waits, the checkpoint does not pass
// the pages sent before the outage until the index confirms them, nothing is lost, the run
// completes.
func TestIndexOutage(t *testing.T) {
	testenv.Slow(t, "Meilisearch stopped and restarted")
	t.Parallel()
	bin := os.Getenv("ORCHARD_MEILISEARCH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("meilisearch"); err != nil {
			testenv.Missing(t, "meilisearch", "set ORCHARD_MEILISEARCH to the binary (scripts/install-meilisearch.sh prints it)")
		}
	}
	m := &meiliProcess{bin: bin, addr: testenv.FreeAddr(t), dir: t.TempDir(), key: "outage-test-master-key"}
	m.start(t)
	t.Cleanup(m.kill)
	ix := openMeili(t, "http://"+m.addr, m.key, "records")

	cfg := fastConfig(t.TempDir())
	cfg.IndexRetry = time.Minute
	outage := 3 * cfg.AckWait
	s := openSystem(t, cfg)
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("outage")); err != nil {
		t.Fatal(err)
	}
	after2 := make(chan struct{})
	h := &pager{pages: 6, per: 10, onPage: func(p int) {
		if p == 1 {
			m.kill() // the index goes away before page 2 is written
			close(after2)
		}
	}}
	startWorkers(t, s, pipeline(ix, h), 1)
	id, err := s.RunNow(ctx, "outage", false)
	if err != nil {
		t.Fatal(err)
	}
	<-after2
	// Throughout the outage, which outlasts both the job's AckWait and the index's request
	// timeout, the run holds at page 2 without being handed to another attempt.
	for end := time.Now().Add(outage); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if r, err := s.Run(ctx, id); err != nil || r.Status != StatusRunning || r.Pages > 2 || r.Attempts != 1 || h.calls.Load() != 1 {
			t.Fatalf("during the outage: %+v (err %v) after %d harvests", r, err, h.calls.Load())
		}
	}
	m.start(t)
	r := waitRun(t, s, id, 30*time.Second, ended)
	if r.Status != StatusSucceeded || r.Pages != 6 || r.Upserted != 60 || r.Attempts != 1 || h.calls.Load() != 1 {
		t.Errorf("run = %+v after %d harvests", r, h.calls.Load())
	}
	checkCatalog(t, ix, "outage", h)
}
