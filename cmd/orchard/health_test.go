package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/workers"
)

// httpGet fetches url and returns its status and body.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metricSum adds up the samples of the metric name in a Prometheus text exposition whose
// labels contain every one of labels (`source="volcanoes"`), and counts them.
func metricSum(exposition, name string, labels ...string) (sum float64, n int) {
	for line := range strings.Lines(exposition) {
		series, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || series != name && !strings.HasPrefix(series, name+"{") {
			continue
		}
		matches := true
		for _, l := range labels {
			matches = matches && strings.Contains(series, l)
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil && matches {
			sum, n = sum+v, n+1
		}
	}
	return sum, n
}

// checkHarvestMetrics checks that /metrics at url counts the end-to-end harvest of source
// "volcanoes" (four records, in as many pages as the harvester's date windows make) and the
// requests and bytes it took, and returns the exposition.
func checkHarvestMetrics(t *testing.T, url string) (exposition string) {
	t.Helper()
	code, body := httpGet(t, url)
	if code != http.StatusOK {
		t.Fatalf("%s: %d\n%s", url, code, body)
	}
	records, _ := metricSum(body, "orchard_harvest_records_total", `source="volcanoes"`)
	pages, _ := metricSum(body, "orchard_harvest_pages_total", `source="volcanoes"`)
	requests, _ := metricSum(body, "orchard_harvest_requests_total", `outcome="ok"`)
	bytes, _ := metricSum(body, "orchard_harvest_bytes_total")
	runs, _ := metricSum(body, "orchard_harvest_run_duration_seconds_count", `status="succeeded"`)
	// Every page took a request at least, and each oai_dc response is some hundreds of bytes.
	if records != 4 || pages < 2 || requests < pages || bytes < 200*requests || runs != 1 {
		t.Errorf("%s: %g records, %g pages, %g requests, %g bytes, %g succeeded runs", url, records, pages, requests, bytes, runs)
	}
	return body
}

// The worker listener answers /healthz while the process lives, /readyz only while NATS is
// connected and the catalog answers, and /metrics with the harvest figures.
func TestWorkerListener(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sys, err := workers.Open(ctx, workers.Config{URL: ns.ClientURL(), Dir: t.TempDir(), Name: "orchard worker",
		DrainTimeout: time.Second}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	idx, err := embedded.Open(embedded.Config{Dir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	closeIdx := sync.OnceValue(idx.Close) // bleve closes once only
	defer closeIdx()
	h, err := newHealthServer("127.0.0.1:0", sys, idx, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	}()
	base := "http://" + h.ln.Addr().String()

	sys.HTTPMetrics().Request("oer.example.org", http.StatusOK, nil, 2048, time.Second)
	if code, body := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with NATS and catalog: %d %s", code, body)
	}
	code, body := httpGet(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, c := range []struct {
		name, label string
		want        float64
	}{
		{"orchard_harvest_requests_total", `host="oer.example.org",outcome="ok"`, 1},
		{"orchard_harvest_bytes_total", `host="oer.example.org"`, 2048},
		{"orchard_jobs_queued", "", 0},
		{"orchard_state_scrape_errors", "", 0},
	} {
		if v, n := metricSum(body, c.name, c.label); n != 1 || v != c.want {
			t.Errorf("/metrics: %s{%s}: %d samples, sum %g, want %g", c.name, c.label, n, v, c.want)
		}
	}
	if _, n := metricSum(body, "go_goroutines"); n != 1 {
		t.Error("/metrics has no Go figures")
	}

	// Not ready: first without the catalog, then without NATS as well.
	closeIdx()
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "catalog") {
		t.Errorf("/readyz without catalog: %d %s", code, body)
	}
	ns.Shutdown()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := httpGet(t, base+"/readyz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "nats") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz without NATS: %d %s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _ := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz of a live but unready worker: %d", code)
	}
}
