package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

// testClient allows loopback and keeps waits short, so that real-network tests run quickly.
func testClient(cfg Config) *Client {
	cfg.AllowPrivate = true
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = time.Millisecond
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 5 * time.Millisecond
	}
	return New(cfg, nil)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func rawDeflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestUserAgentAndHeaders(t *testing.T) {
	var ua, ae, inm string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, ae, inm = r.UserAgent(), r.Header.Get("Accept-Encoding"), r.Header.Get("If-None-Match")
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c := testClient(Config{Contact: "https://orchard.example/about"})
	_, err := c.Get(t.Context(), srv.URL, http.Header{"If-None-Match": {`"v1"`}})
	if err != nil {
		t.Fatal(err)
	}
	if ua != "Orchard/1.0 (+https://orchard.example/about)" {
		t.Errorf("User-Agent = %q", ua)
	}
	if !strings.Contains(ae, "gzip") || !strings.Contains(ae, "deflate") {
		t.Errorf("Accept-Encoding = %q", ae)
	}
	if inm != `"v1"` {
		t.Errorf("If-None-Match = %q", inm)
	}
}

func TestDecompression(t *testing.T) {
	plain := []byte(`<?xml version="1.0"?><OAI-PMH>` + strings.Repeat("x", 5000) + `</OAI-PMH>`)
	tests := []struct {
		name     string
		encoding string
		body     []byte
	}{
		{"plain", "", plain},
		{"gzip declared", "gzip", gz(plain)},
		{"gzip undeclared", "", gz(plain)},
		{"gzip twice", "gzip", gz(gz(plain))},
		{"zlib declared", "deflate", zl(plain)},
		{"zlib undeclared", "", zl(plain)},
		{"raw deflate declared", "deflate", rawDeflate(plain)},
		{"declared but plain", "gzip", plain},
		{"deflate declared but plain", "deflate", plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				w.Write(tt.body)
			}))
			defer srv.Close()
			resp, err := testClient(Config{}).Get(t.Context(), srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, plain) {
				t.Errorf("body = %.60q…", resp.Body)
			}
		})
	}
}

func TestSizeCap(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 100_000)
	tests := []struct {
		name string
		body []byte
	}{
		{"plain", big},
		{"gzip bomb", gz(big)}, // small on the wire, too large decoded
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Write(tt.body)
			}))
			defer srv.Close()
			_, err := testClient(Config{MaxBody: 10_000}).Get(t.Context(), srv.URL, nil)
			if !errors.Is(err, ErrTooLarge) || harvester.KindOf(err) != harvester.KindPermanent {
				t.Fatalf("err = %v (kind %v), want permanent ErrTooLarge", err, harvester.KindOf(err))
			}
			if n.Load() != 1 {
				t.Errorf("%d requests, want 1 (no retry)", n.Load())
			}
		})
	}
}

func TestPrivateNetworkGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secret"))
	}))
	defer srv.Close()
	_, err := New(Config{}, nil).Get(t.Context(), srv.URL, nil)
	if !errors.Is(err, ErrPrivateAddress) || harvester.KindOf(err) != harvester.KindPermanent {
		t.Fatalf("err = %v, want permanent ErrPrivateAddress", err)
	}
	// A name that resolves to loopback is refused too: the check runs on the dialled address.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, err = New(Config{}, nil).Get(t.Context(), "http://localhost:"+port+"/", nil)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("localhost: err = %v, want ErrPrivateAddress", err)
	}
	if _, err := New(Config{AllowPrivate: true}, nil).Get(t.Context(), srv.URL, nil); err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
}

