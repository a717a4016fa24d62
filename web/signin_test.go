package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// TestSignInFailuresLimited guesses tokens through the login form and as bearer tokens: after
// the failure budget every further try, even with a good token, gets 429 with Retry-After.
func TestSignInFailuresLimited(t *testing.T) {
	for _, via := range []string{"login", "bearer"} {
		t.Run(via, func(t *testing.T) {
			h := newHarness(t)
			b := h.browser()
			try := func(token string) (int, http.Header) {
				if via == "login" {
					code, _, hd := b.post("/login", url.Values{"token": {token}, "csrf": {b.csrf("/login")}})
					return code, hd
				}
				code, _, hd := h.do("GET", "/api/admin/sources", token, nil)
				return code, hd
			}
			for i := range authFailureBurst {
				if code, _ := try("orch_wrong"); code != http.StatusUnauthorized {
					t.Fatalf("failure %d: status %d, want 401", i+1, code)
				}
			}
			code, hd := try(h.librarian)
			if code != http.StatusTooManyRequests {
				t.Fatalf("good token after %d failures: status %d, want 429", authFailureBurst, code)
			}
			if s, err := strconv.Atoi(hd.Get("Retry-After")); err != nil || s < 1 {
				t.Errorf("Retry-After %q", hd.Get("Retry-After"))
			}
			// Another client is not held back by this one's failures.
			other := newLimiter(authFailureRate, authFailureBurst)
			if _, blocked := other.exhausted("192.0.2.1"); blocked {
				t.Error("a fresh client starts blocked")
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/admin/sources", "/admin/sources"},
		{"/records/x?q=a%20b", "/records/x?q=a%20b"},
		{"", "/admin/"},
		{"admin", "/admin/"},
		{"//evil.example/", "/admin/"},
		{"/\\evil.example/", "/admin/"},
		{"/\t/evil.example/", "/admin/"},
		{"/\n/evil.example/", "/admin/"},
		{"/\r\n/evil.example/", "/admin/"},
		{"/ /evil.example/", "/admin/"},
		{"/\u00a0/evil.example/", "/admin/"},
		{"/\x00x", "/admin/"},
		{"https://evil.example/", "/admin/"},
		{"/%2F/evil.example/", "/%2F/evil.example/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
