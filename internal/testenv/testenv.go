// Package testenv finds the real parts tests drive: Meilisearch, Chromium, the shared corpus and
// other programs. Outside CI a missing part skips the test with how to install it; in CI (CI set)
// it fails the test.
package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Missing reports that a part a test needs is not there: fatal in CI, a skip elsewhere.
func Missing(t testing.TB, part, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %s", part, why)
	}
	t.Skipf("%s missing: %s", part, why)
}

// Corpus returns the shared corpus directory: $ORCHARD_CORPUS, or ../shared/corpus beside the
// module root.
func Corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ORCHARD_CORPUS")
	if dir == "" {
		dir = filepath.Join(ModuleRoot(), "..", "shared", "corpus")
	}
	if st, err := os.Stat(filepath.Join(dir, "EXPECTED.tsv")); err != nil || st.IsDir() {
		Missing(t, "corpus", "no EXPECTED.tsv in "+dir+"; check out the shared corpus beside the module or set ORCHARD_CORPUS")
	}
	return dir
}

// ModuleRoot is the directory holding go.mod.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Program returns the path of an executable on PATH, or reports it Missing with the hint.
func Program(t testing.TB, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, "not on PATH; "+hint)
	}
	return p
}

// FreeAddr returns a loopback address nothing listens on, for a server a test starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
