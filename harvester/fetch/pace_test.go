package fetch

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// handlerTransport serves requests in memory, so that tests run on synctest's fake clock.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func TestPace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var times []time.Time
		c := New(Config{Pace: time.Second, Transport: handlerTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			times = append(times, time.Now())
		})}}, nil)
		start := time.Now()
		for range 5 {
			if _, err := c.Get(t.Context(), "http://a.example/", nil); err != nil {
				t.Fatal(err)
			}
		}
		// Another host is not held back by the first.
		if _, err := c.Get(t.Context(), "http://b.example/", nil); err != nil {
			t.Fatal(err)
		}
		for i, tm := range times[:5] {
			if got := tm.Sub(start); got != time.Duration(i)*time.Second {
				t.Errorf("request %d at %v, want %ds", i, got, i)
			}
		}
		if got := times[5].Sub(start); got != 4*time.Second {
			t.Errorf("other host at %v, want right after the first host's last request", got)
		}
	})
}

func TestBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		c := New(Config{BackoffBase: time.Second, BackoffMax: 10 * time.Second, MaxRetries: 5,
			Transport: handlerTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n++; n <= 4 {
					w.WriteHeader(http.StatusBadGateway)
				}
			})}}, nil)
		start := time.Now()
		if _, err := c.Get(t.Context(), "http://a.example/", nil); err != nil {
			t.Fatal(err)
		}
		// Full jitter: each wait is somewhere in [0, 1s], [0, 2s], [0, 4s], [0, 8s].
		if got := time.Since(start); got > 15*time.Second {
			t.Errorf("took %v, more than the backoff ceilings allow", got)
		}
		if got := c.Stats(); got.Retries != 4 || got.Requests != 5 {
			t.Errorf("stats %+v", got)
		}
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, form := range []string{"seconds", "date", "too long"} {
		t.Run(form, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var times []time.Time
				c := New(Config{MaxRetryAfter: time.Minute, Transport: handlerTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					times = append(times, time.Now())
					if len(times) > 1 {
						return
					}
					switch form {
					case "seconds":
						w.Header().Set("Retry-After", "30")
					case "date":
						w.Header().Set("Retry-After", time.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
					case "too long":
						w.Header().Set("Retry-After", "86400")
					}
					w.WriteHeader(http.StatusTooManyRequests)
				})}}, nil)
				if _, err := c.Get(t.Context(), "http://a.example/", nil); err != nil {
					t.Fatal(err)
				}
				want := 30 * time.Second
				if form == "too long" {
					want = time.Minute
				}
				// HTTP dates have whole seconds, so the date form may come out up to 1s short.
				if got := times[1].Sub(times[0]); got < want-time.Second || got > want {
					t.Errorf("retried after %v, want %v", got, want)
				}
				if got := c.Stats().Refusals; got != 1 {
					t.Errorf("%d refusals, want 1", got)
				}
			})
		})
	}
}

// limiter answers like a rate-limited server: a token bucket gaining a token every gap and
// holding at most burst. With burst 1 it is nginx's limit_req without burst: a request sooner
// than gap after the last one accepted is refused.
type limiter struct {
	gap        time.Duration
	burst      float64
	status     int  // of a refusal: 503 (limit_req) or 429
	retryAfter bool // whether a refusal says Retry-After: 1
	now        func() time.Time
	// jitter delays each request by up to this much on its way, as a busy machine and network
	// do, with delays drawn from a fixed seed.
	jitter time.Duration
	rand   *rand.Rand

	mu       sync.Mutex
	tokens   float64
	last     time.Time
	accepted int
	refused  int
}

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.jitter > 0 {
		if l.rand == nil {
			l.rand = rand.New(rand.NewPCG(1, 2))
		}
		now = now.Add(time.Duration(l.rand.Int64N(int64(l.jitter))))
		if now.Before(l.last) {
			now = l.last // delayed, but served in the order sent
		}
	}
	if l.last.IsZero() {
		l.tokens = l.burst
	} else {
		l.tokens = min(l.burst, l.tokens+float64(now.Sub(l.last))/float64(l.gap))
	}
	l.last = now
	if l.tokens < 1 {
		l.refused++
		if l.retryAfter {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(l.status)
		return
	}
	l.tokens--
	l.accepted++
	fmt.Fprintf(w, "page %d", l.accepted)
}

// limiters are the servers pacing must keep up with: 2 requests a second, as nginx's
// limit_req and as a token bucket with a burst of 2, with and without Retry-After.
func limiters(now func() time.Time) map[string]*limiter {
	const gap = 500 * time.Millisecond
	return map[string]*limiter{
		"limit_req":                  {gap: gap, burst: 1, status: http.StatusServiceUnavailable, now: now},
		"limit_req retry-after":      {gap: gap, burst: 1, status: http.StatusServiceUnavailable, retryAfter: true, now: now},
		"token bucket":               {gap: gap, burst: 2, status: http.StatusTooManyRequests, now: now},
		"token bucket retry-after":   {gap: gap, burst: 2, status: http.StatusTooManyRequests, retryAfter: true, now: now},
		"token bucket 4":             {gap: gap, burst: 4, status: http.StatusTooManyRequests, now: now},
		"token bucket 4 retry-after": {gap: gap, burst: 4, status: http.StatusTooManyRequests, retryAfter: true, now: now},
		"limit_req jitter":           {gap: gap, burst: 1, status: http.StatusServiceUnavailable, now: now, jitter: 30 * time.Millisecond},
		"token bucket jitter":        {gap: gap, burst: 2, status: http.StatusTooManyRequests, now: now, jitter: 30 * time.Millisecond},
	}
}

