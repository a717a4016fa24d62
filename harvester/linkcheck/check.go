// Package linkcheck finds out whether a record's landing page still answers, and how it fails
// when it does not: an HTTP status, a name that no longer resolves, a broken certificate, a
// timeout, a refused connection, or a soft 404 (a deep link sent to the site's home page or to a
// page whose title says it was not found). It visits through the shared fetch client, so hosts
// are paced as harvests pace them and private networks stay out of reach, and it obeys
// robots.txt. Policy turns a link's history of checks into the verdict "broken".
package linkcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/robots"
	"github.com/orchard-oer/orchard/weburl"
)

// Kind is what a check found.
type Kind string

const (
	OK      Kind = "ok"
	Status  Kind = "status"   // an HTTP error status
	DNS     Kind = "dns"      // the host name does not resolve
	TLS     Kind = "tls"      // the certificate or handshake failed
	Timeout Kind = "timeout"  // no complete answer in time
	Refused Kind = "refused"  // the connection was refused
	Soft404 Kind = "soft_404" // an answer that is a "not found" in disguise
	Error   Kind = "error"    // any other failure (a reset connection, a redirect loop)
	// Kinds of links that were not checked, and so count neither way.
	Disallowed Kind = "robots"  // robots.txt forbids the page
	Private    Kind = "private" // the page is in a private network, which the checker may not reach
	Invalid    Kind = "invalid" // not an absolute http(s) URL
)

// Kinds lists every kind, for metrics that should show zero counts.
var Kinds = []Kind{OK, Status, DNS, TLS, Timeout, Refused, Soft404, Error, Disallowed, Private, Invalid}

// Result is the outcome of one check.
type Result struct {
	Kind   Kind
	Status int    // the last HTTP status seen, 0 when none came
	URL    string // where the link led, after redirects
	Detail string // the error or the page title, for librarians
}

// Failed reports whether the link failed; a link not checked did not.
func (r Result) Failed() bool {
	switch r.Kind {
	case OK, Disallowed, Private, Invalid:
		return false
	}
	return true
}

// Checked reports whether the link was visited at all.
func (r Result) Checked() bool {
	switch r.Kind {
	case Disallowed, Private, Invalid:
		return false
	}
	return true
}

// Config sets up a Checker. Zero values take the defaults beside each field.
type Config struct {
	Agent     string        // the name looked up in robots.txt groups: "Orchard"
	RobotsTTL time.Duration // how long a host's robots.txt is kept: 1h
	Prefix    int64         // bytes of a page read to find its title: 16 KiB
	// AllowPrivate lets the checker reach private addresses if its client may. Landing URLs
	// come from harvested metadata, which no operator vetted, so only tests on loopback
	// set it.
	AllowPrivate bool
}

// Checker checks links. It is safe for concurrent use.
type Checker struct {
	client *fetch.Client
	cfg    Config

	mu     sync.Mutex
	robots map[string]cachedRules // by scheme://host
}

type cachedRules struct {
	rules *robots.Rules
	err   error
	at    time.Time
}

// New builds a Checker on client.
func New(client *fetch.Client, cfg Config) *Checker {
	if cfg.Agent == "" {
		cfg.Agent = "Orchard"
	}
	if cfg.RobotsTTL <= 0 {
		cfg.RobotsTTL = time.Hour
	}
	if cfg.Prefix <= 0 {
		cfg.Prefix = 16 << 10
	}
	return &Checker{client: client, cfg: cfg, robots: map[string]cachedRules{}}
}

// headRefused are the statuses of servers that answer HEAD badly but GET well.
var headRefused = map[int]bool{400: true, 403: true, 405: true, 406: true, 501: true}

// pass lets every error status through to be classified here, except the refusals (429,
// 503) that the fetch client handles politely with its pacing and Retry-After.
var pass = func() []int {
	var p []int
	for c := 400; c < 600; c++ {
		if c != http.StatusTooManyRequests && c != http.StatusServiceUnavailable {
			p = append(p, c)
		}
	}
	return p
}()

