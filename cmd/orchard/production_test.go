package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/internal/testenv"
	"github.com/orchard-oer/orchard/web"
	"github.com/orchard-oer/orchard/workers"
)

// process is a program the production harness runs and may kill and start again.
type process struct {
	name string
	args []string
	env  []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *process) start(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(p.args[0], p.args[1:]...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, f, f
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}(p.cmd, p.done)
}

// stop signals the process and waits for it to end.
func (p *process) stop(t testing.TB, sig syscall.Signal, within time.Duration) {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(within):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("%s did not end within %v of %v", p.name, within, sig)
	}
}

// production is Orchard as an operator runs it: three nats-server processes in one JetStream
// cluster with the configurations of deploy/nats, Meilisearch, `orchard serve --workers=0` with
// three replicas and `orchard worker` processes, each a process of its own on loopback.
type production struct {
	t       testing.TB // the test or subtest now running
	root    testing.TB // the test that owns the processes
	dir     string
	orchard string
	env     []string
	nats    []*process
	monitor []string // monitoring URL of each node
	meili   *testenv.OwnMeili
	serve   *process
	workers []*process
	api     string
	token   string
	sources []*oaiSource
}

const natsPassword = "orchard-test-password"

// startProduction builds orchard and starts the cluster, Meilisearch and serve.
func startProduction(t testing.TB, workerCount int) *production {
	t.Helper()
	testenv.Slow(t, "a NATS cluster, Meilisearch and Orchard as separate processes")
	natsBin := testenv.NATSServer(t)
	p := &production{t: t, root: t, dir: t.TempDir()}
	p.meili = testenv.StartOwnMeili(t)
	p.orchard = buildOrchard(t, p.dir)

	clients, routes := make([]string, 3), make([]string, 3)
	for i := range 3 {
		clients[i], routes[i] = testenv.FreeAddr(t), testenv.FreeAddr(t)
	}
	for i := range 3 {
		conf, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(), "deploy", "nats", fmt.Sprintf("nats-%d.conf", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		mon := testenv.FreeAddr(t)
		store := filepath.Join(p.dir, fmt.Sprintf("nats-%d", i+1))
		// The deployed configuration with loopback ports in place of the containers' names.
		r := strings.NewReplacer("0.0.0.0:4222", clients[i], "127.0.0.1:8222", mon, "0.0.0.0:6222", routes[i],
			"store_dir: /data", "store_dir: "+strconv.Quote(store),
			"nats-1:6222", routes[0], "nats-2:6222", routes[1], "nats-3:6222", routes[2])
		file := store + ".conf"
		if err := os.WriteFile(file, []byte(r.Replace(string(conf))), 0o600); err != nil {
			t.Fatal(err)
		}
		n := &process{name: fmt.Sprintf("nats-%d", i+1), args: []string{natsBin, "-c", file},
			env: append(os.Environ(), "NATS_PASSWORD="+natsPassword), log: store + ".log"}
		n.start(t)
		p.nats = append(p.nats, n)
		p.monitor = append(p.monitor, "http://"+mon)
	}
	// Streams of three replicas are placed once every node has joined the meta group, which
	// its leader tells.
	p.poll("a whole NATS cluster", time.Minute, func() bool {
		return slices.ContainsFunc(p.monitor, func(mon string) bool {
			resp, err := http.Get(mon + "/jsz")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			var jsz struct {
				Meta struct {
					Leader   string `json:"leader"`
					Replicas []struct {
						Current bool `json:"current"`
						Offline bool `json:"offline"`
					} `json:"replicas"`
				} `json:"meta_cluster"`
			}
			if json.NewDecoder(resp.Body).Decode(&jsz) != nil || jsz.Meta.Leader == "" || len(jsz.Meta.Replicas) != 2 {
				return false
			}
			for _, r := range jsz.Meta.Replicas {
				if !r.Current || r.Offline {
					return false
				}
			}
			return true
		})
	})
	t.Cleanup(func() {
		for _, n := range p.nats {
			n.stop(t, syscall.SIGTERM, 30*time.Second)
		}
	})

	index := testenv.IndexName("production")
	p.env = append(processEnv(p.dir),
		"ORCHARD_NATS_URL=nats://"+strings.Join(clients, ",nats://"),
		"ORCHARD_NATS_USER=orchard", "ORCHARD_NATS_PASSWORD="+natsPassword, "ORCHARD_NATS_REPLICAS=3",
		"ORCHARD_CATALOG_MEILISEARCH_URL="+p.meili.URL, "ORCHARD_CATALOG_MEILISEARCH_KEY="+p.meili.MasterKey,
		"ORCHARD_CATALOG_MEILISEARCH_INDEX="+index,
		"ORCHARD_HARVEST_ALLOW_PRIVATE_NETWORKS=true", "ORCHARD_HARVEST_PACE=10ms",
		"ORCHARD_WORKERS_COUNT="+strconv.Itoa(workerCount))

	httpAddr := testenv.FreeAddr(t)
	p.api = "http://" + httpAddr
	p.serve = p.orchardProcess("serve", "serve", "--workers=0")
	p.serve.env = append(p.serve.env, "ORCHARD_HTTP_ADDR="+httpAddr)
	p.serve.start(t)
	t.Cleanup(func() { p.serve.stop(t, syscall.SIGTERM, 60*time.Second) })
	// Serve first waits for the cluster to elect the leaders of its streams.
	p.poll("serve healthy", 3*time.Minute, func() bool {
		select {
		case <-p.serve.done:
			log, _ := os.ReadFile(p.serve.log)
			t.Fatalf("serve ended:\n%s", log)
		default:
		}
		return healthy(p.api + "/healthz")
	})
	token := exec.Command(p.orchard, "token", "create", "--role", "admin", "--name", "production")
	token.Env = p.orchardProcess("cli").env
	out, err := token.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	p.token = strings.TrimSpace(string(out))
	return p
}

// buildOrchard builds the orchard binary into dir and returns its path.
func buildOrchard(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "orchard")
	build := exec.Command("go", "build", "-o", bin, "./cmd/orchard")
	build.Dir = testenv.ModuleRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// processEnv is the environment of an orchard process the test starts: the test's own without
// Orchard's settings, with home as its home.
func processEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ORCHARD_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home)
}