// pacings are the configurations measured: Orchard's defaults, and no pace at all (as
// `harvest once --pace 0s`).
var pacings = map[string]Config{"default": {Pace: DefaultPace}, "pace 0s": {}}

// runLimited makes n requests and returns the time they took and the ideal: n-1 gaps of the
// limiter.
func runLimited(ctx context.Context, c *Client, l *limiter, base string, n int) (took, ideal time.Duration, err error) {
	start := c.clock.Now()
	for i := range n {
		if _, err := c.Get(ctx, base+"/?page="+fmt.Sprint(i), nil); err != nil {
			return 0, 0, err
		}
	}
	return c.clock.Now().Sub(start), time.Duration(n-1) * l.gap, nil
}

// TestAdaptivePace checks that a client at the default settings learns a 2 r/s limit: 200
// pages or more within 1.1× of the ideal and at most two refusals, also when requests reach the
// server up to 30 ms late. Bursts of 4 are allowed a third refusal, and so is starting unpaced.
func TestAdaptivePace(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(limiters(time.Now))) {
		for _, pacing := range slices.Sorted(maps.Keys(pacings)) {
			for _, n := range []int{100, 200, 1000} {
				t.Run(fmt.Sprintf("%s/%s/%d", name, pacing, n), func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						l := limiters(time.Now)[name]
						cfg := pacings[pacing]
						cfg.Transport = handlerTransport{l}
						c := New(cfg, nil)
						took, ideal, err := runLimited(t.Context(), c, l, "http://limited.example", n)
						if err != nil {
							t.Fatal(err)
						}
						ratio := float64(took) / float64(ideal)
						t.Logf("%v, ideal %v, ratio %.3f, refusals %d, interval %v", took, ideal, ratio, l.refused, c.hosts.m["limited.example"].interval())
						if n >= 200 && ratio > 1.1 {
							t.Errorf("ratio %.3f > 1.1", ratio)
						}
						most := 2 + int(l.burst)/4
						if pacing != "default" {
							most++ // not a goal: starting unpaced costs a refusal at once
						}
						if l.refused > most {
							t.Errorf("%d refusals, want ≤ %d", l.refused, most)
						}
						if got := c.Stats().Refusals; got != int64(l.refused) {
							t.Errorf("client counted %d refusals, server %d", got, l.refused)
						}
					})
				})
			}
		}
	}
}

// simClock is a clock on which sleeping moves time on at once, for one goroutine.
type simClock struct{ now time.Time }

func (c *simClock) Now() time.Time { return c.now }

func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	c.now = c.now.Add(max(d, 0))
	return ctx.Err()
}

// BenchmarkPaceAtLimit harvests 200 pages behind each limiter, at the default settings and
// unpaced, on a simulated clock, and reports the time taken against the ideal and the
// refusals.
func BenchmarkPaceAtLimit(b *testing.B) {
	for _, name := range slices.Sorted(maps.Keys(limiters(nil))) {
		for _, pacing := range slices.Sorted(maps.Keys(pacings)) {
			b.Run(name+"/"+pacing, func(b *testing.B) {
				for b.Loop() {
					clk := &simClock{now: time.Unix(1e9, 0)}
					l := limiters(clk.Now)[name]
					cfg := pacings[pacing]
					cfg.Transport = handlerTransport{l}
					c := New(cfg, nil)
					c.clock = clk
					took, ideal, err := runLimited(b.Context(), c, l, "http://limited.example", 200)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(took)/float64(ideal), "x-ideal")
					b.ReportMetric(float64(l.refused), "refusals")
				}
			})
		}
	}
}

// BenchmarkPaceAtLimitRealTime is BenchmarkPaceAtLimit for the token bucket without
// Retry-After on a loopback server and the real clock: about 100 s an iteration.
func BenchmarkPaceAtLimitRealTime(b *testing.B) {
	name := "token bucket"
	if v := os.Getenv("ORCHARD_BENCH_LIMITER"); v != "" {
		name = v
	}
	for b.Loop() {
		l := limiters(time.Now)[name]
		if l == nil {
			b.Fatalf("no limiter %q", name)
		}
		srv := httptest.NewServer(l)
		cfg := pacings["default"]
		cfg.AllowPrivate = true
		took, ideal, err := runLimited(b.Context(), New(cfg, nil), l, srv.URL, 200)
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(took)/float64(ideal), "x-ideal")
		b.ReportMetric(float64(l.refused), "refusals")
	}
}

