// Package fetch is the HTTP client every Orchard harvester shares. It is polite to the servers
// it reads (a User-Agent naming Orchard, per-host pacing that slows down when a server refuses
// and speeds up again carefully, Retry-After honoured) and careful with what it reads (TLS
// verified, timeouts, a cap on body size, private networks refused unless allowed, bodies
// decompressed whether or not the server said they were compressed).
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/weburl"
)

// Config sets up a Client. Zero values take the defaults given beside each field.
type Config struct {
	// UserAgent names the product; Contact is added to it (see UserAgent).
	UserAgent string
	// Contact is a URL or mail address where server operators can reach whoever runs Orchard.
	Contact string

	Timeout        time.Duration // whole attempt, headers and body: 60s
	ConnectTimeout time.Duration // TCP connect and TLS handshake: 10s
	HeaderTimeout  time.Duration // from request sent to response headers: 30s
	MaxBody        int64         // bytes, after decompression: 64 MiB
	// BodyStall is the longest wait for the next bytes of a body, and how long a body may
	// take before MinBodyRate applies: 20s.
	BodyStall time.Duration
	// MinBodyRate is the least average a body must arrive at, in bytes a second, once
	// BodyStall has passed, so that a server trickling bytes cannot hold a harvest until the
	// whole attempt's Timeout: 1024. Negative for none.
	MinBodyRate int64

	// AllowPrivate lets the client reach loopback, private, link-local and similar addresses.
	// Off, such addresses are refused when dialling, after name resolution, so neither a
	// redirect nor a DNS answer that changes can lead the client into a private network.
	AllowPrivate bool

	// Pace is the least time between two requests to one host; zero means none. The client
	// lengthens the time on its own when a host refuses requests (429, 503), and shortens it
	// while requests succeed, never below Pace (see pace.go).
	Pace time.Duration
	// StartPace is the time between requests to a host the client starts with, before it
	// knows how fast the host may be read; never less than the host's pace. Zero: four times
	// the pace, at most DefaultStartPace.
	StartPace time.Duration
	// MaxPace caps how far refusals stretch the interval between requests: 2m.
	MaxPace time.Duration

	MaxRetries    int           // retries after the first attempt; negative for none: 3
	MaxRedirects  int           // redirects followed; negative for none: 5
	BackoffBase   time.Duration // first backoff ceiling, doubled per retry, fully jittered: 1s
	BackoffMax    time.Duration // largest backoff ceiling: 30s
	MaxRetryAfter time.Duration // longest Retry-After honoured; longer ones are cut to this: 2m

	// Observer, when set, hears of every HTTP request sent, so that a process can export
	// figures without this package knowing how.
	Observer Observer

	// Shared, when set, spaces the requests of every process that shares it, so that a host
	// harvested by several workers is paced once. When it fails the client paces alone for a
	// while (sharedRetry).
	Shared SharedPacer

	// Transport replaces the network for tests that run on a fake clock. The private-network
	// guard and the dial timeouts live in the default transport and do not apply to it.
	Transport http.RoundTripper
}

// The pacing of an Orchard process left at its defaults: it begins each host at
// DefaultStartPace and may speed up to DefaultPace while the host keeps up.
const (
	DefaultPace      = 250 * time.Millisecond
	DefaultStartPace = time.Second
)

// DefaultConfig is the configuration New completes an empty one to.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Timeout, 60*time.Second)
	def(&c.ConnectTimeout, 10*time.Second)
	def(&c.HeaderTimeout, 30*time.Second)
	def(&c.MaxPace, 2*time.Minute)
	def(&c.BackoffBase, time.Second)
	def(&c.BackoffMax, 30*time.Second)
	def(&c.MaxRetryAfter, 2*time.Minute)
	def(&c.BodyStall, 20*time.Second)
	if c.MinBodyRate == 0 {
		c.MinBodyRate = 1024
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 64 << 20
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = 3
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	switch {
	case c.MaxRedirects == 0:
		c.MaxRedirects = 5
	case c.MaxRedirects < 0:
		c.MaxRedirects = 0
	}
	c.UserAgent = UserAgent(c.UserAgent, c.Contact)
	return c
}

// UserAgent is the User-Agent Orchard sends: product ("Orchard/1.0" when empty) followed by
// the operator's contact, unless product names it already, so that repository operators can
// reach whoever harvests them.
func UserAgent(product, contact string) string {
	if product == "" {
		product = "Orchard/1.0"
	}
	if contact != "" && !strings.Contains(product, contact) {
		product += " (+" + contact + ")"
	}
	return product
}