// Check visits raw and says what it found. The error is only ctx's: a cancelled check has no
// result.
func (c *Checker) Check(ctx context.Context, raw string) (Result, error) {
	u, err := weburl.Parse(raw)
	if err != nil {
		return Result{Kind: Invalid, Detail: err.Error()}, nil
	}
	rules, err := c.rulesFor(ctx, u)
	if err != nil {
		return c.failure(ctx, err)
	}
	if !rules.Allowed(u) {
		return Result{Kind: Disallowed, Detail: rules.URL}, nil
	}
	resp, err := c.client.Do(ctx, fetch.Request{URL: u.String(), Method: http.MethodHead, Pass: pass, Public: !c.cfg.AllowPrivate})
	if err == nil && (headRefused[resp.StatusCode] || resp.URL != u.String()) {
		// HEAD refused, or redirected: read the page's start, which also tells whether
		// the page landed on says "not found".
		resp, err = c.client.Do(ctx, fetch.Request{URL: u.String(), Pass: pass, MaxBody: c.cfg.Prefix, Prefix: true, Public: !c.cfg.AllowPrivate})
	}
	if err != nil {
		return c.failure(ctx, err)
	}
	res := Result{Status: resp.StatusCode, URL: resp.URL}
	switch {
	case resp.StatusCode >= 400:
		res.Kind, res.Detail = Status, http.StatusText(resp.StatusCode)
	case deep(u) && home(resp.URL):
		res.Kind, res.Detail = Soft404, "sent to the home page"
	default:
		res.Kind = OK
		if t := title(resp.Body); t != "" && saysNotFound(t) {
			res.Kind, res.Detail = Soft404, t
		}
	}
	return res, nil
}

// rulesFor returns the robots.txt rules of u's host, read at most once per RobotsTTL. A host
// whose robots.txt cannot be read fails the check with that reading's error, which is also
// how a dead host shows first.
func (c *Checker) rulesFor(ctx context.Context, u *url.URL) (*robots.Rules, error) {
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	cr, ok := c.robots[key]
	c.mu.Unlock()
	if ok && time.Since(cr.at) < c.cfg.RobotsTTL {
		return cr.rules, cr.err
	}
	rules, err := robots.Fetch(ctx, c.client, u, robots.Request{Agent: c.cfg.Agent, MaxBody: c.cfg.Prefix * 32, Public: !c.cfg.AllowPrivate})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c.mu.Lock()
	c.robots[key] = cachedRules{rules: rules, err: err, at: time.Now()}
	c.mu.Unlock()
	return rules, err
}

// failure classifies a failed visit; a cancelled ctx is returned as the error.
func (c *Checker) failure(ctx context.Context, err error) (Result, error) {
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	return Result{Kind: kindOf(err), Status: statusOf(err), Detail: err.Error()}, nil
}

func statusOf(err error) int {
	var se *fetch.StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// kindOf tells failures apart by their error types, never by their messages.
func kindOf(err error) Kind {
	var (
		se       *fetch.StatusError
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		alertErr tls.AlertError
		recErr   tls.RecordHeaderError
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invErr   x509.CertificateInvalidError
		netErr   net.Error
	)
	switch {
	case errors.Is(err, fetch.ErrPrivateAddress):
		return Private
	case errors.As(err, &se):
		return Status
	case errors.As(err, &dnsErr):
		return DNS
	case errors.As(err, &certErr), errors.As(err, &alertErr), errors.As(err, &recErr),
		errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invErr):
		return TLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return Refused
	case errors.Is(err, fetch.ErrTooSlow), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	}
	return Error
}

// deep reports whether u names something below a site's home page.
func deep(u *url.URL) bool {
	return !homePath(u.Path) || u.RawQuery != ""
}

// home reports whether raw is a site's home page.
func home(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && homePath(u.Path) && u.RawQuery == ""
}

var homeRe = regexp.MustCompile(`(?i)^/?((index|default|home)\.(html?|php|aspx?))?$`)

func homePath(p string) bool { return homeRe.MatchString(p) }

var titleRe = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// title is the page title in the start of an HTML page, or "".
func title(body []byte) string {
	m := titleRe.FindSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(string(m[1])), " ")
}

// notFound are words of page titles that say the page does not exist, in the catalog's
// languages.
var notFound = []string{
	"not found", "404", "page does not exist", "no longer available",
	"nicht gefunden", "existiert nicht", "introuvable", "n'existe pas",
	"no encontrad", "no existe",
}

func saysNotFound(title string) bool {
	t := strings.ToLower(title)
	for _, w := range notFound {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}
