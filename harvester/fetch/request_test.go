package fetch

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A Public request stays out of private networks on a client that may enter them, even on a
// host whose connection another request already opened.
func TestPublicRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("inside")) }))
	defer srv.Close()
	c := testClient(Config{MaxRetries: -1})
	if _, err := c.Do(t.Context(), Request{URL: srv.URL}); err != nil {
		t.Fatalf("private request on an AllowPrivate client: %v", err)
	}
	if _, err := c.Do(t.Context(), Request{URL: srv.URL, Public: true}); !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("public request: err = %v, want ErrPrivateAddress", err)
	}
}

// HEAD asks for headers alone; Prefix reads the start of a body without failing on its size,
// uncompressed.
func TestHeadAndPrefix(t *testing.T) {
	var methods, encodings []string
	body := "<title>Start</title>" + strings.Repeat("x", 10_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		methods = append(methods, r.Method)
		encodings = append(encodings, r.Header.Get("Accept-Encoding"))
		w.Write([]byte(body))
	}))
	defer srv.Close()
	c := testClient(Config{MaxRetries: -1})
	resp, err := c.Do(t.Context(), Request{URL: srv.URL, Method: http.MethodHead})
	if err != nil || len(resp.Body) != 0 {
		t.Fatalf("HEAD: %v, body %d bytes", err, len(resp.Body))
	}
	resp, err = c.Do(t.Context(), Request{URL: srv.URL, MaxBody: 100, Prefix: true})
	if err != nil || string(resp.Body) != body[:100] {
		t.Fatalf("prefix: %v, body %q", err, resp.Body)
	}
	if _, err := c.Do(t.Context(), Request{URL: srv.URL, MaxBody: 100}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("without Prefix: err = %v, want ErrTooLarge", err)
	}
	if methods[0] != http.MethodHead || methods[1] != http.MethodGet || encodings[1] != "identity" {
		t.Errorf("methods %v, encodings %v", methods, encodings)
	}
}
