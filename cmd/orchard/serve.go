package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/curation"
	"github.com/orchard-oer/orchard/harvester/linkcheck"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/thumbnail"
	"github.com/orchard-oer/orchard/toolkit"
	"github.com/orchard-oer/orchard/web"
	"github.com/orchard-oer/orchard/workers"
)

// workersConfig turns the NATS settings into the workers' configuration. listen makes an
// embedded server reachable from other processes.
func (a *app) workersConfig(role, listen string) workers.Config {
	n, w := a.cfg.NATS, a.cfg.Workers
	return workers.Config{
		URL: n.URL, Creds: n.Creds, Token: n.Token, User: n.User, Password: n.Password, CA: n.CA, Cert: n.Cert, Key: n.Key,
		Dir: a.cfg.DataDir, Listen: listen, Replicas: n.Replicas, Name: role,
		AckWait: w.AckWait, MaxDeliver: w.MaxDeliver, Backoff: w.Backoff, MaxBackoff: w.MaxBackoff,
		IndexRetry: w.IndexRetry, DrainTimeout: w.DrainTimeout, History: w.History, Rescan: w.Rescan,
		FullEvery: w.FullEvery, SweepMinShare: w.SweepMinShare,
		DocsMaxBytes: n.DocsMaxBytes, ThumbsMaxBytes: a.cfg.Thumbnails.StoreMaxBytes,
		Docs: map[string]workers.DocsLimits{
			toolkit.Bucket:      {MaxBytes: a.cfg.Toolkit.MaxBytes, Expire: a.cfg.Toolkit.ExpireAfter},
			workers.LinksBucket: {MaxBytes: a.cfg.Links.MaxBytes},
		},
	}
}

// webConfig is the HTTP server's part of the configuration.
func (a *app) webConfig() web.Config {
	h := a.cfg.HTTP
	return web.Config{
		Addr: h.Addr, BaseURL: h.BaseURL, ShutdownTimeout: h.ShutdownTimeout,
		SearchRate: h.SearchRate, SearchBurst: h.SearchBurst, TrustProxy: h.TrustProxy,
		SessionTTL: h.SessionTTL, SecureCookies: h.SecureCookies,
		MetricsToken: h.MetricsToken, MetricsAddr: h.MetricsAddr, SitemapSize: h.SitemapSize,
		WriteRate: h.WriteRate, WriteBurst: h.WriteBurst,
	}
}

// openSystem connects commands to Orchard's NATS: the configured cluster, else a running
// Orchard's embedded server on nats.listen, else an embedded server of its own on the data
// directory (nothing else is running then).
func (a *app) openSystem(ctx context.Context) (*workers.System, error) {
	cfg := a.workersConfig("orchard cli", "")
	if cfg.URL == "" && a.cfg.NATS.Listen != "" {
		if c, err := net.DialTimeout("tcp", a.cfg.NATS.Listen, 500*time.Millisecond); err == nil {
			c.Close()
			cfg.URL = "nats://" + a.cfg.NATS.Listen
		}
	}
	return a.openWorkers(ctx, cfg)
}

func (a *app) openWorkers(ctx context.Context, cfg workers.Config) (*workers.System, error) {
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	sys, err := workers.Open(octx, cfg, a.log)
	if errors.Is(err, workers.ErrStoreInUse) {
		return nil, fmt.Errorf("%w (data_dir %s): a running `orchard serve` holds it; give it nats.listen and run this command with the same nats.listen, or stop it first", err, cfg.Dir)
	}
	if err != nil {
		where := cfg.URL
		if where == "" {
			where = "embedded NATS in " + cfg.Dir
		}
		return nil, fmt.Errorf("connect to %s: %w", where, err)
	}
	return sys, nil
}

// pipeline is what workers do with a job: harvest; normalize, with the librarians' decisions
// and the link checker's verdicts applied; and index. Every process opens the buckets of both
// at start, as the first to start creates them, so that no job waits on their creation.
func (a *app) pipeline(ctx context.Context, sys *workers.System, hs harvesters, idx catalog.Index) (workers.Pipeline, error) {
	decisions, err := curation.Open(ctx, sys)
	if err != nil {
		return workers.Pipeline{}, err
	}
	normalize, err := sys.KeepBroken(ctx, decisions.Normalize(normalizer.Record))
	if err != nil {
		return workers.Pipeline{}, err
	}
	return workers.Pipeline{Harvesters: hs.byType(), Index: idx, Normalize: normalize, Decide: decisions.Decide,
		Thumbnails: a.cfg.Thumbnails.Enabled}, nil
}

// linkConfig is the link checker's part of the configuration.
func (a *app) linkConfig() workers.LinkConfig {
	l := a.cfg.Links
	return workers.LinkConfig{
		Interval: l.Interval, Batch: l.Batch, Recheck: l.Recheck,
		Policy: linkcheck.Policy{Failures: l.Failures, Span: l.Span, BrokenRecheck: l.BrokenRecheck},
	}
}

// thumbnailer makes the thumbnails of indexed records with the harvesters' client.
func (a *app) thumbnailer(hs harvesters) workers.Thumbnailer {
	t := a.cfg.Thumbnails
	return workers.Thumbnailer{
		Client:  hs.client,
		Limits:  thumbnail.Limits{MaxBytes: t.MaxBytes, MaxPixels: t.MaxPixels, Size: t.Size},
		Workers: t.Workers,
	}
}

