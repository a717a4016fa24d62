package workers

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// startCluster runs three JetStream servers in one cluster on loopback ports.
func startCluster(t *testing.T) []*server.Server {
	t.Helper()
	routes := make([]string, 3)
	ports := make([]int, 3)
	for i := range 3 {
		addr := testenv.FreeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		ports[i], _ = strconv.Atoi(port)
		routes[i] = "nats://" + addr
	}
	var rurls []*url.URL
	for _, r := range routes {
		u, _ := url.Parse(r)
		rurls = append(rurls, u)
	}
	servers := make([]*server.Server, 3)
	for i := range 3 {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i), Host: "127.0.0.1", Port: server.RANDOM_PORT,
			JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "orchard", Host: "127.0.0.1", Port: ports[i]},
			Routes:  rurls,
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go s.Start()
		servers[i] = s
		t.Cleanup(s.Shutdown)
	}
	for _, s := range servers {
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatal("cluster server not ready")
		}
	}
	return servers
}

// clusterConfig reaches the cluster with three replicas of everything.
func clusterConfig(servers []*server.Server) Config {
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.ClientURL())
	}
	cfg := fastConfig("")
	cfg.URL, cfg.Replicas = strings.Join(urls, ","), 3
	return cfg
}

// A run on R3 streams completes when the stream leader is stopped in the middle of it.
func TestClusterLeaderLoss(t *testing.T) {
	testenv.Slow(t, "three-server NATS cluster")
	t.Parallel()
	servers := startCluster(t)
	s := openSystem(t, clusterConfig(servers)) // provisioning waits for the cluster to elect leaders
	ix := openIndex(t, t.TempDir())
	ctx := t.Context()
	if _, err := s.Sources().Add(ctx, testSource("replicated")); err != nil {
		t.Fatal(err)
	}
	h := &pager{pages: 10, per: 5, delay: 150 * time.Millisecond}
	startWorkers(t, s, pipeline(ix, h), 2)
	id, err := s.RunNow(ctx, "replicated", false)
	if err != nil {
		t.Fatal(err)
	}
	waitRun(t, s, id, 20*time.Second, func(r Run) bool { return r.Pages >= 3 })
	info, err := s.jobs.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
		t.Fatalf("jobs stream is not replicated: %+v", info.Cluster)
	}
	stopped := false
	for _, srv := range servers {
		if srv.Name() == info.Cluster.Leader {
			srv.Shutdown()
			stopped = true
		}
	}
	if !stopped {
		t.Fatalf("leader %q not found", info.Cluster.Leader)
	}
	r := waitRun(t, s, id, 45*time.Second, ended)
	if r.Status != StatusSucceeded || r.Pages != 10 || r.Upserted != 50 {
		t.Errorf("run = %+v", r)
	}
	checkCatalog(t, ix, "replicated", h)
}

// A process started with fewer replicas than the cluster's streams and buckets have (a CLI
// command without nats.replicas) keeps them as they are.
func TestReplicasNeverLowered(t *testing.T) {
	testenv.Slow(t, "three-server NATS cluster")
	t.Parallel()
	cfg := clusterConfig(startCluster(t))
	ctx := t.Context()
	if _, err := openSystem(t, cfg).Docs(ctx, "tokens"); err != nil {
		t.Fatal(err)
	}
	cfg.Replicas = 1
	low := openSystem(t, cfg)
	if _, err := low.Docs(ctx, "tokens"); err != nil {
		t.Fatal(err)
	}
	streams := []string{jobsStream, deadStream, "KV_" + docsBucketPfx + "tokens"}
	for _, b := range []string{sourcesBucket, ckptBucket, runsBucket, controlBucket, leaseBucket} {
		streams = append(streams, "KV_"+b)
	}
	for _, name := range streams {
		st, err := low.js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if r := st.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("%s has %d replicas after a process with nats.replicas=1, want 3", name, r)
		}
	}
	c, err := low.jobs.Consumer(ctx, jobsConsumer)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.CachedInfo().Config.Replicas; r != 3 {
		t.Errorf("consumer has %d replicas, want 3", r)
	}
}

// With one of three nodes killed, the reads behind the admin API, the CLI and the scheduler
// answer within seconds: every read that starts 10 s or more after the kill succeeds in 5 s.
func TestClusterNodeLossReads(t *testing.T) {
	testenv.Slow(t, "three-server NATS cluster")
	t.Parallel()
	servers := startCluster(t)
	s := openSystem(t, clusterConfig(servers))
	ctx := t.Context()
	var runID string
	for _, name := range []string{"alpha", "beta", "gamma"} {
		if _, err := s.Sources().Add(ctx, testSource(name)); err != nil {
			t.Fatal(err)
		}
		id, err := s.RunNow(ctx, name, false)
		if err != nil {
			t.Fatal(err)
		}
		runID = id
	}
	docs, err := s.Docs(ctx, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := docs.Put(ctx, "t1", map[string]string{"role": "admin"}); err != nil {
		t.Fatal(err)
	}
	// The worst node to lose: the one leading the sources bucket, which a watch would need.
	info, err := s.sources.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leader := info.(*jetstream.KeyValueBucketStatus).StreamInfo().Cluster.Leader
	killed := time.Now()
	for _, srv := range servers {
		if srv.Name() == leader {
			srv.Shutdown()
		}
	}
	reads := []struct {
		name string
		read func(context.Context) error
	}{
		{"status", func(ctx context.Context) error { _, err := s.Status(ctx); return err }},
		{"sources", func(ctx context.Context) error { _, err := s.Sources().List(ctx); return err }},
		{"history", func(ctx context.Context) error { _, err := s.History(ctx, "beta", 10); return err }},
		{"run", func(ctx context.Context) error { _, err := s.Run(ctx, runID); return err }},
		{"documents", func(ctx context.Context) error { _, err := docs.List(ctx, ""); return err }},
		{"dead letters", func(ctx context.Context) error { _, err := s.DeadLetters(ctx); return err }},
	}
	slowest := map[string]time.Duration{}
	for round := 0; time.Since(killed) < 20*time.Second; round++ {
		for _, r := range reads {
			since := time.Since(killed)
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			start := time.Now()
			err := r.read(rctx)
			took := time.Since(start)
			cancel()
			if err != nil || took > time.Second || round%10 == 0 {
				t.Logf("%5.1fs after the kill: %s took %v (err %v)", since.Seconds(), r.name, took.Round(time.Millisecond), err)
			}
			if since >= 10*time.Second {
				slowest[r.name] = max(slowest[r.name], took)
				if err != nil || took > 5*time.Second {
					t.Errorf("%s %.1fs after the kill: took %v, err %v", r.name, since.Seconds(), took, err)
				}
			}
		}
		time.Sleep(100 * time.Millisecond) // paces the reads, as a client polling would
	}
	t.Logf("slowest read from 10 s after the kill on: %v", slowest)
}
