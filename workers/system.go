package workers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the streams, buckets and subjects Orchard keeps in NATS.
const (
	jobsStream     = "ORCHARD_JOBS"
	jobsSubject    = "orchard.jobs."
	jobsConsumer   = "workers"
	deadStream     = "ORCHARD_DEAD"
	deadSubject    = "orchard.dead."
	cancelSubject  = "orchard.cancel."
	progSubject    = "orchard.progress."
	sourcesBucket  = "orchard_sources"
	ckptBucket     = "orchard_checkpoints"
	runsBucket     = "orchard_runs"
	controlBucket  = "orchard_control"
	leaseBucket    = "orchard_schedule"
	workersBucket  = "orchard_workers"
	docsBucketPfx  = "orchard_doc_"
	tombsBucket    = "orchard_tombstones"
	maxDeliverAdv  = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + jobsStream + "." + jobsConsumer
	provisionTries = 5 * time.Second // per attempt: a call before a cluster has a leader can hang
)

// Config says how to reach NATS and how jobs behave. Without URL an embedded server is started
// with its data under Dir; zero durations and counts take defaults.
type Config struct {
	// URL of an external NATS server or cluster (comma-separated); empty starts an embedded server.
	URL   string
	Creds string // credentials file for URL
	Token string // token for URL
	// User and Password for URL, for servers whose configuration lists users.
	User     string
	Password string
	CA       string // PEM file of the CA that signed the servers' certificates
	Cert     string // client certificate (PEM), with Key
	Key      string

	// Dir holds the embedded server's JetStream data (Dir/nats).
	Dir string
	// Listen makes the embedded server listen on this address (host:port) so that commands and
	// workers in other processes can reach it; empty keeps it in-process only.
	Listen string
	// Name is the process's role as NATS shows its connection ("orchard serve"); empty is "orchard".
	Name string
	// Replicas of every stream and bucket: 1 for the embedded server, 3 on a cluster.
	Replicas int

	// AckWait is how long a job may go without a heartbeat before it is redelivered; a worker
	// beats three times per AckWait, so a lost worker's job is back in the queue within about
	// AckWait, and its run lease expires after as long.
	AckWait time.Duration
	// MaxDeliver is how often a job is tried before it goes to the dead-letter stream.
	MaxDeliver int
	// Backoff is the first delay before a failed job is retried; it doubles per attempt up to
	// MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// IndexRetry is how long one page keeps retrying catalog writes before the job is handed
	// back for a later retry.
	IndexRetry time.Duration
	// DrainTimeout bounds how long a stopping worker waits for in-flight jobs to reach a
	// checkpoint before it cancels them.
	DrainTimeout time.Duration
	// History is how many runs are kept per source.
	History int
	// Rescan is how often the scheduler rereads the source registry.
	Rescan time.Duration
	// FullEvery is how often the scheduler makes a source's scheduled run a full one when the
	// source may drop records without reporting them, so that its vanished records are swept;
	// 0 takes 7 days, negative never.
	FullEvery time.Duration
	// SweepMinShare is the least share of a source's records a full run must see for the
	// rest to be removed without a librarian's confirmation; 0 takes 0.5.
	SweepMinShare float64

	// Docs bounds document buckets by name; a bucket not named here, or named without
	// MaxBytes, holds at most DocsMaxBytes.
	Docs         map[string]DocsLimits
	DocsMaxBytes int64
	// ThumbsMaxBytes is the most the thumbnail store holds; 0 takes DefaultThumbsMaxBytes.
	ThumbsMaxBytes int64
}

// DocsLimits bound one document bucket.
type DocsLimits struct {
	// MaxBytes is the most the bucket holds; a write beyond it fails with ErrFull.
	MaxBytes int64
	// Expire removes a document that was neither written nor touched for this long; zero keeps
	// documents until they are deleted.
	Expire time.Duration
	// MaxValue is the largest document; zero leaves it to the server's message limit.
	MaxValue int32
}

// DefaultDocsMaxBytes is DocsMaxBytes when none is configured.
const DefaultDocsMaxBytes = 64 << 20

// DefaultConfig is the configuration Open completes an empty one to.
func DefaultConfig() Config {
	var c Config
	c.defaults()
	return c
}

