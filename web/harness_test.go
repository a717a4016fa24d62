package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/catalogtest"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/workers"
)

// harness is a server over an embedded index holding the catalog fixtures and a real workers
// System on an embedded NATS server.
type harness struct {
	t         *testing.T
	srv       *Server
	ts        *httptest.Server
	sys       *workers.System
	index     catalog.Index
	admin     string // bearer tokens
	librarian string
}

type harnessOpt func(*Config, *Deps)

func newHarness(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	return newHarnessWith(t, workers.Config{}, opts...)
}

// newHarnessWith is newHarness with the workers System configured by wcfg (Dir is filled in).
func newHarnessWith(t *testing.T, wcfg workers.Config, opts ...harnessOpt) *harness {
	t.Helper()
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	ix, err := embedded.Open(embedded.Config{Dir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	if err := ix.Upsert(ctx, catalogtest.Fixtures()); err != nil {
		t.Fatal(err)
	}
	wcfg.Dir = t.TempDir()
	sys, err := workers.Open(ctx, wcfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	cfg := Config{SearchRate: 1000, SearchBurst: 1000, WriteRate: 1000, WriteBurst: 1000}
	deps := Deps{Index: ix, Workers: sys}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	srv, err := New(cfg, log, deps)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, sys: sys, index: ix}
	h.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(h.ts.Close)
	h.admin = h.token(auth.RoleAdmin, "ada")
	h.librarian = h.token(auth.RoleLibrarian, "lin")
	return h
}

func (h *harness) token(role auth.Role, name string) string {
	h.t.Helper()
	tokens, err := h.sys.Docs(h.t.Context(), bucketTokens)
	if err != nil {
		h.t.Fatal(err)
	}
	tok, err := auth.Create(h.t.Context(), tokens, role, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// do sends a request with an optional bearer token and JSON body and returns status and body.
func (h *harness) do(method, path, token string, body any) (int, []byte, http.Header) {
	h.t.Helper()
	return h.doWith(method, path, body, func(req *http.Request) {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
	})
}

// doWith sends a request with an optional JSON body, changed by edit, and returns status and body.
func (h *harness) doWith(method, path string, body any, edit func(*http.Request)) (int, []byte, http.Header) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(h.t.Context(), method, h.ts.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	edit(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// getJSON expects status and decodes the body into v.
func (h *harness) call(method, path, token string, body any, want int, v any) {
	h.t.Helper()
	code, b, _ := h.do(method, path, token, body)
	if code != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// browser is a cookie-keeping client that does not follow redirects, like a person clicking.
type browser struct {
	h      *harness
	client *http.Client
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) get(path string) (int, string, http.Header) {
	b.h.t.Helper()
	req, _ := http.NewRequestWithContext(b.h.t.Context(), http.MethodGet, b.h.ts.URL+path, nil)
	return b.send(req)
}

func (b *browser) send(req *http.Request) (int, string, http.Header) {
	b.h.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token from a page the browser loads.
func (b *browser) csrf(path string) string {
	b.h.t.Helper()
	_, body, _ := b.get(path)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		b.h.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

// post submits a form as a same-origin browser does.
func (b *browser) post(path string, form url.Values) (int, string, http.Header) {
	b.h.t.Helper()
	req, _ := http.NewRequestWithContext(b.h.t.Context(), http.MethodPost, b.h.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.h.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.send(req)
}

func (b *browser) login(token string) {
	b.h.t.Helper()
	code, body, _ := b.post("/login", url.Values{"token": {token}, "csrf": {b.csrf("/login")}, "next": {"/admin/"}})
	if code != http.StatusSeeOther {
		b.h.t.Fatalf("login: status %d: %s", code, body)
	}
}