func healthy(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (p *production) orchardProcess(name string, args ...string) *process {
	dir := filepath.Join(p.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		p.t.Fatal(err)
	}
	return &process{name: name, args: append([]string{p.orchard}, args...),
		env: append(slices.Clip(p.env), "ORCHARD_DATA_DIR="+dir), log: dir + ".log"}
}

// addWorker starts one more `orchard worker` process.
func (p *production) addWorker() *process {
	w := p.orchardProcess(fmt.Sprintf("worker-%d", len(p.workers)+1), "worker")
	w.start(p.t)
	p.workers = append(p.workers, w)
	p.root.Cleanup(func() {
		select {
		case <-w.done:
		default:
			w.stop(p.root, syscall.SIGTERM, 60*time.Second)
		}
	})
	return w
}

// poll waits for cond, failing the test after within.
func (p *production) poll(what string, within time.Duration, cond func() bool) {
	p.t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: not within %v (logs in %s)", what, within, p.dir)
		}
	}
}

// call asks the API with the admin token and decodes a 2xx answer into out.
func (p *production) call(method, path string, body, out any) (int, error) {
	var rd bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd.Reset(b)
	}
	req, _ := http.NewRequest(method, p.api+path, &rd)
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e bytes.Buffer
		_, _ = e.ReadFrom(resp.Body)
		return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.String())
	}
	if out != nil {
		return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, nil
}

// addSources serves n repositories of pages×size records, each on a port of its own and
// answering after delay as a distant server would, and adds them to Orchard.
func (p *production) addSources(n, pages, size int, delay time.Duration) {
	for i := range n {
		src := &oaiSource{prefix: fmt.Sprintf("s%d", i), pages: pages, size: size, delay: delay}
		srv := httptest.NewServer(src)
		p.root.Cleanup(srv.Close)
		p.sources = append(p.sources, src)
		if _, err := p.call(http.MethodPost, "/api/admin/sources", web.Source{Name: src.prefix, Type: harvester.TypeOAIPMH, URL: srv.URL}, nil); err != nil {
			p.t.Fatal(err)
		}
	}
}

// harvestAll starts a full run of every source, calls during (if any) while they run, waits
// until every run has ended and checks that each succeeded with every record. It returns the
// time from the first start to the last end.
func (p *production) harvestAll(during func(runs []string)) time.Duration {
	p.t.Helper()
	started := time.Now()
	var runs []string
	for _, s := range p.sources {
		var r struct {
			RunID string `json:"run_id"`
		}
		if _, err := p.call(http.MethodPost, "/api/admin/sources/"+s.prefix+"/run?full=true", nil, &r); err != nil {
			p.t.Fatal(err)
		}
		runs = append(runs, r.RunID)
	}
	if during != nil {
		during(runs)
	}
	for i, id := range runs {
		var r web.Run
		p.poll("run "+id+" ends", 3*time.Minute, func() bool {
			_, err := p.call(http.MethodGet, "/api/admin/runs/"+id, nil, &r)
			return err == nil && r.Status.Final()
		})
		s := p.sources[i]
		p.t.Logf("run of %s: queued %s after the start, took %v on %s, %d attempts",
			s.prefix, r.Queued.Sub(started).Round(time.Millisecond), r.Ended.Sub(r.Started).Round(time.Millisecond), r.Worker, r.Attempts)
		if r.Status != workers.StatusSucceeded || r.Upserted < s.pages*s.size {
			p.t.Errorf("run %s of %s: %s, %d pages, %d upserted (want %d), attempts %d, error %q, note %q",
				id, s.prefix, r.Status, r.Pages, r.Upserted, s.pages*s.size, r.Attempts, r.Error, r.Note)
		}
	}
	took := time.Since(started)
	p.t.Logf("%d runs ended %v after the start", len(runs), took.Round(time.Millisecond))
	return took
}