func (c *Config) defaults() {
	if c.Name == "" {
		c.Name = "orchard"
	}
	if c.Replicas < 1 {
		c.Replicas = 1
	}
	if c.AckWait <= 0 {
		c.AckWait = 10 * time.Second
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 6
	}
	if c.Backoff <= 0 {
		c.Backoff = 10 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	if c.IndexRetry <= 0 {
		c.IndexRetry = 2 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 30 * time.Second
	}
	if c.History <= 0 {
		c.History = 50
	}
	if c.Rescan <= 0 {
		c.Rescan = 15 * time.Second
	}
	if c.DocsMaxBytes <= 0 {
		c.DocsMaxBytes = DefaultDocsMaxBytes
	}
	if c.FullEvery == 0 {
		c.FullEvery = 7 * 24 * time.Hour
	}
	if c.SweepMinShare <= 0 {
		c.SweepMinShare = 0.5
	}
	if c.ThumbsMaxBytes <= 0 {
		c.ThumbsMaxBytes = DefaultThumbsMaxBytes
	}
}

// docsLimits returns the bounds of a document bucket, defaults filled in.
func (c *Config) docsLimits(bucket string) DocsLimits {
	l := c.Docs[bucket]
	if l.MaxBytes <= 0 {
		l.MaxBytes = c.DocsMaxBytes
	}
	return l
}

// System is a connection to Orchard's NATS with its streams and buckets provisioned.
type System struct {
	cfg Config
	log *slog.Logger
	srv *server.Server // nil when connected to an external server
	// lock holds the embedded server's store for this process.
	lock *os.File
	nc   *nats.Conn
	js   jetstream.JetStream

	jobs     jetstream.Stream
	dead     jetstream.Stream
	sources  jetstream.KeyValue
	ckpts    jetstream.KeyValue
	runs     jetstream.KeyValue
	control  jetstream.KeyValue
	leases   jetstream.KeyValue
	tombs    jetstream.KeyValue
	workers  jetstream.KeyValue // run leases: which worker holds a running job
	pace     jetstream.KeyValue // next request slot of each host
	pacer    *Pacer
	thumbs   thumbParts // provisioned on first use, under thumbsMu
	thumbsMu sync.Mutex
	registry *Registry

	// resources maps resource keys to catalog entries (resources.go).
	resources jetstream.KeyValue
	// name is this process as runs name their worker: host:pid.
	name string

	metrics *metrics

	tombCache tombstoneCache

	mu   sync.Mutex
	docs map[string]*Docs
}

// Open connects to the NATS named by cfg.URL, or starts an embedded server, and creates or
// updates every stream and bucket. It retries provisioning until ctx is done, so a cluster that
// is still electing leaders is waited for.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*System, error) {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &System{cfg: cfg, log: log, docs: map[string]*Docs{}, name: processName(), metrics: newMetrics()}
	var err error
	if cfg.URL == "" {
		err = s.startEmbedded()
	} else {
		err = s.connect()
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.js, err = jetstream.New(s.nc)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := s.provision(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.registry = &Registry{nc: s.nc, kv: s.sources, ckpts: s.ckpts}
	return s, nil
}

func (s *System) startEmbedded() error {
	if s.cfg.Dir == "" {
		return errors.New("start embedded nats: no data directory")
	}
	lock, err := lockStore(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("start embedded nats in %s: %w", s.cfg.Dir, err)
	}
	s.lock = lock
	token, err := localToken(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("start embedded nats: %w", err)
	}
	opts := &server.Options{
		Authorization: token,
		ServerName:    "orchard",
		JetStream:     true,
		StoreDir:      filepath.Join(s.cfg.Dir, "nats"),
		NoSigs:        true,
		DontListen:    s.cfg.Listen == "",
	}
	if s.cfg.Listen != "" {
		host, port, err := net.SplitHostPort(s.cfg.Listen)
		if err != nil {
			return fmt.Errorf("nats listen address %q: %w", s.cfg.Listen, err)
		}
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return fmt.Errorf("nats listen port %q: %w", port, err)
		}
		if opts.Port == 0 {
			opts.Port = server.RANDOM_PORT // nats-server reads 0 as its default port
		} else if l, err := net.Listen("tcp", s.cfg.Listen); err != nil {
			// Said at once: nats-server would only log it and time out as not ready.
			return fmt.Errorf("start embedded nats: listen on %s: %w (is another Orchard using it? set nats.listen)", s.cfg.Listen, err)
		} else {
			_ = l.Close()
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("start embedded nats: %w", err)
	}
	srv.SetLogger(serverLog{s.log.With("component", "nats-server")}, false, false)
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return errors.New("start embedded nats: not ready after 10s")
	}
	s.srv = srv
	s.nc, err = nats.Connect("", nats.InProcessServer(srv), nats.Name(s.cfg.Name), nats.Token(token))
	if err != nil {
		srv.Shutdown()
		return fmt.Errorf("connect embedded nats: %w", err)
	}
	return nil
}

func (s *System) connect() error {
	opts := []nats.Option{nats.Name(s.cfg.Name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond)}
	if s.cfg.Creds != "" {
		opts = append(opts, nats.UserCredentials(s.cfg.Creds))
	}
	switch {
	case s.cfg.Token != "":
		opts = append(opts, nats.Token(s.cfg.Token))
	case s.cfg.User != "":
		opts = append(opts, nats.UserInfo(s.cfg.User, s.cfg.Password))
	case s.cfg.Creds == "" && s.cfg.Dir != "" && loopbackOnly(s.cfg.URL):
		// The embedded server of a process on this machine: its token is in the data directory.
		if tok, err := readToken(filepath.Join(s.cfg.Dir, tokenFile)); err == nil {
			opts = append(opts, nats.Token(tok))
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("connect nats %s: %w", s.cfg.URL, err)
		}
	}
	if s.cfg.CA != "" {
		opts = append(opts, nats.RootCAs(s.cfg.CA))
	}
	if s.cfg.Cert != "" || s.cfg.Key != "" {
		opts = append(opts, nats.ClientCert(s.cfg.Cert, s.cfg.Key))
	}
	nc, err := nats.Connect(s.cfg.URL, opts...)
	if err != nil {
		return fmt.Errorf("connect nats %s: %w", s.cfg.URL, err)
	}
	s.nc = nc
	return nil
}

// provision creates or updates every stream and bucket, retrying with short attempts.
func (s *System) provision(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, provisionTries)
		err := s.ensure(actx)
		cancel()
		if err == nil {
			return nil
		}
		s.log.Debug("provision nats", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("provision nats streams and buckets: %w", err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (s *System) ensure(ctx context.Context) error {
	r, err := s.replicas(ctx, jobsStream)
	if err != nil {
		return err
	}
	s.jobs, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        jobsStream,
		Description: "Orchard harvest jobs, one pending per source",
		Subjects:    []string{jobsSubject + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		// One job per source: a second one is refused until the first is acknowledged.
		MaxMsgsPerSubject:    1,
		Discard:              jetstream.DiscardNew,
		DiscardNewPerSubject: true,
		Duplicates:           2 * time.Minute,
		Storage:              jetstream.FileStorage,
		Replicas:             r,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", jobsStream, err)
	}
	_, err = s.jobs.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       jobsConsumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.cfg.AckWait,
		MaxDeliver:    s.cfg.MaxDeliver,
		MaxAckPending: -1,
		Replicas:      r,
	})
	if err != nil {
		return fmt.Errorf("consumer %s: %w", jobsConsumer, err)
	}
	rd, err := s.replicas(ctx, deadStream)
	if err != nil {
		return err
	}
	s.dead, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        deadStream,
		Description: "Orchard jobs that failed every delivery",
		Subjects:    []string{deadSubject + ">"},
		MaxAge:      30 * 24 * time.Hour,
		MaxMsgs:     10000,
		Storage:     jetstream.FileStorage,
		Replicas:    rd,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", deadStream, err)
	}
	kvs := []struct {
		kv  *jetstream.KeyValue
		cfg jetstream.KeyValueConfig
	}{
		{&s.sources, jetstream.KeyValueConfig{Bucket: sourcesBucket, Description: "harvest sources", History: 5}},
		{&s.ckpts, jetstream.KeyValueConfig{Bucket: ckptBucket, Description: "harvest checkpoints"}},
		{&s.runs, jetstream.KeyValueConfig{Bucket: runsBucket, Description: "harvest runs"}},
		{&s.control, jetstream.KeyValueConfig{Bucket: controlBucket, Description: "cancel requests", TTL: 7 * 24 * time.Hour}},
		// A due time's key is created once by whichever scheduler gets there first.
		{&s.leases, jetstream.KeyValueConfig{Bucket: leaseBucket, Description: "scheduler due-time leases", TTL: 48 * time.Hour}},
		{&s.tombs, jetstream.KeyValueConfig{Bucket: tombsBucket, Description: "tombstones of deleted records, for OAI-PMH harvesters"}},
		{&s.resources, jetstream.KeyValueConfig{Bucket: resourcesBucket, Description: "catalog entries of resources several records describe"}},
		// A running job's lease, renewed with every heartbeat: gone, its worker is lost.
		{&s.workers, jetstream.KeyValueConfig{Bucket: workersBucket, Description: "running jobs' worker leases", TTL: s.cfg.AckWait}},
	}
	for _, b := range kvs {
		b.cfg.Storage = jetstream.FileStorage
		kv, err := s.bucket(ctx, b.cfg)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.cfg.Bucket, err)
		}
		*b.kv = kv
	}
	s.pace, err = s.bucket(ctx, jetstream.KeyValueConfig{Bucket: paceBucket, Description: "next request slot of each harvested host",
		TTL: paceTTL, Storage: jetstream.MemoryStorage})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", paceBucket, err)
	}
	s.pacer = newPacer(s.pace, s.name)
	return nil
}

// Close closes the connection and stops the embedded server, if any.
func (s *System) Close() error {
	if s.nc != nil {
		s.nc.Close()
	}
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
	if s.lock != nil {
		s.lock.Close()
	}
	return nil
}

// ClientURL is the address other processes use to reach the embedded server ("" when it does
// not listen or the System is connected to an external server).
func (s *System) ClientURL() string {
	if s.srv == nil || s.cfg.Listen == "" {
		return ""
	}
	return s.srv.ClientURL()
}

// Name is this process as runs and NATS name it: host:pid.
func (s *System) Name() string { return s.name }

func processName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return host + ":" + strconv.Itoa(os.Getpid())
}

// Sources is the source registry.
func (s *System) Sources() *Registry { return s.registry }

// serverLog passes the embedded server's warnings and errors to slog.
type serverLog struct{ log *slog.Logger }

func (l serverLog) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLog) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLog) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLog) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLog) Debugf(format string, v ...any)  {}
func (l serverLog) Tracef(format string, v ...any)  {}

// Ready reports whether the connection to NATS is up.
func (s *System) Ready() error {
	if st := s.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("nats: %s", st)
	}
	return nil
}