// Errors that callers may test with errors.Is. All come wrapped in a *harvester.Error.
var (
	ErrTooLarge         = errors.New("response body too large")
	ErrPrivateAddress   = errors.New("address in a private or special-purpose network")
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrTooSlow ends a body that stalls, arrives below the minimum rate or is not complete
	// within the attempt's time limit. It is transient, as a timeout is.
	ErrTooSlow = errors.New("response body too slow")
)

// StatusError is an HTTP status the client gave up on.
type StatusError struct {
	Code int
	URL  string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// Stats counts what a client did. Its fields may be read while requests run.
type Stats struct {
	Requests atomic.Int64 // HTTP requests sent, redirects and retries included
	Refusals atomic.Int64 // 429 and 503 answers
	Retries  atomic.Int64 // attempts repeated after a failure or refusal
}

// Counts is a snapshot of Stats.
type Counts struct {
	Requests, Refusals, Retries int64
}

// Snapshot reads the counters.
func (s *Stats) Snapshot() Counts {
	return Counts{Requests: s.Requests.Load(), Refusals: s.Refusals.Load(), Retries: s.Retries.Load()}
}

// Observer hears of each HTTP request the client sends: redirects and retries are requests of
// their own. host is the URL's host; status is the response's status, 0 when none came; err is
// the request's failure (a response body that could not be read included), already given its
// harvester kind; bytes counts the body as it came over the wire, before decompression; d runs
// from sending to the body's end. It is called on the requesting goroutine and must not block.
type Observer interface {
	Request(host string, status int, err error, bytes int64, d time.Duration)
}

// SharedPacer hands out the request slots of hosts to several processes: each request takes
// the host's next slot, and the slot after it starts no sooner than the interval asked for by
// the one who took it. Clocks differ between processes, so it speaks in waits, not times.
type SharedPacer interface {
	// Reserve takes host's next slot, the one after it to start interval later, and returns
	// how long until it starts.
	Reserve(ctx context.Context, host string, interval time.Duration) (time.Duration, error)
	// Defer moves host's next slot to d from now unless it is later already, after a refusal.
	Defer(ctx context.Context, host string, d time.Duration) error
}

// Request is one GET (or HEAD) with its options.
type Request struct {
	URL string
	// Method is GET when empty; HEAD asks for the headers alone.
	Method string
	Header http.Header // e.g. If-None-Match, If-Modified-Since, Accept
	// Pass lists status codes the caller handles itself (304, 404, 410, …): they come back as a
	// Response with a nil error instead of being retried or turned into an error.
	Pass []int
	// Pace overrides Config.Pace for the request's host when larger.
	Pace time.Duration
	// Stats, when set, also counts this request's work, so that one harvest can report its own
	// numbers on a client shared by many.
	Stats *Stats
	// MaxBody lowers Config.MaxBody for this request when set.
	MaxBody int64
	// Public refuses private addresses for this request even when Config.AllowPrivate lets
	// the client reach them: for URLs that no operator chose, such as records' landing pages.
	Public bool
	// Prefix reads only the first MaxBody bytes of the body, uncompressed, and ends there
	// without ErrTooLarge: enough to look at the start of a page.
	Prefix bool
}

// Response is a fully read, decompressed response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	URL        string // final URL, after redirects
}

// Client fetches with the politeness and safety rules of its Config. It is safe for concurrent
// use.
type Client struct {
	cfg  Config
	log  *slog.Logger
	http *http.Client
	// public is http for requests that must stay out of private networks (Request.Public).
	public *http.Client
	hosts  hostTable
	stats  Stats
	clock  clock
	// sharedDown is when the shared pacer last failed (unix nanoseconds), zero when it works.
	sharedDown atomic.Int64
}

// sharedRetry is how long the client paces alone after the shared pacer failed, and
// sharedTimeout how long one of its calls may take.
const (
	sharedRetry   = 30 * time.Second
	sharedTimeout = 2 * time.Second
)

// New builds a Client.
func New(cfg Config, log *slog.Logger) *Client {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: cfg, log: log, hosts: hostTable{m: map[string]*host{}}, clock: realClock{}}
	if cfg.Transport != nil {
		c.http, c.public = c.httpClient(cfg.Transport), c.httpClient(cfg.Transport)
		return c
	}
	c.http = c.httpClient(cfg.transport(cfg.AllowPrivate))
	c.public = c.http
	if cfg.AllowPrivate {
		// A transport of its own, so that a public-only request never reuses a connection
		// that another request opened to a private address.
		c.public = c.httpClient(cfg.transport(false))
	}
	return c
}

