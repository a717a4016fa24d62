package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/time/rate"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/weburl"
	"github.com/orchard-oer/orchard/workers"
)

const (
	roleAdmin     = auth.RoleAdmin
	roleLibrarian = auth.RoleLibrarian

	cookieSession = "orchard_session"
	cookieAnon    = "orchard_anon"    // binds anonymous visitors' CSRF tokens
	cookieToolkit = "orchard_toolkit" // the visitor's own toolkit: "<id>/<key>"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// viewer is who sent a request.
type viewer struct {
	Role    auth.Role // empty for learners
	Name    string
	Bearer  bool   // authenticated by an Authorization header, not a cookie
	session string // session id from the cookie
	csrf    string // the token forms must carry back
}

func (v *viewer) Staff() bool { return v.Role != "" }
func (v *viewer) Admin() bool { return v.Role == roleAdmin }

type viewerKey struct{}

func viewerOf(r *http.Request) *viewer {
	if v, ok := r.Context().Value(viewerKey{}).(*viewer); ok {
		return v
	}
	return &viewer{}
}

// secure sets the headers every answer carries.
func (s *Server) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "+
			"frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// identify works out the viewer from a bearer token or session cookie, refuses a bad bearer
// token, and checks that unsafe requests come from this site.
func (s *Server) identify(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := &viewer{}
		if authz := r.Header.Get("Authorization"); authz != "" {
			plain, ok := strings.CutPrefix(authz, "Bearer ")
			if !ok || s.tokens == nil {
				s.fail(w, r, http.StatusUnauthorized, errors.New("authorization must be a bearer token"))
				return
			}
			if s.tooManyFailures(w, r) {
				return
			}
			t, err := auth.Verify(r.Context(), s.tokens, strings.TrimSpace(plain))
			if err != nil {
				s.authFailure(w, r, err)
				return
			}
			v.Role, v.Name, v.Bearer = t.Role, t.Name, true
		} else if c, err := r.Cookie(cookieSession); err == nil && s.sessions != nil {
			sess, err := auth.LoadSession(r.Context(), s.sessions, c.Value)
			switch {
			case err == nil:
				v.Role, v.Name, v.session, v.csrf = sess.Role, sess.Name, c.Value, sess.CSRF
			case errors.Is(err, auth.ErrDenied):
				s.clearCookie(w, r, cookieSession)
			default:
				s.fail(w, r, http.StatusServiceUnavailable, err)
				return
			}
		}
		if v.csrf == "" && !v.Bearer {
			v.csrf = s.anonCSRF(w, r)
		}
		// An OAI-PMH POST is a read the protocol lets harvesters send as a form.
		if !safeMethod(r.Method) && r.URL.Path != "/oai" {
			if err := s.checkOrigin(r, v); err != nil {
				status := http.StatusForbidden
				if errors.Is(err, errTooLarge) {
					status = http.StatusRequestEntityTooLarge
				}
				s.fail(w, r, status, err)
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	}
}

func (s *Server) authFailure(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, auth.ErrDenied) {
		s.failures.take(s.clientIP(r))
		w.Header().Set("WWW-Authenticate", `Bearer realm="orchard"`)
		s.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	s.fail(w, r, http.StatusServiceUnavailable, err)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkOrigin refuses cross-site writes. Browsers send Sec-Fetch-Site and Origin; clients with
// a bearer token (the CLI) usually send neither, and a token is no ambient credential anyway.
// Cookie-borne writes must also carry the CSRF token bound to the session or anonymous cookie.
func (s *Server) checkOrigin(r *http.Request, v *viewer) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return errors.New("cross-site request refused")
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := weburl.Parse(o)
		if err != nil || u.Host != r.Host {
			return errors.New("cross-origin request refused")
		}
	}
	if v.Bearer {
		return nil
	}
	got := r.Header.Get(csrfHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			return bodyError(err)
		}
		got = r.PostFormValue(csrfField)
	}
	if got == "" && strings.HasPrefix(r.URL.Path, "/api/") && v.session == "" {
		// Anonymous JSON writes (toolkits) carry their toolkit key, a capability no other site
		// knows; JSON bodies cannot be sent cross-site without a preflight.
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || r.ContentLength == 0 {
			return nil
		}
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) != 1 {
		return &ParamError{csrfField, "missing or wrong CSRF token; reload the page and try again"}
	}
	return nil
}

