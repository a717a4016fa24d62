package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsHandler serves /metrics to whoever the configuration lets in: with a token, any
// client that presents it; otherwise, on the main listener, only clients on this machine,
// since the figures describe the host and its load. On a listener of its own (MetricsAddr)
// without a token, whoever can reach that address may read them.
func (s *Server) metricsHandler(ownListener bool) http.Handler {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.cfg.MetricsToken != "":
			if !bearerIs(r, s.cfg.MetricsToken) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics need the bearer token of http.metrics_token", http.StatusUnauthorized)
				return
			}
		case !ownListener && !s.fromLoopback(r):
			http.Error(w, "metrics are served to clients on this machine only; set http.metrics_token or http.metrics_addr", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func bearerIs(r *http.Request, token string) bool {
	const prefix = "Bearer "
	got := r.Header.Get("Authorization")
	if len(got) <= len(prefix) || got[:len(prefix)] != prefix {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got[len(prefix):]), []byte(token)) == 1
}

// fromLoopback tells whether the client is on this machine. A request a proxy forwarded is
// not, unless the proxy is trusted and names a loopback client: a proxy on loopback would
// otherwise make every visitor look local.
func (s *Server) fromLoopback(r *http.Request) bool {
	if !s.cfg.TrustProxy && (r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "") {
		return false
	}
	ip := net.ParseIP(s.clientIP(r))
	return ip != nil && ip.IsLoopback()
}

// metricsServer serves /metrics alone, on MetricsAddr.
func (s *Server) metricsServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler(true))
	return &http.Server{Addr: s.cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}
