// Package oaiserver runs a real OAI-PMH repository for tests: Catmandu's OAI-PMH provider
// (Debian's libdancer-plugin-catmandu-oai-perl, from LibreCat) over an in-memory store that
// holds the records a test supplies, served as oai_dc on a loopback port.
//
//	srv := oaiserver.Start(t, []oaiserver.Record{{ID: "1", Datestamp: "2024-01-05T10:00:00Z",
//		Title: []string{"Fractions"}, Rights: []string{"https://creativecommons.org/licenses/by/4.0/"}}},
//		oaiserver.Options{PageSize: 10})
//	h.Harvest(ctx, harvester.Source{URL: srv.URL, …}, …) // srv.Identifier("1") == "oai:orchard.test:1"
//
// The repository answers all six verbs with second granularity, deletedRecord persistent
// (or as Options.DeletedRecord says), records a test may change (Server.SetRecords),
// offset resumption tokens with completeListSize (no cursor or expiry), an empty token on the
// last page, and one set per distinct setSpec of the records. A test without perl or the
// provider is skipped (failed in CI) through testenv.Missing.
package oaiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// Record is one item of the repository. Its oai_dc record holds the Dublin Core fields given.
type Record struct {
	ID        string   `json:"_id"`       // local id; the OAI identifier is "oai:orchard.test:" + ID
	Datestamp string   `json:"datestamp"` // YYYY-MM-DDThh:mm:ssZ
	Sets      []string `json:"setSpec,omitempty"`
	Deleted   bool     `json:"deleted,omitempty"`

	Title       []string `json:"title,omitempty"`
	Creator     []string `json:"creator,omitempty"`
	Subject     []string `json:"subject,omitempty"`
	Description []string `json:"description,omitempty"`
	Publisher   []string `json:"publisher,omitempty"`
	Date        []string `json:"date,omitempty"`
	Type        []string `json:"type,omitempty"`
	Format      []string `json:"format,omitempty"`
	Identifier  []string `json:"identifier,omitempty"` // landing page URLs, DOIs
	Language    []string `json:"language,omitempty"`
	Rights      []string `json:"rights,omitempty"`
}

// Options tune the repository.
type Options struct {
	PageSize int    // records per list page: 10
	Earliest string // earliestDatestamp: the least record datestamp, or 2000-01-01T00:00:00Z
	// SetNames names sets by spec; sets without a name are named by their spec.
	SetNames map[string]string
	// DeletedRecord is what Identify says of deletions: persistent (the default), transient
	// or no.
	DeletedRecord string
}

// Server is a running repository.
type Server struct {
	URL  string // the base URL, http://127.0.0.1:PORT/oai
	file string
	cfg  repoConfig
}

// SetRecords makes the repository hold records from its next request on.
func (s *Server) SetRecords(t testing.TB, records []Record) {
	t.Helper()
	s.cfg.Records = records
	if err := writeConfig(s.file, s.cfg); err != nil {
		t.Fatalf("oaiserver: %v", err)
	}
}

// writeConfig replaces the file whole, so that the server never reads half of it.
func writeConfig(file string, cfg repoConfig) error {
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// Identifier is the OAI identifier of the record with local id.
func (s *Server) Identifier(id string) string { return "oai:orchard.test:" + id }

// Start runs a repository holding records until the test ends.
func Start(t testing.TB, records []Record, opts Options) *Server {
	t.Helper()
	testenv.Slow(t, "Catmandu OAI-PMH server")
	perl, err := exec.LookPath("perl")
	if err != nil {
		testenv.Missing(t, "perl", "apt-get install perl libdancer-plugin-catmandu-oai-perl")
	}
	if err := exec.Command(perl, "-MDancer::Plugin::Catmandu::OAI", "-MJSON", "-e1").Run(); err != nil {
		testenv.Missing(t, "Catmandu OAI-PMH provider", "apt-get install libdancer-plugin-catmandu-oai-perl libjson-perl")
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("oaiserver: %v", err)
	}
	cfg := config(records, opts, port)
	dir := t.TempDir()
	file := filepath.Join(dir, "repository.json")
	if err := writeConfig(file, cfg); err != nil {
		t.Fatalf("oaiserver: %v", err)
	}
	var out strings.Builder
	cmd := exec.Command(perl, filepath.Join(appDir(), "app.pl"), file)
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: &out}, &lockedWriter{w: &out}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := cmd.Start(); err != nil {
		t.Fatalf("oaiserver: start perl: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d/oai", port), file: file, cfg: cfg}
	if err := waitReady(s.URL, 30*time.Second); err != nil {
		t.Fatalf("oaiserver: %v; output:\n%s", err, out.String())
	}
	return s
}

type repoConfig struct {
	Port        int      `json:"port"`
	PageSize    int      `json:"page_size"`
	Granularity string   `json:"granularity"`
	Earliest    string   `json:"earliest"`
	Deleted     string   `json:"deleted_record"`
	Sets        []setCfg `json:"sets"`
	Records     []Record `json:"records"`
}

type setCfg struct {
	Spec string `json:"spec"`
	Name string `json:"name"`
}

func config(records []Record, opts Options, port int) repoConfig {
	c := repoConfig{Port: port, PageSize: opts.PageSize, Granularity: "YYYY-MM-DDThh:mm:ssZ",
		Earliest: opts.Earliest, Deleted: opts.DeletedRecord, Records: records, Sets: []setCfg{}}
	if c.Deleted == "" {
		c.Deleted = "persistent"
	}
	if c.PageSize <= 0 {
		c.PageSize = 10
	}
	if c.Records == nil {
		c.Records = []Record{}
	}
	var specs []string
	for _, r := range records {
		if c.Earliest == "" || r.Datestamp < c.Earliest {
			c.Earliest = r.Datestamp
		}
		for _, s := range r.Sets {
			if !slices.Contains(specs, s) {
				specs = append(specs, s)
			}
		}
	}
	if c.Earliest == "" {
		c.Earliest = "2000-01-01T00:00:00Z"
	}
	slices.Sort(specs)
	for _, s := range specs {
		name := opts.SetNames[s]
		if name == "" {
			name = s
		}
		c.Sets = append(c.Sets, setCfg{Spec: s, Name: name})
	}
	return c
}

func appDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(base string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"?verb=Identify", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("repository at %s not ready after %v: %v", base, within, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lockedWriter lets the process's stdout and stderr share one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
