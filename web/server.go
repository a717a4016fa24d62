// Package web is Orchard's HTTP face: the JSON API, the server-rendered pages and the metrics
// endpoint. It reads the catalog through catalog.Index, reaches harvest sources, runs and stored
// documents through the Workers interface, and never imports NATS.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/lab"
	"github.com/orchard-oer/orchard/toolkit"
	"github.com/orchard-oer/orchard/weburl"
	"github.com/orchard-oer/orchard/workers"
)

// Config configures the HTTP server.
type Config struct {
	Addr string // listen address, e.g. 127.0.0.1:8080
	// BaseURL is where users reach the server (scheme, host, optional path), for the absolute
	// links of sitemaps, JSON-LD and /oai; empty takes the scheme and host of each request.
	BaseURL string
	// ShutdownTimeout bounds how long in-flight requests may take once a stop is asked for.
	ShutdownTimeout time.Duration
	// SearchRate and SearchBurst bound anonymous searches per client IP (requests per second,
	// token bucket size); staff are not limited.
	SearchRate  float64
	SearchBurst int
	// WriteRate and WriteBurst bound anonymous writes (toolkits) per client IP the same way.
	WriteRate  float64
	WriteBurst int
	// TrustProxy takes the client IP from X-Forwarded-For (set it only behind a proxy that
	// overwrites that header).
	TrustProxy bool
	// SessionTTL is how long a staff login lasts.
	SessionTTL time.Duration
	// SecureCookies forces the Secure flag on cookies (behind a TLS-terminating proxy); cookies
	// are Secure anyway when the request came over TLS.
	SecureCookies bool
	// MetricsToken, when set, is the bearer token /metrics requires from every client; when
	// empty, /metrics on Addr answers only clients on this machine.
	MetricsToken string
	// MetricsAddr serves /metrics on a listener of its own instead of Addr.
	MetricsAddr string
	// SitemapSize is how many record pages one sitemap lists; 0 takes 50,000, the protocol's
	// limit. A larger catalog gets a sitemap index.
	SitemapSize int
}

// Failed sign-ins and bearer tokens: five in a row, then one more every twelve seconds per
// client, which makes guessing a 256-bit token hopeless and a mistyped one a short wait.
const (
	authFailureRate  = 1.0 / 12
	authFailureBurst = 5
)

// DefaultConfig is the configuration New completes an empty one to.
func DefaultConfig() Config {
	var c Config
	c.defaults()
	return c
}

func (c *Config) defaults() {
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.SearchRate <= 0 {
		c.SearchRate = 10
	}
	if c.SearchBurst <= 0 {
		c.SearchBurst = 30
	}
	if c.SitemapSize <= 0 {
		c.SitemapSize = 50_000
	}
	if c.WriteRate <= 0 {
		c.WriteRate = 2
	}
	if c.WriteBurst <= 0 {
		c.WriteBurst = 10
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 12 * time.Hour
	}
}

// Workers is what the server needs from the harvest system; *workers.System satisfies it.
type Workers interface {
	Sources() *workers.Registry
	RunNow(ctx context.Context, source string, full bool) (string, error)
	Cancel(ctx context.Context, source string) error
	Run(ctx context.Context, id string) (workers.Run, error)
	History(ctx context.Context, source string, limit int) ([]workers.Run, error)
	Status(ctx context.Context) ([]workers.SourceStatus, error)
	WatchProgress(ctx context.Context, source string) (<-chan workers.Progress, error)
	DeadLetters(ctx context.Context) ([]workers.DeadLetter, error)
	BrokenLinks(ctx context.Context) ([]workers.LinkState, error)
	Docs(ctx context.Context, bucket string) (*workers.Docs, error)
	WaitingSweep(ctx context.Context, source string) (workers.Run, error)
	DecideSweep(ctx context.Context, source string, remove bool) (string, error)
	RemoveSource(ctx context.Context, name string, keepRecords bool) (string, error)
}

// Deps are the parts the server works with.
type Deps struct {
	Index catalog.Index
	// Workers reaches sources, runs and stored documents; without it only search and record
	// pages work and the rest answers 503.
	Workers Workers
	// Probe looks at a source before it is added; nil answers 503 to probes.
	Probe ProbeFunc
	// Detect finds a source's type from its URL; nil leaves sources without a type refused.
	Detect DetectFunc
	// OAI serves the catalog at /oai; nil answers 404 there.
	OAI OAIRepository
	// Thumbs serves records' thumbnails at /thumbs/{id}; nil shows type icons only.
	Thumbs ThumbStore
}

