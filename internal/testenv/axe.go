package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Axe returns the source of axe-core's axe.min.js for injection into pages a browser test checks:
// $ORCHARD_AXE, or the copy scripts/install-axe.sh keeps in the cache.
func Axe(t testing.TB) string {
	t.Helper()
	path := os.Getenv("ORCHARD_AXE")
	if path == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			Missing(t, "axe-core", "no cache directory; run scripts/install-axe.sh and set ORCHARD_AXE")
		}
		path = filepath.Join(cache, "orchard", "axe-core-4.14.1", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		Missing(t, "axe-core", "run scripts/install-axe.sh (or make test, which installs it) and set ORCHARD_AXE: "+err.Error())
	}
	return string(src)
}
