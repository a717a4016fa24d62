package main

import (
	"os"
	"strings"
	"testing"
)

// A worker without nats.url would start an embedded NATS and index of its own and report
// harvests nobody sees; it says what is missing instead.
func TestWorkerWithoutNATSURL(t *testing.T) {
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	_, _, err := run(t, "worker", "--count", "1")
	if err == nil || !strings.Contains(err.Error(), "nats.url is unset") {
		t.Fatalf("worker without nats.url: %v", err)
	}
}

// While serve holds the embedded NATS store without a listener, `token create` stops with a
// message instead of opening the live store a second time; with the listener it goes through
// the running server.
func TestTokenCreateNeverOpensALiveStore(t *testing.T) {
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	startServe(t, "--nats-listen", "")
	_, _, err := run(t, "token", "create", "--role", "admin")
	if err == nil || !strings.Contains(err.Error(), "in use by another Orchard process") || !strings.Contains(err.Error(), "nats.listen") {
		t.Fatalf("token create beside a running serve: %v", err)
	}
}

// A process configured for another catalog than the one the deployment recorded refuses to
// start, naming both.
func TestServeRefusesAnotherCatalog(t *testing.T) {
	dir := isolate(t)
	t.Setenv("ORCHARD_DATA_DIR", dir)
	nats := startNATS(t)
	t.Setenv("ORCHARD_NATS_URL", nats)
	startServe(t, "--workers=0") // provisions the deployment with the embedded catalog
	t.Setenv("ORCHARD_CATALOG_MEILISEARCH_URL", "http://127.0.0.1:1")
	_, _, err := run(t, "worker", "--count", "1")
	if err == nil || !strings.Contains(err.Error(), "embedded") || !strings.Contains(err.Error(), "http://127.0.0.1:1") {
		t.Fatalf("worker for another catalog: %v", err)
	}
}

// A worker process on the same machine joins the embedded NATS of `orchard serve` with the
// credentials in the shared data directory, and does the harvesting.
func TestLocalWorkerJoinsServe(t *testing.T) {
	useMeilisearch(t, "localworker")
	endToEnd(t, true, func() {
		startServe(t, "--workers=0")
		t.Setenv("ORCHARD_NATS_URL", "nats://"+os.Getenv("ORCHARD_NATS_LISTEN"))
		startCommand(t, "worker", "--count", "1")
	})
}