// runningOn waits until one of runs is harvesting on a worker process and has confirmed a
// page or two, and returns that worker.
func (p *production) runningOn(runs []string) *process {
	p.t.Helper()
	var found *process
	p.poll("a run under way on a worker", time.Minute, func() bool {
		for _, id := range runs {
			var r web.Run
			if _, err := p.call(http.MethodGet, "/api/admin/runs/"+id, nil, &r); err != nil || r.Status != workers.StatusRunning || r.PagesHarvested < 2 {
				continue
			}
			for _, w := range p.workers {
				if strings.HasSuffix(r.Worker, ":"+strconv.Itoa(w.cmd.Process.Pid)) {
					select {
					case <-w.done:
					default:
						found = w
						return true
					}
				}
			}
		}
		return false
	})
	return found
}

// streamLeader returns the node leading the jobs stream, as a live node's monitoring port tells.
func (p *production) streamLeader() *process {
	p.t.Helper()
	var leader *process
	p.poll("the jobs stream's leader", 30*time.Second, func() bool {
		for _, mon := range p.monitor {
			resp, err := http.Get(mon + "/jsz?accounts=true&streams=true")
			if err != nil {
				continue
			}
			var jsz struct {
				Accounts []struct {
					Streams []struct {
						Name    string `json:"name"`
						Cluster struct {
							Leader string `json:"leader"`
						} `json:"cluster"`
					} `json:"stream_detail"`
				} `json:"account_details"`
			}
			err = json.NewDecoder(resp.Body).Decode(&jsz)
			resp.Body.Close()
			if err != nil {
				continue
			}
			for _, a := range jsz.Accounts {
				for _, s := range a.Streams {
					for _, n := range p.nats {
						if s.Name == "ORCHARD_JOBS" && s.Cluster.Leader == n.name {
							leader = n
							return true
						}
					}
				}
			}
		}
		return false
	})
	return leader
}

// exported reads the whole catalog through `orchard export` and returns the catalog ids of
// each origin id.
func (p *production) exported() map[string][]string {
	p.t.Helper()
	cmd := exec.Command(p.orchard, "export")
	cmd.Env = p.orchardProcess("cli").env
	out, err := cmd.Output()
	if err != nil {
		p.t.Fatalf("export: %v", err)
	}
	ids := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID       string `json:"id"`
			OriginID string `json:"origin_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			p.t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		ids[r.OriginID] = append(ids[r.OriginID], r.ID)
	}
	return ids
}

// oaiSource is an OAI-PMH repository of pages×size oai_dc records, each answer after delay.
type oaiSource struct {
	prefix      string
	pages, size int
	delay       time.Duration
}

const recordDate = "2024-01-02T00:00:00Z"

func (s *oaiSource) id(i int) string { return fmt.Sprintf("oai:production.test:%s-%d", s.prefix, i) }

func (s *oaiSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.delay)
	q := r.URL.Query()
	var body strings.Builder
	switch q.Get("verb") {
	case "Identify":
		body.WriteString(`<Identify><repositoryName>Production test</repositoryName><baseURL>http://x/</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@b.example</adminEmail><earliestDatestamp>2024-01-01T00:00:00Z</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>`)
	case "ListMetadataFormats":
		body.WriteString(`<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix><schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema><metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace></metadataFormat></ListMetadataFormats>`)
	case "ListRecords":
		// Every record bears one datestamp; a harvest in date windows finds them in one.
		if from, until := q.Get("from"), q.Get("until"); (from != "" && from > recordDate) || (until != "" && until < recordDate[:min(len(until), len(recordDate))]) {
			body.WriteString(`<error code="noRecordsMatch"/>`)
			break
		}
		page, _ := strconv.Atoi(q.Get("resumptionToken"))
		body.WriteString("<ListRecords>")
		for i := page * s.size; i < (page+1)*s.size; i++ {
			fmt.Fprintf(&body, `<record><header><identifier>%s</identifier><datestamp>%s</datestamp></header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Lesson %d of %s</dc:title><dc:language>en</dc:language><dc:rights>https://creativecommons.org/licenses/by/4.0/</dc:rights></oai_dc:dc></metadata></record>`, s.id(i), recordDate, i, s.prefix)
		}
		token := ""
		if page+1 < s.pages {
			token = strconv.Itoa(page + 1)
		}
		fmt.Fprintf(&body, `<resumptionToken completeListSize="%d">%s</resumptionToken></ListRecords>`, s.pages*s.size, token)
	default:
		body.WriteString(`<error code="badVerb">unsupported here</error>`)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>%s</responseDate><request>http://x/</request>%s</OAI-PMH>`,
		time.Now().UTC().Format(time.RFC3339), body.String())
}