// history builds a host's memory from gaps in milliseconds, a negative one for a request that
// was refused.
func history(gaps ...int) []sent {
	at := time.Unix(1e9, 0)
	var out []sent
	for _, g := range gaps {
		a := accepted
		if g < 0 {
			a, g = refusedAnswer, -g
		}
		at = at.Add(time.Duration(g) * time.Millisecond)
		out = append(out, sent{slot: at, at: at, answer: a})
	}
	return out
}

func TestBucketInterval(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name     string
		hist     []sent
		min, max time.Duration // bounds of the estimate; zero max for none
	}{
		// limit_req refuses the first gap under 500 ms; the shortest accepted gap, plus the
		// jitter allowed (2%), is the slowest rate that explains it.
		{"limit_req", history(0, 1000, 800, 600, 510, -490), 500 * ms, 521 * ms},
		// A token bucket of 2 at 500 ms lets a descending client through well below 500 ms
		// (the burst), then refuses at 358 ms: a burst of 1 cannot explain both 377 accepted
		// after 397 and then 385 refused, a burst of 2 at 500 ms can.
		{"token bucket", history(0, 1000, 950, 902, 857, 815, 774, 735, 698, 663, 630, 599, 569, 540, 513, 488, 463, 440, 418, 397, 377, -358, 1000, 385, 385, 385, 385, -385), 480 * ms, 530 * ms},
		// Refused after a long pause while more short gaps were accepted than a burst of 4
		// allows: no token bucket explains it.
		{"no bucket", history(0, 100, 100, 100, 100, 100, 100, 100, 100, -3000), 0, 0},
		{"too little", history(-100), 0, 0},
		{"pending only", []sent{{at: time.Unix(1, 0)}, {at: time.Unix(2, 0)}}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := bucketInterval(tc.hist)
			if tc.max == 0 {
				if ok {
					t.Errorf("estimate %v, want none", got)
				}
				return
			}
			if !ok || got < tc.min || got > tc.max {
				t.Errorf("estimate %v (%v), want in [%v, %v]", got, ok, tc.min, tc.max)
			}
		})
	}
}

// TestHostInterval follows one host's interval through successes and refusals on a clock of
// its own.
func TestHostInterval(t *testing.T) {
	t0 := time.Unix(1e9, 0)
	ms := time.Millisecond
	type step struct {
		after   time.Duration // since the previous request
		refused bool
		ra      time.Duration
		want    time.Duration // interval afterwards, within 1%
		next    time.Duration // if set, the next slot this long after the request
	}
	for _, tc := range []struct {
		name         string
		floor, start time.Duration
		steps        []step
	}{
		{"probes down to the floor", 250 * ms, time.Second, []step{
			{want: 950 * ms}, {after: 950 * ms, want: 902500 * time.Microsecond},
		}},
		{"stays at the floor", time.Second, 0, []step{{want: time.Second}, {after: time.Second, want: time.Second}}},
		// A gap of 600 ms accepted (the interval in force when its slot was taken), 570 ms
		// refused: a burst of 1 at 600 ms explains it, plus the jitter allowed.
		{"refusal sets the modelled interval and holds it", 0, 600 * ms, []step{
			{want: 570 * ms}, {want: 541500 * time.Microsecond},
			{refused: true, want: 610 * ms},
			{after: time.Second, want: 610 * ms},
		}},
		{"retry-after delays without setting the interval", 0, 600 * ms, []step{
			{want: 570 * ms}, {after: 570 * ms, refused: true, ra: 30 * time.Second, next: 30 * time.Second},
		}},
		{"unexplained refusal backs off", 0, 0, []step{
			{}, {after: 100 * ms}, {after: 100 * ms}, {after: 100 * ms}, {after: 100 * ms}, {after: 100 * ms},
			{after: 100 * ms}, {after: 100 * ms}, {after: 100 * ms}, {after: 3 * time.Second, refused: true, want: firstBackOff},
		}},
		// A refusal 600 ms after the first request: the model can only say "slower than
		// 600 ms"; probing starts again once the refusal is forgotten.
		{"forgets refusals", 0, 600 * ms, []step{
			{want: 570 * ms}, {refused: true, want: 675 * ms},
			{after: memory + time.Minute, want: 641250 * time.Microsecond},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tab hostTable
			tab.m = map[string]*host{}
			h := tab.get("a.example", tc.floor, max(tc.start, tc.floor), 2*time.Minute)
			now := t0
			for i, s := range tc.steps {
				now = now.Add(s.after)
				start := h.reserve(now)
				now = start
				x := exchange{slot: start, sent: start}
				if s.refused {
					h.refused(x, now, s.ra)
				} else {
					h.success(x)
				}
				if got := h.interval(); s.want != 0 && (got < s.want-s.want/100 || got > s.want+s.want/100) {
					t.Errorf("step %d: interval %v, want %v", i, got, s.want)
				}
				if s.next != 0 && h.next.Sub(start) != s.next {
					t.Errorf("step %d: next slot %v after, want %v", i, h.next.Sub(start), s.next)
				}
			}
		})
	}
}