func TestPublic(t *testing.T) {
	tests := map[string]bool{
		"93.184.216.34": true, "2606:4700::1111": true, "8.8.8.8": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "169.254.169.254": false, "fe80::1": false, "fc00::1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "ff02::1": false,
		"100.64.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"255.255.255.255": false,
	}
	for s, want := range tests {
		if got := Public(netip.MustParseAddr(s)); got != want {
			t.Errorf("Public(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestPublicEmbedded covers the IPv6 forms that carry or reach an IPv4 address, and the
// deprecated site-local range.
func TestPublicEmbedded(t *testing.T) {
	tests := []struct {
		form, addr string
		want       bool
	}{
		{"NAT64 to loopback", "64:ff9b::127.0.0.1", false},
		{"NAT64 to private", "64:ff9b::10.0.0.1", false},
		{"NAT64 to metadata", "64:ff9b::169.254.169.254", false},
		{"NAT64 to public", "64:ff9b::93.184.216.34", true},
		{"local-use NAT64", "64:ff9b:1::93.184.216.34", false},
		{"local-use NAT64 to private", "64:ff9b:1:0:0:0:a00:1", false},
		{"6to4 of loopback", "2002:7f00:1::1", false},
		{"6to4 of private", "2002:c0a8:101::1", false},
		{"6to4 of CGNAT", "2002:6440:1::", false},
		{"6to4 of public", "2002:5db8:d822::1", true},
		{"IPv4-compatible loopback", "::127.0.0.1", false},
		{"IPv4-compatible private", "::10.0.0.1", false},
		{"IPv4-compatible public", "::93.184.216.34", false},
		{"site-local", "fec0::1", false},
		{"site-local upper end", "feff:ffff::1", false},
		{"global unicast", "2606:4700::1111", true},
	}
	for _, tt := range tests {
		t.Run(tt.form, func(t *testing.T) {
			if got := Public(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Public(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/r/{n}", func(w http.ResponseWriter, r *http.Request) {
		n := r.PathValue("n")
		if n == "0" {
			w.Write([]byte("arrived"))
			return
		}
		http.Redirect(w, r, "/r/"+string(rune(n[0]-1)), http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/x", http.StatusMovedPermanently)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := testClient(Config{MaxRedirects: 3}).Get(t.Context(), srv.URL+"/r/3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "arrived" || resp.URL != srv.URL+"/r/0" {
		t.Errorf("body %q url %q", resp.Body, resp.URL)
	}
	_, err = testClient(Config{MaxRedirects: 2}).Get(t.Context(), srv.URL+"/r/3", nil)
	if !errors.Is(err, ErrTooManyRedirects) || harvester.KindOf(err) != harvester.KindPermanent {
		t.Errorf("err = %v, want permanent ErrTooManyRedirects", err)
	}
	if _, err := testClient(Config{}).Get(t.Context(), srv.URL+"/ftp", nil); harvester.KindOf(err) != harvester.KindPermanent {
		t.Errorf("ftp redirect: err = %v, want permanent", err)
	}
	// A redirect to a loopback address is refused by a guarded client whatever the first host.
	c := New(Config{Transport: nil}, nil)
	if _, err := c.Get(t.Context(), srv.URL+"/r/1", nil); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("guarded: err = %v", err)
	}
}

func TestStatusHandling(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int // answered in turn, the last one repeated
		pass     []int
		wantErr  harvester.Kind // KindOther for success
		wantCode int
		requests int64
		retries  int64
		refusals int64
	}{
		{"ok", []int{200}, nil, harvester.KindOther, 200, 1, 0, 0},
		{"404 permanent", []int{404}, nil, harvester.KindPermanent, 404, 1, 0, 0},
		{"410 permanent", []int{410}, nil, harvester.KindPermanent, 410, 1, 0, 0},
		{"401 permanent", []int{401}, nil, harvester.KindPermanent, 401, 1, 0, 0},
		{"403 permanent", []int{403}, nil, harvester.KindPermanent, 403, 1, 0, 0},
		{"404 passed", []int{404}, []int{304, 404, 410}, harvester.KindOther, 404, 1, 0, 0},
		{"304 passed", []int{304}, []int{304}, harvester.KindOther, 304, 1, 0, 0},
		{"500 then ok", []int{500, 502, 200}, nil, harvester.KindOther, 200, 3, 2, 0},
		{"500 forever", []int{500}, nil, harvester.KindTransient, 500, 4, 3, 0},
		{"429 then ok", []int{429, 200}, nil, harvester.KindOther, 200, 2, 1, 1},
		{"503 forever", []int{503}, nil, harvester.KindTransient, 503, 4, 3, 4},
	}
	for _, tt := range tests {
		// On a fake clock: refusals slow the host down by whole seconds.
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n atomic.Int32
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					i := int(n.Add(1)) - 1
					code := tt.statuses[min(i, len(tt.statuses)-1)]
					if code == 429 || code == 503 {
						w.Header().Set("Retry-After", "0")
					}
					w.WriteHeader(code)
					w.Write([]byte("body"))
				})
				var st Stats
				c := New(Config{Transport: handlerTransport{h}}, nil)
				resp, err := c.Do(t.Context(), Request{URL: "http://a.example/", Pass: tt.pass, Stats: &st})
				if tt.wantErr == harvester.KindOther {
					if err != nil {
						t.Fatal(err)
					}
					if resp.StatusCode != tt.wantCode {
						t.Errorf("status %d, want %d", resp.StatusCode, tt.wantCode)
					}
				} else {
					var se *StatusError
					if harvester.KindOf(err) != tt.wantErr || !errors.As(err, &se) || se.Code != tt.wantCode {
						t.Fatalf("err = %v (kind %v), want %v with status %d", err, harvester.KindOf(err), tt.wantErr, tt.wantCode)
					}
				}
				want := Counts{Requests: tt.requests, Retries: tt.retries, Refusals: tt.refusals}
				if got := st.Snapshot(); got != want {
					t.Errorf("stats %+v, want %+v", got, want)
				}
				if got := c.Stats(); got != want {
					t.Errorf("client stats %+v, want %+v", got, want)
				}
			})
		})
	}
}

func TestTransportFaults(t *testing.T) {
	full := gz([]byte(strings.Repeat("<record/>", 2000)))
	tests := []struct {
		name  string
		fault func(w http.ResponseWriter) // the first request's misbehaviour
	}{
		{"connection reset", func(w http.ResponseWriter) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}},
		{"truncated gzip", func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(full[:len(full)/2])
		}},
		{"truncated body", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("<OAI-PMH>"))
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}},
		{"slow body", func(w http.ResponseWriter) {
			w.Write([]byte("<OAI"))
			w.(http.Flusher).Flush()
			time.Sleep(300 * time.Millisecond)
		}},
		{"slow headers", func(w http.ResponseWriter) {
			time.Sleep(300 * time.Millisecond)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, always := range []bool{false, true} {
				var n atomic.Int32
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) == 1 || always {
						tt.fault(w)
						return
					}
					w.Header().Set("Content-Encoding", "gzip")
					w.Write(full)
				}))
				c := testClient(Config{Timeout: 100 * time.Millisecond, MaxRetries: 2})
				resp, err := c.Get(t.Context(), srv.URL, nil)
				if always {
					if harvester.KindOf(err) != harvester.KindTransient {
						t.Errorf("always failing: err = %v (kind %v), want transient", err, harvester.KindOf(err))
					}
					if got := c.Stats().Requests; got != 3 {
						t.Errorf("%d requests, want 3", got)
					}
				} else if err != nil || len(resp.Body) != 2000*len("<record/>") {
					t.Errorf("recovering: err = %v", err)
				}
				srv.CloseClientConnections()
				srv.Close()
			}
		})
	}
}

func TestInvalidURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/", "not a url", "http://"} {
		if _, err := New(Config{}, nil).Get(t.Context(), u, nil); harvester.KindOf(err) != harvester.KindInvalid {
			t.Errorf("%q: err = %v, want invalid", u, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-3", 0, false},
		{"Tue, 24 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Tue, 24 Nov 2026 09:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUserAgentNamesContactOnce(t *testing.T) {
	tests := []struct{ product, contact, want string }{
		{"", "", "Orchard/1.0"},
		{"", "https://o.example/about", "Orchard/1.0 (+https://o.example/about)"},
		{"Orchard/1.0 OER harvester", "mailto:ops@o.example", "Orchard/1.0 OER harvester (+mailto:ops@o.example)"},
		{"Orchard/1.0 (+https://o.example/about)", "https://o.example/about", "Orchard/1.0 (+https://o.example/about)"},
	}
	for _, tt := range tests {
		if got := UserAgent(tt.product, tt.contact); got != tt.want {
			t.Errorf("UserAgent(%q, %q) = %q, want %q", tt.product, tt.contact, got, tt.want)
		}
	}
}

// A server that trickles its body, or stalls in the middle, is cut off well before the
// attempt's time limit, with an error that says why.
func TestSlowBodyEnds(t *testing.T) {
	tests := []struct {
		name  string
		every time.Duration // between writes
		chunk int           // bytes a write
		stop  int           // writes before stalling; 0 for never
		want  string
	}{
		{"trickle", 20 * time.Millisecond, 1, 0, "less than 1024 bytes a second"},
		{"stall", time.Millisecond, 64 << 10, 1, "no data for 300ms after 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for i := 0; tt.stop == 0 || i < tt.stop; i++ {
					w.Write(bytes.Repeat([]byte("<"), tt.chunk))
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(tt.every):
					}
				}
				<-r.Context().Done()
			}))
			defer srv.Close()
			c := testClient(Config{Timeout: time.Minute, BodyStall: 300 * time.Millisecond, MaxRetries: -1})
			start := time.Now()
			_, err := c.Get(t.Context(), srv.URL, nil)
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s", took)
			}
			if !errors.Is(err, ErrTooSlow) || !strings.Contains(err.Error(), "response body too slow: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q and %q", err, "response body too slow: ", tt.want)
			}
			if harvester.KindOf(err) != harvester.KindTransient {
				t.Errorf("kind %v, want transient", harvester.KindOf(err))
			}
		})
	}
}

// Credentials in a URL reach the server but never an error or a log line.
func TestUserinfoNeverShown(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/gone", http.StatusFound)
			return
		}
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c := New(Config{AllowPrivate: true, MaxRetries: 1, BackoffBase: time.Millisecond, BackoffMax: time.Millisecond},
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	u := strings.Replace(srv.URL, "http://", "http://orchard:s3cret-pw@", 1)
	_, err := c.Get(t.Context(), u, nil)
	if err == nil {
		t.Fatal("no error")
	}
	if a, _ := auth.Load().(string); a == "" {
		t.Error("the credentials were not sent")
	}
	for what, text := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(text, "s3cret-pw") || strings.Contains(text, "orchard:") {
			t.Errorf("%s shows the userinfo: %s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "refused") {
		t.Errorf("nothing logged: %s", logs.String())
	}
}
