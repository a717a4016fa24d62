package testenv

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// NATSVersion is the nats-server version Orchard embeds, from go.mod.
func NATSVersion(t testing.TB) string {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join(ModuleRoot(), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/nats-io/nats-server/v2 (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod names no nats-server version")
	}
	return string(m[1])
}

// NATSServer finds the nats-server of the version Orchard embeds: installed by
// scripts/install-test-deps.sh into the cache ($ORCHARD_CACHE or the user's cache/orchard), or
// on PATH.
func NATSServer(t testing.TB) string {
	t.Helper()
	version := NATSVersion(t)
	cache := os.Getenv("ORCHARD_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(dir, "orchard")
	}
	p := filepath.Join(cache, "nats-server-"+version, "nats-server")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return Program(t, "nats-server", "go install github.com/nats-io/nats-server/v2@"+version+", or run scripts/install-test-deps.sh")
}
