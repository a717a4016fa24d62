package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/internal/oaiserver"
	"github.com/orchard-oer/orchard/internal/testenv"
)

// startServe runs `orchard serve` in-process on free ports until the test ends and points the
// CLI commands of the test at it.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	httpAddr, natsAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	t.Setenv("ORCHARD_HTTP_ADDR", httpAddr)
	t.Setenv("ORCHARD_NATS_LISTEN", natsAddr)
	t.Setenv("ORCHARD_SERVER", "http://"+httpAddr)
	t.Setenv("ORCHARD_HARVEST_ALLOW_PRIVATE_NETWORKS", "true")
	t.Setenv("ORCHARD_HARVEST_PACE", "10ms")
	t.Setenv("ORCHARD_OAI_ADMIN_EMAIL", "oer@library.example.org")
	done := startCommand(t, append([]string{"serve"}, args...)...)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v", err)
		default:
		}
		if resp, err := http.Get("http://" + httpAddr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "http://" + httpAddr
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("serve did not become healthy")
	return ""
}

// startCommand runs a long-lived orchard command in-process until the test ends, when it is
// stopped as by a signal and must end cleanly. The channel reports an early end.
func startCommand(t *testing.T, args ...string) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, errOut, err := runCtx(ctx, args...)
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, errOut)
		}
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%v: %v", args, err)
			}
		case <-time.After(60 * time.Second):
			t.Errorf("%v did not stop within 60s of its signal", args)
		}
	})
	return done
}

func e2eRecords() []oaiserver.Record {
	return []oaiserver.Record{
		{ID: "a", Datestamp: "2024-01-10T00:00:00Z", Title: []string{"Volcanoes explained"}, Creator: []string{"Lava, Lena"},
			Language: []string{"en"}, Identifier: []string{"https://oer.example/a"}, Rights: []string{"http://creativecommons.org/licenses/by/4.0/"}},
		{ID: "b", Datestamp: "2024-01-11T00:00:00Z", Title: []string{"Vulkane verstehen"}, Language: []string{"de"},
			Rights: []string{"CC BY-SA 3.0 DE"}},
		{ID: "c", Datestamp: "2024-01-12T00:00:00Z", Title: []string{"Volcano worksheet"}, Language: []string{"en"},
			Rights: []string{"https://creativecommons.org/licenses/by-nc-nd/4.0/"}},
		{ID: "d", Datestamp: "2024-01-13T00:00:00Z", Title: []string{"Volcano photos"}, Rights: []string{"Ask the photographer"}},
	}
}

// addDetected adds sources whose type is found from their URL, and one whose given type is
// wrong, on a loopback web site.
func addDetected(t *testing.T) {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			_, _ = fmt.Fprintf(w, "User-agent: *\nSitemap: http://%s/sitemap.xml\n", r.Host)
		case "/sitemap.xml":
			_, _ = fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://%s/a</loc></url></urlset>`, r.Host)
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<!doctype html><title>Lessons</title>")
		}
	}))
	t.Cleanup(site.Close)
	if out, errOut, err := run(t, "source", "add", "wrong", "--url", site.URL+"/sitemap.xml", "--type", "oai-pmh"); err == nil ||
		!strings.Contains(errOut+err.Error(), site.URL+"/sitemap.xml is a sitemap, which type oai-pmh cannot harvest: use type web, mode sitemap") {
		t.Fatalf("source add with a wrong type: %v\n%s%s", err, out, errOut)
	}
	tests := []struct{ name, url, want, mode string }{
		{"robots", site.URL + "/robots.txt", "detected: " + site.URL + "/robots.txt is a robots.txt: type web, mode sitemap, URL " + site.URL + "/sitemap.xml\nadded robots (web " + site.URL + "/sitemap.xml)", "sitemap"},
		{"lessons", site.URL + "/lessons", "detected: " + site.URL + "/lessons is a start page: type web, mode crawl\nadded lessons (web " + site.URL + "/lessons)", "crawl"},
	}
	for _, tt := range tests {
		if out, errOut, err := run(t, "source", "add", tt.name, "--url", tt.url); err != nil || !strings.Contains(out, tt.want) {
			t.Fatalf("source add %s: %v\n%s%s", tt.name, err, out, errOut)
		}
		var got struct{ Mode string }
		if out, _, err := run(t, "source", "show", tt.name); err != nil || json.Unmarshal([]byte(out), &got) != nil || got.Mode != tt.mode {
			t.Fatalf("source show %s (%v): %s", tt.name, err, out)
		}
		if _, errOut, err := run(t, "source", "remove", tt.name, "--keep-records"); err != nil {
			t.Fatalf("source remove %s: %v\n%s", tt.name, err, errOut)
		}
	}
}