// TestProductionFaults runs eight network-bound sources on the production shape through each
// fault an operator meets: a worker killed, the jobs stream's leader node killed, Meilisearch
// restarted, a worker stopped. Every run succeeds and the catalog holds every record once.
func TestProductionFaults(t *testing.T) {
	p := startProduction(t, 2)
	p.addWorker()
	p.addWorker()
	p.addSources(8, 10, 20, 200*time.Millisecond)

	t.Run("worker killed", func(t *testing.T) {
		p.t = t
		p.harvestAll(func(runs []string) {
			p.runningOn(runs).stop(t, syscall.SIGKILL, 10*time.Second)
			p.addWorker()
		})
	})
	t.Run("stream leader's node killed", func(t *testing.T) {
		p.t = t
		var leader *process
		p.harvestAll(func(runs []string) {
			p.runningOn(runs)
			leader = p.streamLeader()
			leader.stop(t, syscall.SIGKILL, 10*time.Second)
			p.timeAdminReads(time.Now(), 20*time.Second)
		})
		leader.start(t) // whole again for the faults that follow
	})
	t.Run("Meilisearch restarted", func(t *testing.T) {
		p.t = t
		p.harvestAll(func(runs []string) {
			p.runningOn(runs)
			p.meili.Restart(t, syscall.SIGTERM)
		})
	})
	t.Run("worker stopped", func(t *testing.T) {
		p.t = t
		p.harvestAll(func(runs []string) {
			p.runningOn(runs).stop(t, syscall.SIGTERM, 60*time.Second)
			p.addWorker()
		})
	})
	p.t = t

	ids := p.exported()
	want := 0
	for _, s := range p.sources {
		for i := range s.pages * s.size {
			want++
			if got := ids[s.id(i)]; len(got) != 1 {
				t.Errorf("%s is in the catalog %d times: %v", s.id(i), len(got), got)
			}
		}
	}
	if len(ids) != want {
		t.Errorf("catalog holds %d records, want %d", len(ids), want)
	}
	var res struct {
		Total int `json:"total"`
	}
	if _, err := p.call(http.MethodGet, "/api/search?open=any&per_page=1", nil, &res); err != nil || res.Total != want {
		t.Errorf("/api/search finds %d records (%v), want %d", res.Total, err, want)
	}
}

// timeAdminReads reads /api/admin/status from killed on for the time given and logs how long
// each read took; from 10 s after the kill on, each must answer within 5 s.
func (p *production) timeAdminReads(killed time.Time, span time.Duration) {
	p.t.Helper()
	var log []string
	for time.Since(killed) < span {
		since, start := time.Since(killed), time.Now()
		code, err := p.call(http.MethodGet, "/api/admin/status", nil, nil)
		took := time.Since(start)
		log = append(log, fmt.Sprintf("%4.1fs: %d in %v", since.Seconds(), code, took.Round(time.Millisecond)))
		if since >= 10*time.Second && (err != nil || took > 5*time.Second) {
			p.t.Errorf("/api/admin/status %.1fs after the node was killed: %v after %v", since.Seconds(), err, took)
		}
		time.Sleep(250 * time.Millisecond) // as an admin page polling would
	}
	p.t.Logf("/api/admin/status after the node kill: %s", strings.Join(log, ", "))
}

// BenchmarkWorkerProcesses harvests eight network-bound sources with one worker process, then
// with three (one job slot each), and reports the speed-up. Run it alone:
//
//	go test -run '^$' -bench WorkerProcesses -benchtime 1x ./cmd/orchard
func BenchmarkWorkerProcesses(b *testing.B) {
	p := startProduction(b, 1)
	p.addSources(8, 5, 20, 300*time.Millisecond)
	for b.Loop() {
		p.addWorker()
		one := p.harvestAll(nil)
		p.addWorker()
		p.addWorker()
		three := p.harvestAll(nil)
		b.ReportMetric(one.Seconds(), "s/1-process")
		b.ReportMetric(three.Seconds(), "s/3-processes")
		b.ReportMetric(one.Seconds()/three.Seconds(), "speedup")
		for _, w := range p.workers {
			w.stop(b, syscall.SIGTERM, 60*time.Second)
		}
		p.workers = nil
	}
}