func newServeCmd(a *app) *cobra.Command {
	var nWorkers int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Orchard: web pages, API, scheduler and workers in one process",
		Long: "Run the web pages and API, the scheduler and the harvest workers. With no configuration\n" +
			"everything is embedded: NATS with JetStream and the search index live under data_dir.\n" +
			"With nats.url and catalog.meilisearch.url it joins a cluster; --workers=0 serves only the\n" +
			"API and pages.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("workers") {
				nWorkers = a.cfg.Workers.Count
			}
			return a.serve(cmd.Context(), nWorkers, true)
		},
	}
	cmd.Flags().IntVar(&nWorkers, "workers", 0, "concurrent harvest jobs in this process; 0 serves only the API and pages (default workers.count)")
	return cmd
}

func newWorkerCmd(a *app) *cobra.Command {
	var nWorkers int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run harvest workers only, against the NATS of nats.url",
		Long: "Run harvest workers only, against the NATS of nats.url (required). For the embedded\n" +
			"server of an `orchard serve` on this machine, use nats://<its nats.listen> and the same\n" +
			"data_dir: the worker reads the server's credentials from there.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("count") {
				nWorkers = a.cfg.Workers.Count
			}
			if nWorkers < 1 {
				return errors.New("worker: --count must be at least 1")
			}
			if a.cfg.NATS.URL == "" {
				// A worker with an embedded server and index of its own would report successes
				// that reach no one.
				return fmt.Errorf("worker: nats.url is unset; set it (ORCHARD_NATS_URL or --nats-url) to the cluster's NATS, or to nats://%s to join the `orchard serve` on this machine", orDefault(a.cfg.NATS.Listen, "127.0.0.1:4222"))
			}
			return a.serve(cmd.Context(), nWorkers, false)
		},
	}
	cmd.Flags().IntVar(&nWorkers, "count", 0, "concurrent harvest jobs (default workers.count)")
	return cmd
}

// serve runs the components as a group: the first to stop, or a signal, stops the rest.
func (a *app) serve(ctx context.Context, nWorkers int, http bool) error {
	listen := ""
	if a.cfg.NATS.URL == "" {
		listen = a.cfg.NATS.Listen
	}
	role := "orchard worker"
	if http {
		role = "orchard serve"
	}
	sys, err := a.openWorkers(ctx, a.workersConfig(role, listen))
	if err != nil {
		return err
	}
	defer sys.Close()
	if err := sys.ClaimCatalog(ctx, a.catalogBackend()); err != nil {
		return fmt.Errorf("%w; set catalog.meilisearch.url and catalog.meilisearch.index as the other processes have them", err)
	}
	idx, err := a.openIndex(ctx)
	if err != nil {
		return err
	}
	defer idx.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Workers in other processes may harvest the same hosts: they take their turns through
	// NATS.
	hs := a.harvesters(a.cfg.Harvest.AllowPrivateNetworks, sys.HTTPMetrics(), sys.Pacer())
	p, err := a.pipeline(ctx, sys, hs, idx)
	if err != nil {
		return err
	}
	var parts []func(context.Context) error
	if http {
		oai, err := a.oaiRepository(ctx, sys, idx)
		if err != nil {
			return err
		}
		prober := hs.prober()
		deps := web.Deps{Index: idx, Workers: sys, Probe: prober.Probe, Detect: prober.Detect, OAI: oai}
		if a.cfg.Thumbnails.Enabled {
			if deps.Thumbs, err = sys.Thumbs(ctx); err != nil {
				return err
			}
		}
		srv, err := web.New(a.webConfig(), a.log, deps)
		if err != nil {
			return err
		}
		if err := sys.RegisterMetrics(srv.Registry()); err != nil {
			return fmt.Errorf("register harvest metrics: %w", err)
		}
		parts = append(parts, srv.Run, sys.RunScheduler)
		a.log.Info("orchard ready", "url", a.cfg.HTTP.BaseURL, "nats", orDefault(sys.ClientURL(), a.cfg.NATS.URL),
			"catalog", a.catalogBackend().String(), "workers", nWorkers, "process", sys.Name())
	} else {
		if a.cfg.Workers.HTTPAddr != "" {
			h, err := newHealthServer(a.cfg.Workers.HTTPAddr, sys, idx, a.log)
			if err != nil {
				return err
			}
			parts = append(parts, h.run)
		}
		a.log.Info("orchard worker started", "nats", a.cfg.NATS.URL, "catalog", a.catalogBackend().String(),
			"workers", nWorkers, "process", sys.Name(), "http_addr", a.cfg.Workers.HTTPAddr)
		defer a.log.Info("orchard worker stopped", "process", sys.Name())
	}
	if nWorkers > 0 {
		parts = append(parts, func(ctx context.Context) error { return sys.RunWorkers(ctx, p, nWorkers) })
		if a.cfg.Links.Enabled {
			// Processes with workers take turns at the rounds, one process per round.
			parts = append(parts, func(ctx context.Context) error { return sys.RunLinkChecker(ctx, idx, hs.links, a.linkConfig()) })
		}
		if a.cfg.Thumbnails.Enabled {
			t := a.thumbnailer(hs)
			parts = append(parts, func(ctx context.Context) error { return sys.RunThumbnails(ctx, t) })
		}
	}
	return runGroup(ctx, cancel, parts...)
}

// runGroup runs every part until the first returns; then it cancels the rest and waits for them.
// The first error (other than the cancellation itself) is returned.
func runGroup(ctx context.Context, cancel context.CancelFunc, parts ...func(context.Context) error) error {
	errc := make(chan error, len(parts))
	for _, p := range parts {
		go func() { errc <- p(ctx) }()
	}
	var first error
	for range parts {
		err := <-errc
		cancel()
		if first == nil && err != nil && !errors.Is(err, context.Canceled) {
			first = err
		}
	}
	return first
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