// anonCSRF returns the CSRF token of a visitor without a session: an HMAC of a random cookie,
// so that a token is useless without that visitor's cookie (double submit, signed).
func (s *Server) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	id := ""
	if c, err := r.Cookie(cookieAnon); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		id = c.Value
	} else {
		id = auth.Secret()
		s.setCookie(w, r, cookieAnon, id, 0)
		r.AddCookie(&http.Cookie{Name: cookieAnon, Value: id})
	}
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("anon\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || s.cfg.SecureCookies, MaxAge: int(maxAge.Seconds()),
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || s.cfg.SecureCookies, MaxAge: -1})
}

// staffAPI wraps API handlers that need a role: 401 without credentials, 403 with too few rights.
func (s *Server) staffAPI(role auth.Role) func(http.HandlerFunc) http.HandlerFunc {
	return func(h http.HandlerFunc) http.HandlerFunc {
		return s.needDocs(func(w http.ResponseWriter, r *http.Request) {
			v := viewerOf(r)
			switch {
			case !v.Staff():
				w.Header().Set("WWW-Authenticate", `Bearer realm="orchard"`)
				writeError(w, http.StatusUnauthorized, errors.New("a librarian or admin token is required"))
			case !v.Role.Allows(role):
				writeError(w, http.StatusForbidden, fmt.Errorf("the %s role is required", role))
			default:
				h(w, r)
			}
		})
	}
}

// staffPage wraps pages that need a role: to the login page without a session, 403 with too
// few rights.
func (s *Server) staffPage(role auth.Role) func(http.HandlerFunc) http.HandlerFunc {
	return func(h http.HandlerFunc) http.HandlerFunc {
		return s.needDocs(func(w http.ResponseWriter, r *http.Request) {
			v := viewerOf(r)
			switch {
			case !v.Staff():
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.fail(w, r, http.StatusUnauthorized, errors.New("please log in"))
			case !v.Role.Allows(role):
				s.fail(w, r, http.StatusForbidden, fmt.Errorf("the %s role is required", role))
			default:
				h(w, r)
			}
		})
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

type loginView struct {
	Next  string
	Error string
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	if s.tooManyFailures(w, r) {
		return
	}
	t, err := auth.Verify(r.Context(), s.tokens, strings.TrimSpace(r.PostFormValue("token")))
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, auth.ErrDenied) {
			s.failures.take(s.clientIP(r))
		} else {
			status = http.StatusServiceUnavailable
		}
		s.render(w, r, status, "login", loginView{Next: next, Error: "That token is not valid."})
		return
	}
	old := viewerOf(r).session
	id, _, err := auth.StartSession(r.Context(), s.sessions, t, s.cfg.SessionTTL)
	if err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, err)
		return
	}
	_ = auth.EndSession(r.Context(), s.sessions, old)
	s.setCookie(w, r, cookieSession, id, s.cfg.SessionTTL)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if v := viewerOf(r); v.session != "" && s.sessions != nil {
		if err := auth.EndSession(r.Context(), s.sessions, v.session); err != nil {
			s.log.Warn("logout", "err", err)
		}
	}
	s.clearCookie(w, r, cookieSession)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext keeps post-login redirects on this site: a path of this origin and nothing a browser
