package testenv

import "testing"

// Slow marks a test of the slow tier (a browser, Meilisearch, a NATS cluster, the Catmandu
// OAI-PMH server end to end, large data sets): `go test -short` skips it and says why, for a
// quick check while working. CI and `make test` run without -short, so everything runs there.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("slow (%s): runs without -short, as in CI and make test", why)
	}
}
