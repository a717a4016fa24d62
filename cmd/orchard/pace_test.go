package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/workers"
)

// Three `orchard worker` processes share one NATS server and harvest two repositories served
// by one host at the same time: the host sees one request per pace, as if one process
// harvested both.
func TestHostPacedAcrossProcesses(t *testing.T) {
	testenv.Slow(t, "three orchard worker processes")
	meili := testenv.Meili(t)
	dir := t.TempDir()
	bin := buildOrchard(t, dir)
	natsURL := startNATS(t)

	const pace = 300 * time.Millisecond
	log := &testenv.RequestLog{}
	mux := http.NewServeMux()
	sources := []*oaiSource{{prefix: "a", pages: 12, size: 5}, {prefix: "b", pages: 12, size: 5}}
	for _, s := range sources {
		mux.Handle("/"+s.prefix, s)
	}
	log.Handler = mux
	srv := httptest.NewServer(log)
	defer srv.Close()

	env := append(processEnv(dir), "ORCHARD_NATS_URL="+natsURL,
		"ORCHARD_CATALOG_MEILISEARCH_URL="+meili.URL, "ORCHARD_CATALOG_MEILISEARCH_KEY="+meili.MasterKey,
		"ORCHARD_CATALOG_MEILISEARCH_INDEX="+testenv.IndexName("pace"),
		"ORCHARD_HARVEST_ALLOW_PRIVATE_NETWORKS=true",
		// A fixed pace: each process alone would send one request per pace.
		"ORCHARD_HARVEST_PACE="+pace.String(), "ORCHARD_HARVEST_START_PACE="+pace.String())
	for i := range 3 {
		name := fmt.Sprintf("worker-%d", i+1)
		w := &process{name: name, args: []string{bin, "worker", "--count", "1"},
			env: append(slices.Clip(env), "ORCHARD_DATA_DIR="+filepath.Join(dir, name)), log: filepath.Join(dir, name+".log")}
		w.start(t)
		t.Cleanup(func() { w.stop(t, syscall.SIGTERM, 60*time.Second) })
	}

	ctx := t.Context()
	sys, err := workers.Open(ctx, workers.Config{URL: natsURL, Dir: filepath.Join(dir, "admin")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	var runs []string
	for _, s := range sources {
		src := workers.Source{Source: harvester.Source{Name: s.prefix, Type: harvester.TypeOAIPMH, URL: srv.URL + "/" + s.prefix}}
		if _, err := sys.Sources().Add(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range sources {
		id, err := sys.RunNow(ctx, s.prefix, true)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, id)
	}
	var done []workers.Run
	deadline := time.Now().Add(3 * time.Minute)
	for _, id := range runs {
		for {
			r, err := sys.Run(ctx, id)
			if err == nil && r.Status.Final() {
				done = append(done, r)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %s not done within 3 minutes (%+v, %v); logs in %s", id, r, err, dir)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i, r := range done {
		t.Logf("run of %s on %s from %s to %s", r.Source, r.Worker, r.Started.Format("15:04:05.000"), r.Ended.Format("15:04:05.000"))
		if want := sources[i].pages * sources[i].size; r.Status != workers.StatusSucceeded || r.Upserted < want {
			t.Fatalf("run %s: %s, %d upserted (want %d), error %q", r.ID, r.Status, r.Upserted, want, r.Error)
		}
	}
	// The test means something only if two processes harvested at the same time.
	a, b := done[0], done[1]
	if a.Worker == b.Worker || a.Started.After(b.Ended) || b.Started.After(a.Ended) {
		t.Fatalf("the runs did not overlap on two processes: %s %s–%s, %s %s–%s",
			a.Worker, a.Started, a.Ended, b.Worker, b.Started, b.Ended)
	}
	times := log.Times()
	t.Logf("%d requests in %v, %v apart on average", len(times), times[len(times)-1].Sub(times[0]).Round(time.Millisecond),
		(times[len(times)-1].Sub(times[0]) / time.Duration(len(times)-1)).Round(time.Millisecond))
	if err := testenv.Paced(times, pace, 8); err != nil {
		t.Error(err)
	}
}
