package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/workers"
)

// healthServer is a worker's small listener: /healthz (the process lives), /readyz (NATS
// connected, catalog reachable) and /metrics (harvest figures, Go and process figures).
type healthServer struct {
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
}

func newHealthServer(addr string, sys *workers.System, idx catalog.Index, log *slog.Logger) (*healthServer, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := sys.RegisterMetrics(reg); err != nil {
		return nil, fmt.Errorf("register harvest metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		err := sys.Ready()
		if err == nil {
			if _, serr := idx.Stats(ctx); serr != nil {
				err = fmt.Errorf("catalog: %w", serr)
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("worker listener %s: %w", addr, err)
	}
	return &healthServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln: ln, log: log}, nil
}

// run serves until ctx is done.
func (h *healthServer) run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- h.srv.Serve(h.ln) }()
	h.log.Info("worker listening", "addr", h.ln.Addr().String(), "paths", "/healthz /readyz /metrics")
	select {
	case err := <-errc:
		return fmt.Errorf("worker listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