// could read as another host. Browsers drop tabs and newlines from URLs, so "/\t/evil.example"
// would become "//evil.example": any control character or space refuses the path.
func safeNext(next string) string {
	const home = "/admin/"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return home
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

// sharedKey is the key CSRF tokens are signed with, shared by every server on the same NATS so
// that a form rendered by one is accepted by another.
func sharedKey(ctx context.Context, w Workers) ([]byte, error) {
	d, err := w.Docs(ctx, bucketWeb)
	if err != nil {
		return nil, err
	}
	var key string
	if _, err := d.Get(ctx, "csrf-key", &key); err == nil && key != "" {
		return []byte(key), nil
	}
	if _, err := d.Create(ctx, "csrf-key", randomKey()); err != nil && !errors.Is(err, workers.ErrExists) {
		return nil, fmt.Errorf("store csrf key: %w", err)
	}
	if _, err := d.Get(ctx, "csrf-key", &key); err != nil {
		return nil, fmt.Errorf("read csrf key: %w", err)
	}
	return []byte(key), nil
}

func randomKey() string { return auth.Secret() }

// tooManyFailures answers 429 when the client has failed to authenticate too often lately, before
// its token is even looked at, so that guessing tokens is as slow as the failure budget allows.
func (s *Server) tooManyFailures(w http.ResponseWriter, r *http.Request) bool {
	wait, blocked := s.failures.exhausted(s.clientIP(r))
	if !blocked {
		return false
	}
	w.Header().Set("Retry-After", retryAfter(wait))
	s.fail(w, r, http.StatusTooManyRequests, errors.New("too many failed sign-ins; try again later"))
	return true
}

func retryAfter(wait time.Duration) string { return fmt.Sprint(int(math.Ceil(wait.Seconds()))) }

// limited rate-limits anonymous searches per client IP.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return s.throttle(s.limits, "too many searches; slow down", h)
}

// anonWrite rate-limits anonymous writes of stored documents (toolkits) per client IP, so that
// one client cannot fill the document store.
func (s *Server) anonWrite(h http.HandlerFunc) http.HandlerFunc {
	return s.throttle(s.writes, "too many changes; slow down", h)
}

// throttle answers 429 with Retry-After when an anonymous client has spent l's tokens; staff
// are not limited.
func (s *Server) throttle(l *limiter, msg string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !viewerOf(r).Staff() {
			if wait, ok := l.allow(s.clientIP(r)); !ok {
				// Read the (bounded) body first: a server that answers and closes while the
				// client is still sending leaves the client with a broken pipe, not the 429.
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Retry-After", retryAfter(wait))
				s.fail(w, r, http.StatusTooManyRequests, errors.New(msg))
				return
			}
		}
		h(w, r)
	}
}

func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			ip, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(ip)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter keeps one token bucket per client IP, forgetting idle ones.
type limiter struct {
	mu      sync.Mutex
	r       rate.Limit
	burst   int
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{r: rate.Limit(perSecond), burst: burst, clients: map[string]*client{}}
}

// allow takes a token for ip, or says how long to wait for one.
func (l *limiter) allow(ip string) (time.Duration, bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	res := l.bucket(ip, now).ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// take spends a token of ip's bucket whether or not one is left: a failure always counts.
func (l *limiter) take(ip string) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(ip, now).ReserveN(now, 1)
}

// exhausted says whether ip's bucket is empty, and how long until a token is back, without
// taking one.
func (l *limiter) exhausted(ip string) (time.Duration, bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.bucket(ip, now)
	if lim.TokensAt(now) >= 1 {
		return 0, false
	}
	res := lim.ReserveN(now, 1)
	d := res.DelayFrom(now)
	res.CancelAt(now)
	return d, true
}

// bucket returns ip's token bucket, forgetting idle ones now and then. l.mu must be held.
func (l *limiter) bucket(ip string, now time.Time) *rate.Limiter {
	if now.Sub(l.swept) > time.Minute {
		// An idle bucket has refilled, so forgetting it changes nothing.
		for k, c := range l.clients {
			if now.Sub(c.seen) > 5*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[ip]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.r, l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	return c.lim
}