func (cfg Config) transport(allowPrivate bool) http.RoundTripper {
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	return &http.Transport{
		// No proxy: the guard checks the address actually dialled.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ResponseHeaderTimeout: cfg.HeaderTimeout,
		// Orchard asks for compression itself and decodes what arrives, declared or not.
		DisableCompression:  true,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
}

func (c *Client) httpClient(rt http.RoundTripper) *http.Client {
	return &http.Client{
		Transport: rt,
		// Redirects are followed by Do, so that every hop is paced and checked.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Stats returns the counters of everything the client has done.
func (c *Client) Stats() Counts { return c.stats.Snapshot() }

// Pace is the least time between two requests to one host that the client keeps.
func (c *Client) Pace() time.Duration { return c.cfg.Pace }

// Get fetches url with extra headers h (which may be nil). Any status but 2xx is an error.
func (c *Client) Get(ctx context.Context, url string, h http.Header) (*Response, error) {
	return c.Do(ctx, Request{URL: url, Header: h})
}

// Do fetches req.URL, following redirects, pacing, retrying and decompressing. Errors carry a
// harvester kind: permanent for 401, 403, 404, 410, other 4xx, too large bodies and refused
// addresses; transient for 5xx, refusals, timeouts and broken connections once retries are
// spent; invalid for a malformed URL.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	op := "get " + weburl.Redact(req.URL)
	u, err := weburl.Parse(req.URL)
	if err != nil {
		return nil, harvester.E(harvester.KindInvalid, op, err)
	}
	for attempt := 0; ; attempt++ {
		resp, wait, err := c.attempt(ctx, req, u)
		if err == nil {
			return resp, nil
		}
		kind := harvester.KindOf(err)
		if kind != harvester.KindTransient || attempt >= c.cfg.MaxRetries || ctx.Err() != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: %w", op, ctx.Err())
			}
			return nil, wrapOp(op, err)
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		c.count(req, func(s *Stats) { s.Retries.Add(1) })
		c.log.DebugContext(ctx, "retrying", "url", weburl.Redact(req.URL), "attempt", attempt+1, "wait", wait, "err", err)
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
}

// wrapOp puts the operation on an error that already carries a kind.
func wrapOp(op string, err error) error {
	var he *harvester.Error
	if errors.As(err, &he) && he.Op == "" {
		return harvester.E(he.Kind, op, he.Err)
	}
	return err
}

// backoff is the full-jitter exponential wait before retry number attempt+1.
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.cfg.BackoffBase << min(attempt, 20)
	if ceil > c.cfg.BackoffMax || ceil <= 0 {
		ceil = c.cfg.BackoffMax
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

func (c *Client) count(req Request, f func(*Stats)) {
	f(&c.stats)
	if req.Stats != nil {
		f(req.Stats)
	}
}

// attempt makes one try, following redirects. A transient error may come with the wait the
// server asked for (Retry-After).
func (c *Client) attempt(ctx context.Context, req Request, u *url.URL) (*Response, time.Duration, error) {
	for hop := 0; ; hop++ {
		floor := max(c.cfg.Pace, req.Pace)
		h := c.hosts.get(u.Host, floor, c.startPace(floor), c.cfg.MaxPace)
		slot, err := c.wait(ctx, h, u.Host)
		if err != nil {
			return nil, 0, err
		}
		sent := c.clock.Now()
		if late := h.late(slot, sent); late > h.interval()/20 {
			c.deferShared(ctx, u.Host, h.interval())
		}
		resp, err := c.roundTrip(ctx, req, u)
		if err != nil {
			return nil, 0, err
		}
		x := exchange{slot: slot, sent: sent, took: c.clock.Now().Sub(sent)}
		code := resp.StatusCode
		if slices.Contains(req.Pass, code) {
			h.success(x)
			return resp, 0, nil
		}
		switch {
		case code >= 200 && code < 300:
			h.success(x)
			return resp, 0, nil
		case isRedirect(code):
			h.success(x)
			loc := resp.Header.Get("Location")
			if loc == "" {
				return nil, 0, harvester.E(harvester.KindPermanent, "", fmt.Errorf("HTTP %d without Location", code))
			}
			if hop >= c.cfg.MaxRedirects {
				return nil, 0, harvester.E(harvester.KindPermanent, "", fmt.Errorf("%w (%d)", ErrTooManyRedirects, hop))
			}
			next, err := u.Parse(loc)
			if err == nil {
				// Resolved and written back, a Location's stray spaces are encoded.
				next, err = weburl.Parse(next.String())
			}
			if err != nil {
				return nil, 0, harvester.E(harvester.KindPermanent, "", fmt.Errorf("bad redirect to %q", loc))
			}
			if next.Host != u.Host {
				// Credentials meant for one host are not handed to another.
				req.Header = req.Header.Clone()
				req.Header.Del("Authorization")
				req.Header.Del("Cookie")
			}
			u = next
			continue
		case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
			c.count(req, func(s *Stats) { s.Refusals.Add(1) })
			now := c.clock.Now()
			ra, ok := retryAfter(resp.Header.Get("Retry-After"), now)
			if ok {
				ra = min(ra, c.cfg.MaxRetryAfter)
			}
			interval := h.refused(x, now, ra)
			c.deferShared(ctx, u.Host, max(ra, interval))
			c.log.InfoContext(ctx, "refused", "url", weburl.Redact(u.String()), "status", code, "retry_after", ra, "interval", interval)
			// The retry waits for the host's next slot, which the refusal has pushed back.
			return nil, time.Nanosecond, harvester.E(harvester.KindTransient, "", &StatusError{Code: code, URL: weburl.Redact(u.String())})
		default:
			h.success(x)
			kind := harvester.KindPermanent
			if code >= 500 && code != http.StatusNotImplemented || code == http.StatusRequestTimeout {
				kind = harvester.KindTransient
			}
			return nil, 0, harvester.E(kind, "", &StatusError{Code: code, URL: weburl.Redact(u.String())})
		}
	}
}

// startPace is the interval a host of the given floor starts at.
func (c *Client) startPace(floor time.Duration) time.Duration {
	start := c.cfg.StartPace
	if start == 0 {
		start = min(4*floor, DefaultStartPace)
	}
	return max(start, floor)
}

// wait takes the host's next slot, from the shared pacer when there is one and it answers, and
// sleeps until the slot starts, which it returns.
func (c *Client) wait(ctx context.Context, h *host, name string) (time.Time, error) {
	now := c.clock.Now()
	at := now
	if interval := h.interval(); interval > 0 && c.sharedUp(now) {
		rctx, cancel := context.WithTimeout(ctx, sharedTimeout)
		d, err := c.cfg.Shared.Reserve(rctx, name, interval)
		cancel()
		if err != nil {
			c.sharedFailed(ctx, now, err)
		} else if c.sharedDown.Swap(0) != 0 {
			c.log.InfoContext(ctx, "shared pacing reachable again")
		}
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		// The wait counts from the answer. The local slot still counts too, so that pacing
		// goes on alone without a jump.
		now = c.clock.Now()
		at = now.Add(d)
	}
	start := h.reserve(at)
	return start, c.clock.Sleep(ctx, start.Sub(now))
}

// deferShared tells the other processes that the host refused a request.
func (c *Client) deferShared(ctx context.Context, name string, d time.Duration) {
	now := c.clock.Now()
	if !c.sharedUp(now) {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	defer cancel()
	if err := c.cfg.Shared.Defer(dctx, name, d); err != nil {
		c.sharedFailed(ctx, now, err)
	}
}

func (c *Client) sharedUp(now time.Time) bool {
	if c.cfg.Shared == nil {
		return false
	}
	down := c.sharedDown.Load()
	return down == 0 || now.Sub(time.Unix(0, down)) >= sharedRetry
}

func (c *Client) sharedFailed(ctx context.Context, now time.Time, err error) {
	if ctx.Err() != nil {
		return
	}
	if c.sharedDown.Swap(now.UnixNano()) == 0 {
		c.log.WarnContext(ctx, "shared pacing unreachable; pacing this process alone", "retry_in", sharedRetry, "err", err)
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// roundTrip sends one request and reads its whole body within the attempt's time limit and
// at the least rate.
func (c *Client) roundTrip(parent context.Context, req Request, u *url.URL) (*Response, error) {
	timed, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	ctx, stop := context.WithCancelCause(timed)
	defer stop(nil)
	method := http.MethodGet
	if req.Method != "" {
		method = req.Method
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, harvester.E(harvester.KindInvalid, "", err)
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("User-Agent", c.cfg.UserAgent)
	switch {
	case req.Prefix:
		// A cut compressed stream cannot be decoded.
		hr.Header.Set("Accept-Encoding", "identity")
	case hr.Header.Get("Accept-Encoding") == "":
		hr.Header.Set("Accept-Encoding", "gzip, deflate")
	}
	c.count(req, func(s *Stats) { s.Requests.Add(1) })
	start := time.Now()
	hc := c.http
	if req.Public {
		hc = c.public
	}
	resp, err := hc.Do(hr)
	if err != nil {
		err = classify(err)
		c.observe(u.Host, 0, err, 0, start)
		return nil, err
	}
	defer resp.Body.Close()
	out, n, err := c.readBody(ctx, parent, stop, req, resp)
	c.observe(u.Host, resp.StatusCode, err, n, start)
	if err != nil {
		return nil, err
	}
	out.URL = u.String()
	return out, nil
}

// readBody reads and decodes resp's body within the attempt's limits; it returns the number of
// bytes read from the wire even when reading failed.
func (c *Client) readBody(ctx, parent context.Context, stop context.CancelCauseFunc, req Request, resp *http.Response) (*Response, int64, error) {
	limit := c.cfg.MaxBody
	if req.MaxBody > 0 {
		limit = min(limit, req.MaxBody)
	}
	counted := &countingReader{r: resp.Body}
	if c.cfg.MinBodyRate > 0 {
		go c.watchBody(ctx, &counted.n, stop)
	}
	var raw []byte
	var err error
	if req.Prefix {
		raw, err = io.ReadAll(io.LimitReader(counted, limit))
	} else {
		raw, err = readCapped(counted, limit, resp.ContentLength)
	}
	if err != nil {
		cause := context.Cause(ctx)
		switch {
		case errors.Is(cause, ErrTooSlow):
			err = cause
		case parent.Err() == nil && errors.Is(cause, context.DeadlineExceeded):
			err = fmt.Errorf("%w: %d bytes, not complete within %s", ErrTooSlow, counted.n.Load(), c.cfg.Timeout)
		}
		return nil, counted.n.Load(), classify(err)
	}
	body, err := decode(raw, resp.Header.Get("Content-Encoding"), limit)
	switch {
	case err != nil && req.Prefix:
		body = nil // compressed against the request: the prefix tells nothing
	case err != nil:
		return nil, counted.n.Load(), classify(err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, counted.n.Load(), nil
}

func (c *Client) observe(host string, status int, err error, bytes int64, start time.Time) {
	if c.cfg.Observer != nil {
		c.cfg.Observer.Request(host, status, err, bytes, time.Since(start))
	}
}

// countingReader counts the bytes read through it; the count may be read while it reads.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// watchBody ends the request, with ErrTooSlow as the cause, when no byte of its body has
// come for BodyStall, or when, BodyStall after the body began, fewer than MinBodyRate bytes a
// second have come on average. It checks a few times per BodyStall until ctx is done.
func (c *Client) watchBody(ctx context.Context, n *atomic.Int64, stop context.CancelCauseFunc) {
	stall, rate := c.cfg.BodyStall, c.cfg.MinBodyRate
	tick := time.NewTicker(max(stall/10, 10*time.Millisecond))
	defer tick.Stop()
	start := time.Now()
	seen, seenAt := int64(0), start
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			got := n.Load()
			if got != seen {
				seen, seenAt = got, now
			}
			switch elapsed := now.Sub(start); {
			case now.Sub(seenAt) >= stall:
				stop(fmt.Errorf("%w: no data for %s after %d bytes", ErrTooSlow, stall, got))
				return
			case elapsed >= stall && float64(got) < float64(rate)*elapsed.Seconds():
				stop(fmt.Errorf("%w: %d bytes in %s, less than %d bytes a second", ErrTooSlow, got, elapsed.Round(time.Millisecond), rate))
				return
			}
		}
	}
}

// readCapped reads r to its end, failing with ErrTooLarge past limit bytes. size is the length
// announced (Content-Length, a gzip trailer) or -1: the buffer is made that large at once, since
// growing it by doubling copies and discards most of what large bodies allocate.
func readCapped(r io.Reader, limit, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(min(size, limit) + bytes.MinRead))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// classify gives a transport error its kind.
func classify(err error) error {
	switch {
	case errors.Is(err, ErrTooSlow):
		return harvester.E(harvester.KindTransient, "", err)
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrPrivateAddress):
		return harvester.E(harvester.KindPermanent, "", err)
	case errors.Is(err, context.Canceled):
		return err
	}
	var ne net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &certErr):
		return harvester.E(harvester.KindPermanent, "", err)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return harvester.E(harvester.KindPermanent, "", err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout(),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, errCorrupt):
		return harvester.E(harvester.KindTransient, "", err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) {
		return harvester.E(harvester.KindTransient, "", err)
	}
	if strings.Contains(err.Error(), "connection reset") {
		return harvester.E(harvester.KindTransient, "", err)
	}
	return harvester.E(harvester.KindPermanent, "", err)
}

// retryAfter reads a Retry-After value: delta seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<31)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