// endToEnd is the path a librarian and a learner take: add a source to a running Orchard,
// harvest it and wait, then search.
func endToEnd(t *testing.T, localSearch bool, start func()) {
	oai := oaiserver.Start(t, e2eRecords(), oaiserver.Options{PageSize: 2})
	start()

	token, errOut, err := run(t, "token", "create", "--role", "admin", "--name", "e2e")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	t.Setenv("ORCHARD_TOKEN", strings.TrimSpace(token))

	if out, errOut, err := run(t, "source", "add", "volcanoes", "--url", oai.URL, "--pace", "100ms"); err != nil || !strings.Contains(out, "added volcanoes") ||
		!strings.Contains(out, "detected: "+oai.URL+" is an OAI-PMH repository: type oai-pmh\n") {
		t.Fatalf("source add: %v\n%s%s", err, out, errOut)
	}
	addDetected(t)
	if _, errOut, err := run(t, "source", "add", "volcanoes", "--url", oai.URL); err == nil {
		t.Fatalf("adding a source twice succeeded:\n%s", errOut)
	}
	out, errOut, err := run(t, "harvest", "run", "volcanoes", "--wait")
	if err != nil {
		t.Fatalf("harvest run --wait: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "succeeded") || !strings.Contains(errOut, "4 upserted") {
		t.Fatalf("run report:\n%s%s", out, errOut)
	}
	out, _, err = run(t, "source", "list")
	if err != nil || !strings.Contains(out, "volcanoes") || !strings.Contains(out, "succeeded") {
		t.Fatalf("source list (%v):\n%s", err, out)
	}
	out, _, err = run(t, "harvest", "history", "volcanoes")
	if err != nil || !strings.Contains(out, "succeeded") {
		t.Fatalf("harvest history (%v):\n%s", err, out)
	}
	if out, errOut, err := run(t, "links", "broken"); err != nil || out != "No broken links.\n" {
		t.Fatalf("links broken (%v):\n%s%s", err, out, errOut)
	}

	search := func(args ...string) catalog.SearchResult {
		t.Helper()
		args = append([]string{"search", "--json"}, args...)
		if !localSearch {
			args = append(args, "--remote")
		}
		out, errOut, err := run(t, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		var res catalog.SearchResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v printed no JSON: %s", args, out)
		}
		return res
	}
	// Learners see the Creative Commons records by default, the two free-culture ones when they
	// ask, and everything with --openness any.
	if res := search(); res.Total != 3 {
		t.Fatalf("default search: total %d, want the 3 Creative Commons records", res.Total)
	}
	res := search("--openness", "free")
	licenses := map[string]string{}
	for _, h := range res.Hits {
		licenses[h.OriginID] = h.License.ID
	}
	if res.Total != 2 || licenses[oai.Identifier("a")] != "CC-BY-4.0" || licenses[oai.Identifier("b")] != "CC-BY-SA-3.0-DE" {
		t.Fatalf("free culture search: total %d, licenses %v", res.Total, licenses)
	}
	if res := search("--openness", "any"); res.Total != 4 {
		t.Fatalf("search --openness any: total %d, want 4", res.Total)
	}
	if res := search("volcano", "--open", "any"); res.Total != 3 {
		t.Fatalf("search volcano --open any: total %d, want 3", res.Total)
	}
	if res := search("--status", "unknown"); res.Total != 1 || res.Hits[0].OriginID != oai.Identifier("d") {
		t.Fatalf("unknown-license search: %+v", res)
	}
	if res := search("vulkan", "--lang", "de", "--derivatives", "true"); res.Total != 1 {
		t.Fatalf("German adaptable search: total %d", res.Total)
	}

	// The catalog is an OAI-PMH repository at /oai, every record in it once the second in
	// which they were written is over (a list ends at the second before it began).
	server := os.Getenv("ORCHARD_SERVER")
	var (
		body []byte
		n    int
	)
	for deadline := time.Now().Add(5 * time.Second); n != 4 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(server + "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		n = strings.Count(string(body), "<identifier>oai:orchard:")
	}
	if n != 4 || !strings.Contains(string(body), ">"+server+"/oai</request>") {
		t.Fatalf("/oai ListIdentifiers: %d identifiers:\n%s", n, body)
	}
}

func TestEndToEndEmbedded(t *testing.T) {
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	endToEnd(t, false, func() { startServe(t) })
	// serve harvested, so its /metrics counts the harvest and has every series the dashboard
	// and the alert rules read.
	checkMonitoredNames(t, checkHarvestMetrics(t, os.Getenv("ORCHARD_SERVER")+"/metrics"))
}

// useMeilisearch points the test's commands at a fresh index on the test Meilisearch.
func useMeilisearch(t *testing.T, prefix string) {
	t.Helper()
	dir := isolate(t)
	meili := testenv.Meili(t)
	t.Setenv("ORCHARD_DATA_DIR", dir)
	t.Setenv("ORCHARD_CATALOG_MEILISEARCH_URL", meili.URL)
	t.Setenv("ORCHARD_CATALOG_MEILISEARCH_KEY", meili.MasterKey)
	t.Setenv("ORCHARD_CATALOG_MEILISEARCH_INDEX", testenv.IndexName(prefix))
}

func TestEndToEndMeilisearch(t *testing.T) {
	useMeilisearch(t, "e2e")
	endToEnd(t, true, func() { startServe(t) })
}

// TestScaleOut runs the scale-out shape: a NATS server of its own (standing in for the cluster),
// Meilisearch, `orchard serve --workers=0` for the API and scheduler, and a separate
// `orchard worker` that does the harvesting.
func TestScaleOut(t *testing.T) {
	useMeilisearch(t, "scaleout")
	t.Setenv("ORCHARD_NATS_URL", startNATS(t))
	workerAddr := testenv.FreeAddr(t)
	endToEnd(t, true, func() {
		startServe(t, "--workers=0")
		t.Setenv("ORCHARD_WORKERS_HTTP_ADDR", workerAddr)
		startCommand(t, "worker", "--count", "2")
	})
	checkHarvestMetrics(t, "http://"+workerAddr+"/metrics")
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := httpGet(t, "http://"+workerAddr+path); code != http.StatusOK {
			t.Errorf("worker %s: %d %s", path, code, body)
		}
	}
	// serve harvested nothing but reports the deployment's state with the harvest figures.
	_, body := httpGet(t, os.Getenv("ORCHARD_SERVER")+"/metrics")
	for _, name := range []string{"orchard_source_last_success_timestamp_seconds", "orchard_source_staleness_seconds"} {
		if _, n := metricSum(body, name, `source="volcanoes"`); n != 1 {
			t.Errorf("serve /metrics: %d samples of %s for volcanoes", n, name)
		}
	}
	if _, n := metricSum(body, "orchard_harvest_errors_total"); n == 0 {
		t.Error("serve /metrics has no orchard_harvest_errors_total")
	}
}

// startNATS starts a JetStream server listening on a loopback port, as an external cluster
// would be, and returns its URL.
func startNATS(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	return s.ClientURL()
}

// While serve holds the embedded index, a local search goes through the server and an import
// says why it cannot run.
func TestEmbeddedIndexBusy(t *testing.T) {
	testenv.Slow(t, "orchard serve in a process of its own")
	t.Setenv("ORCHARD_DATA_DIR", isolate(t))
	startServe(t)
	out, errOut, err := run(t, "search", "--json", "anything")
	if err != nil || !strings.Contains(out, `"hits"`) {
		t.Fatalf("search while serving: %v\n%s%s", err, out, errOut)
	}
	_, _, err = run(t, "import", writeJSONL(t, rec("t_1", "One", "CC-BY-4.0", "CC-BY", true, true)))
	if err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("import while serving: %v", err)
	}
}
