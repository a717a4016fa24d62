package testenv

import (
	"os"
	"testing"
)

// Slow marks a test of the slow tier (a browser, Meilisearch, a NATS cluster, the Catmandu
// OAI-PMH server end to end, large data sets): `go test -short` skips it and says why, for a
// quick check while working. In CI ("CI" set) nothing is skipped, -short or not, and
// `make test` runs without -short, so everything runs there.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skipf("slow (%s): runs without -short, as in CI and make test", why)
	}
}
