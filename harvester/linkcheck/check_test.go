package linkcheck

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/harvester/fetch"
)

// site is a loopback web site with one handler per path.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "<title>Welcome</title>")
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<title>A lesson</title>") })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/nohead", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		fmt.Fprint(w, "<title>Works with GET</title>")
	})
	mux.HandleFunc("/nohead-gone", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotImplemented)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusMovedPermanently) })
	mux.HandleFunc("/course/42", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusFound) })
	mux.HandleFunc("/course/43", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/missing", http.StatusFound) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><title>\n  Seite nicht gefunden </title></head>")
	})
	mux.HandleFunc("/private/x", func(w http.ResponseWriter, r *http.Request) { t.Error("robots.txt disallowed page fetched") })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-done:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first, so the slow handler lets Close finish
	return srv
}

func client() *fetch.Client {
	return fetch.New(fetch.Config{
		AllowPrivate: true, MaxRetries: -1, Timeout: 2 * time.Second,
		HeaderTimeout: 300 * time.Millisecond, ConnectTimeout: time.Second,
	}, nil)
}

func TestCheck(t *testing.T) {
	srv := site(t)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/page"
	ln.Close()

	tests := []struct {
		name, url string
		private   bool // checked by a checker that refuses private networks, on a client that allows them
		kind      Kind
		status    int
	}{
		{"answers", srv.URL + "/ok", false, OK, 200},
		{"home page itself", srv.URL + "/", false, OK, 200},
		{"moved within the site", srv.URL + "/moved", false, OK, 200},
		{"404", srv.URL + "/nothing-here", false, Status, 404},
		{"410", srv.URL + "/gone", false, Status, 410},
		{"500", srv.URL + "/broken", false, Status, 500},
		// On a host name of its own: the refusal stretches the pace of its host.
		{"503 after the client's retries", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/busy", false, Status, 503},
		{"HEAD refused, GET answers", srv.URL + "/nohead", false, OK, 200},
		{"HEAD refused, GET 404", srv.URL + "/nohead-gone", false, Status, 404},
		{"deep link sent home", srv.URL + "/course/42", false, Soft404, 200},
		{"sent to a not-found page", srv.URL + "/course/43", false, Soft404, 200},
		{"robots.txt disallows", srv.URL + "/private/x", false, Disallowed, 0},
		{"untrusted certificate", tlsSrv.URL + "/page", false, TLS, 0},
		{"slow server", srv.URL + "/slow", false, Timeout, 0},
		{"no such host", "http://orchard-link-test.invalid/page", false, DNS, 0},
		{"connection refused", closed, false, Refused, 0},
		{"private address refused", srv.URL + "/ok", true, Private, 0},
		{"not a URL", "mailto:someone@example.org", false, Invalid, 0},
	}
	c := client()
	open, guarded := New(c, Config{AllowPrivate: true}), New(c, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ck := open
			if tt.private {
				ck = guarded
			}
			got, err := ck.Check(t.Context(), tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tt.kind || got.Status != tt.status {
				t.Errorf("Check(%s) = %+v, want kind %s status %d", tt.url, got, tt.kind, tt.status)
			}
		})
	}
}

func TestCheckCancelled(t *testing.T) {
	srv := site(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := New(client(), Config{AllowPrivate: true}).Check(ctx, srv.URL+"/ok"); err == nil {
		t.Error("a cancelled check gave a result")
	}
}