// Document buckets the server keeps in Workers.Docs.
const (
	bucketTokens   = auth.Bucket
	bucketSessions = "sessions"
	bucketWeb      = "web"
)

// Server serves the API and pages.
type Server struct {
	cfg     Config
	log     *slog.Logger
	index   catalog.Index
	workers Workers
	probe   ProbeFunc
	detect  DetectFunc
	oaiRepo OAIRepository
	thumbs  ThumbStore
	mux     *http.ServeMux
	metrics *metrics
	pages   *pages
	limits  *limiter // anonymous searches
	writes  *limiter // anonymous writes
	// failures counts failed sign-ins and bearer tokens per client.
	failures *limiter
	csrfKey  []byte
	routes   []string
	// stopping is closed when the server shuts down, ending event streams.
	stopping chan struct{}

	tokens, sessions *workers.Docs
	toolkits         *toolkit.Store
	overrides        *curation.Store
	lab              *lab.Store
}

// New builds a server. With deps.Workers it opens the document buckets it keeps tokens,
// sessions, toolkits and overrides in.
func New(cfg Config, log *slog.Logger, deps Deps) (*Server, error) {
	cfg.defaults()
	if _, err := weburl.Parse(cfg.BaseURL); cfg.BaseURL != "" && err != nil {
		return nil, fmt.Errorf("new web server: base URL: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if deps.Index == nil {
		return nil, errors.New("new web server: no catalog index")
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	pg.bindPictures(deps.Thumbs)
	s := &Server{
		cfg: cfg, log: log, index: deps.Index, workers: deps.Workers, probe: deps.Probe, detect: deps.Detect, oaiRepo: deps.OAI, thumbs: deps.Thumbs,
		mux: http.NewServeMux(), metrics: newMetrics(), pages: pg,
		limits: newLimiter(cfg.SearchRate, cfg.SearchBurst), writes: newLimiter(cfg.WriteRate, cfg.WriteBurst), failures: newLimiter(authFailureRate, authFailureBurst),
		stopping: make(chan struct{}),
	}
	if err := s.openStores(context.Background()); err != nil {
		return nil, err
	}
	s.routeAll()
	return s, nil
}

func (s *Server) openStores(ctx context.Context) error {
	if s.workers == nil {
		s.csrfKey = []byte(randomKey())
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var toolkits *workers.Docs
	for _, b := range []struct {
		name string
		d    **workers.Docs
	}{{bucketTokens, &s.tokens}, {bucketSessions, &s.sessions}, {toolkit.Bucket, &toolkits}} {
		d, err := s.workers.Docs(ctx, b.name)
		if err != nil {
			return fmt.Errorf("new web server: %w", err)
		}
		*b.d = d
	}
	s.toolkits = toolkit.NewStore(toolkits)
	ov, err := curation.Open(ctx, s.workers)
	if err != nil {
		return fmt.Errorf("new web server: %w", err)
	}
	s.overrides = ov
	if err := s.openLab(ctx); err != nil {
		return err
	}
	key, err := sharedKey(ctx, s.workers)
	if err != nil {
		return fmt.Errorf("new web server: %w", err)
	}
	s.csrfKey = key
	return nil
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.secure(s.mux) }

// Run listens until ctx is done, then shuts down gracefully. With MetricsAddr it also serves
// /metrics there; either listener failing stops both.
func (s *Server) Run(ctx context.Context) error {
	srv := &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	// Shutdown waits for requests to end, and event streams would not on their own.
	srv.RegisterOnShutdown(func() { close(s.stopping) })
	servers := []*http.Server{srv}
	if s.cfg.MetricsAddr != "" {
		servers = append(servers, s.metricsServer())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(servers))
	for _, hs := range servers {
		go func() {
			err := s.serveUntil(ctx, hs)
			cancel()
			errc <- err
		}()
	}
	s.log.Info("http listening", "addr", s.cfg.Addr, "url", s.cfg.BaseURL, "metrics_addr", s.cfg.MetricsAddr)
	var first error
	for range servers {
		if err := <-errc; first == nil {
			first = err
		}
	}
	return first
}

// serveUntil serves on hs until ctx is done, then shuts it down within ShutdownTimeout.
func (s *Server) serveUntil(ctx context.Context, hs *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", hs.Addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Routes lists every registered pattern, for the OpenAPI check.
func (s *Server) Routes() []string { return s.routes }

// route registers a handler under a pattern and counts its requests by that pattern.
func (s *Server) route(pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, pattern)
	s.mux.Handle(pattern, s.metrics.instrument(pattern, limitBody(s.identify(h))))
}

func (s *Server) routeAll() {
	if s.cfg.MetricsAddr == "" {
		s.mux.Handle("GET /metrics", s.metricsHandler(false))
		s.routes = append(s.routes, "GET /metrics")
	}
	s.mux.Handle("GET /static/", staticHandler())
	s.routes = append(s.routes, "GET /static/")

	// Learners' API.
	s.route("GET /healthz", s.healthz)
	s.route("GET /api/openapi.json", s.openAPI)
	s.route("GET /api/search", s.limited(s.apiSearch))
	s.route("GET /api/records/{id}", s.apiRecord)
	s.route("GET /api/records/{id}/license", s.apiRecordLicense)
	s.route("GET /thumbs/{id}", s.thumb)
	s.route("GET /api/remix", s.apiRemix)
	s.route("POST /api/attribution/check", s.limited(s.apiAttributionCheck))
	s.route("POST /api/toolkits", s.needDocs(s.anonWrite(s.apiToolkitCreate)))
	s.route("GET /api/toolkits/{id}", s.needDocs(s.apiToolkitGet))
	s.route("PATCH /api/toolkits/{id}", s.needDocs(s.anonWrite(s.apiToolkitRename)))
	s.route("PUT /api/toolkits/{id}/items/{record}", s.needDocs(s.anonWrite(s.apiToolkitPutItem)))
	s.route("DELETE /api/toolkits/{id}/items/{record}", s.needDocs(s.anonWrite(s.apiToolkitDeleteItem)))
	s.route("GET /api/toolkits/{id}/export", s.needDocs(s.apiToolkitExport))
	s.route("GET /api/toolkits/{id}/plan", s.needDocs(s.apiToolkitPlan))
	s.route("GET /charts/licenses.svg", s.chartLicenses)
	s.route("GET /sitemap.xml", s.sitemap)
	s.route("GET /sitemaps/{file}", s.sitemapPart)
	s.route("GET /oai", s.oai)
	s.route("POST /oai", s.oai)
	s.route("GET /api/lab/classes/{code}", s.needDocs(s.limited(s.apiLabClass)))
	s.route("POST /api/lab/classes/{code}/join", s.needDocs(s.limited(s.apiLabJoin)))
	s.route("GET /api/lab/classes/{code}/me", s.needDocs(s.apiLabMe))
	s.route("POST /api/lab/classes/{code}/answers/{n}", s.needDocs(s.limited(s.apiLabAnswer)))

	// Staff API.
	lib, adm := s.staffAPI(roleLibrarian), s.staffAPI(roleAdmin)
	s.route("GET /api/admin/status", lib(s.apiStatus))
	s.route("GET /api/admin/sources", lib(s.apiSources))
	s.route("POST /api/admin/sources", lib(s.apiSourceAdd))
	s.route("GET /api/admin/sources/{name}", lib(s.apiSourceGet))
	s.route("PUT /api/admin/sources/{name}", lib(s.apiSourceEdit))
	s.route("PATCH /api/admin/sources/{name}", lib(s.apiSourceEdit))
	s.route("DELETE /api/admin/sources/{name}", adm(s.apiSourceDelete))
	s.route("POST /api/admin/sources/{name}/run", lib(s.apiSourceRun))
	s.route("POST /api/admin/sources/{name}/cancel", lib(s.apiSourceCancel))
	s.route("POST /api/admin/sources/{name}/sweep", lib(s.apiSourceSweep))
	s.route("GET /api/admin/sources/{name}/progress", lib(s.sourceProgress))
	s.route("POST /api/admin/probe", lib(s.apiProbe))
	s.route("GET /api/admin/runs", lib(s.apiRuns))
	s.route("GET /api/admin/runs/{id}", lib(s.apiRun))
	s.route("GET /api/admin/deadletters", lib(s.apiDeadLetters))
	s.route("GET /api/admin/links/broken", lib(s.apiBrokenLinks))
	s.route("GET /api/admin/curation", lib(s.apiCuration))
	s.route("GET /api/admin/overrides/{id}", lib(s.apiOverrideGet))
	s.route("PUT /api/admin/overrides/{id}", lib(s.apiOverridePut))
	s.route("DELETE /api/admin/overrides/{id}", lib(s.apiOverrideDelete))
	s.route("POST /api/admin/records/{id}/hide", lib(s.apiHide))
	s.route("POST /api/admin/records/{id}/split", lib(s.apiSplit))
	s.route("GET /charts/runs.svg", lib(s.chartRuns))
	s.route("GET /api/lab/sets", lib(s.apiLabSets))
	s.route("POST /api/lab/sets", lib(s.apiLabSetCreate))
	s.route("POST /api/lab/sets/import", lib(s.apiLabSetImport))
	s.route("GET /api/lab/sets/{id}", lib(s.apiLabSet))
	s.route("GET /api/lab/sets/{id}/export", lib(s.apiLabSetExport))
	s.route("POST /api/lab/sets/{id}/classes", lib(s.apiLabClassOpen))
	s.route("GET /api/lab/classes", lib(s.apiLabClasses))
	s.route("PUT /api/lab/classes/{code}/closed", lib(s.apiLabClassClose))
	s.route("GET /api/lab/classes/{code}/results", lib(s.apiLabResults))

	// Pages.
	s.route("GET /{$}", s.limited(s.searchPage))
	s.route("GET /records/{id}", s.recordPage)
	s.route("POST /records/{id}/attribution", s.limited(s.recordPage))
	s.route("POST /toolkit/items", s.needDocs(s.anonWrite(s.toolkitSave)))
	s.route("POST /toolkits", s.needDocs(s.anonWrite(s.toolkitNew)))
	s.route("GET /toolkits/{id}", s.needDocs(s.toolkitView))
	s.route("GET /toolkits/{id}/export/{format}", s.needDocs(s.toolkitExport))
	s.route("GET /toolkits/{id}/{key}", s.needDocs(s.toolkitEdit))
	s.route("POST /toolkits/{id}/{key}", s.needDocs(s.anonWrite(s.toolkitUpdate)))
	s.route("GET /lab", s.needDocs(s.labHome))
	s.route("POST /lab/join", s.needDocs(s.limited(s.labJoin)))
	s.route("GET /lab/c/{code}", s.needDocs(s.limited(s.labClass)))
	s.route("POST /lab/c/{code}/{n}", s.needDocs(s.limited(s.labAnswer)))
	s.route("GET /login", s.loginPage)
	s.route("POST /login", s.needDocs(s.login))
	s.route("POST /logout", s.logout)
	libP := s.staffPage(roleLibrarian)
	s.route("GET /admin/{$}", libP(s.sourcesPage))
	s.route("GET /admin/sources/new", libP(s.sourceFormPage))
	s.route("POST /admin/sources/new", libP(s.sourceFormPost))
	s.route("GET /admin/sources/{name}", libP(s.sourcePage))
	s.route("POST /admin/sources/{name}", libP(s.sourceFormPost))
	s.route("POST /admin/sources/{name}/run", libP(s.sourceRunPost))
	s.route("POST /admin/sources/{name}/sweep", libP(s.sourceSweepPost))
	s.route("POST /admin/sources/{name}/remove", s.staffPage(roleAdmin)(s.sourceRemovePost))
	s.route("GET /admin/sources/{name}/progress", libP(s.sourceProgress))
	s.route("GET /admin/runs", libP(s.runsPage))
	s.route("GET /admin/runs/{id}", libP(s.runPage))
	s.route("GET /admin/curation", libP(s.curationPage))
	s.route("GET /admin/links", libP(s.brokenLinksPage))
	s.route("POST /admin/curation/{id}", libP(s.curationPost))
	s.route("POST /admin/records/{id}/split", libP(s.splitPost))
	s.route("POST /lab/sets", libP(s.labSetPost))
	s.route("GET /lab/sets/{id}", libP(s.labSetPage))
	s.route("GET /lab/sets/{id}/export", libP(s.apiLabSetExport))
	s.route("POST /lab/sets/{id}/classes", libP(s.labClassOpen))
	s.route("GET /lab/results/{code}", libP(s.labResults))
	s.route("POST /lab/results/{code}", libP(s.labResultsPost))
	s.route("GET /lab/results/{code}/csv", libP(s.labResultsCSV))
	// Paths no route claims get the themed page; not a route of the API, so not in Routes.
	s.mux.Handle("/", s.metrics.instrument("unmatched", s.identify(s.notFound)))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	st, err := s.index.Stats(ctx)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "records": st.Records})
}

// needDocs answers 503 when the server runs without Workers.
func (s *Server) needDocs(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.workers == nil {
			s.fail(w, r, http.StatusServiceUnavailable, errNoWorkers)
			return
		}
		h(w, r)
	}
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orchard_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "orchard_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry lets other components add their metrics to /metrics.
func (s *Server) Registry() prometheus.Registerer { return s.metrics.registry }

func (m *metrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Flush lets server-sent events through the status recorder.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
