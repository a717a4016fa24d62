package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/internal/testenv"
)

// /metrics tells a stranger nothing unless the operator lets them in.
func TestMetricsRestricted(t *testing.T) {
	const token = "metrics-secret"
	tests := []struct {
		name   string
		opt    harnessOpt
		remote string
		header map[string]string
		want   int
	}{
		{"default, this machine", nil, "127.0.0.1:4000", nil, 200},
		{"default, another machine", nil, "192.0.2.7:4000", nil, 403},
		{"default, through a proxy on this machine", nil, "127.0.0.1:4000", map[string]string{"X-Forwarded-For": "198.51.100.3"}, 403},
		{"default, Forwarded header", nil, "[::1]:4000", map[string]string{"Forwarded": "for=198.51.100.3"}, 403},
		{"trusted proxy, outside client", trustProxy, "127.0.0.1:4000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, 403},
		{"trusted proxy, local client", trustProxy, "127.0.0.1:4000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, 200},
		{"token, none sent", withMetricsToken(token), "192.0.2.7:4000", nil, 401},
		{"token, none sent from this machine", withMetricsToken(token), "127.0.0.1:4000", nil, 401},
		{"token, wrong", withMetricsToken(token), "192.0.2.7:4000", map[string]string{"Authorization": "Bearer guess"}, 401},
		{"token, right", withMetricsToken(token), "192.0.2.7:4000", map[string]string{"Authorization": "Bearer " + token}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []harnessOpt
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			h := newHarness(t, opts...)
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.RemoteAddr = tt.remote
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

func trustProxy(c *Config, _ *Deps) { c.TrustProxy = true }

func withMetricsToken(tok string) harnessOpt {
	return func(c *Config, _ *Deps) { c.MetricsToken = tok }
}

// With a listen address of its own, /metrics is served there and not on the main listener.
func TestMetricsOnItsOwnAddress(t *testing.T) {
	addr, maddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	h := newHarness(t, func(c *Config, _ *Deps) { c.Addr, c.MetricsAddr = addr, maddr })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	get := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(10 * time.Second)
	for get("http://"+maddr+"/metrics") != 200 {
		if time.Now().After(deadline) {
			t.Fatal("metrics listener did not answer")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := get("http://" + addr + "/metrics"); code != 404 {
		t.Errorf("main listener /metrics: %d, want 404", code)
	}
	if code := get("http://" + maddr + "/healthz"); code != 404 {
		t.Errorf("metrics listener serves other routes: %d", code)
	}
}

// A metrics address that cannot be listened on stops the server instead of leaving it
// without metrics.
func TestMetricsAddressInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h := newHarness(t, func(c *Config, _ *Deps) { c.Addr, c.MetricsAddr = testenv.FreeAddr(t), l.Addr().String() })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err = h.srv.Run(ctx)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("run with a busy metrics address: %v", err)
	}
}
