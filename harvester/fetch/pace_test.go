package fetch

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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

// limiter is a strict token bucket like nginx's limit_req with no burst: a request less than
// 1/rate after the last accepted one is refused with 503 and Retry-After: 1.
type limiter struct {
	mu       sync.Mutex
	gap      time.Duration
	last     time.Time
	accepted int
	refused  int
}

func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.accepted > 0 && now.Sub(l.last) < l.gap {
		l.refused++
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	l.accepted++
	l.last = now
	fmt.Fprintf(w, "page %d", l.accepted)
}

// runLimited makes n requests behind a 2 r/s limiter and returns the time they took.
func runLimited(t *testing.T, c *Client, n int) time.Duration {
	t.Helper()
	start := time.Now()
	for i := range n {
		if _, err := c.Get(t.Context(), "http://limited.example/?page="+fmt.Sprint(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	return time.Since(start)
}

// TestAdaptivePace checks that the client learns a 2 r/s limit: total time within 1.1× of the
// ideal (n-1 intervals of 500 ms) and at most two refusals.
func TestAdaptivePace(t *testing.T) {
	for _, n := range []int{100, 200, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := &limiter{gap: 500 * time.Millisecond}
				c := New(Config{Transport: handlerTransport{l}}, nil)
				took := runLimited(t, c, n)
				ideal := time.Duration(n-1) * l.gap
				ratio := float64(took) / float64(ideal)
				t.Logf("%d requests: %v, ideal %v, ratio %.3f, refusals %d", n, took, ideal, ratio, l.refused)
				if n >= 200 && ratio > 1.1 {
					t.Errorf("ratio %.3f > 1.1", ratio)
				}
				if l.refused > 2 {
					t.Errorf("%d refusals, want ≤ 2", l.refused)
				}
				if got := c.Stats().Refusals; got != int64(l.refused) {
					t.Errorf("client counted %d refusals, server %d", got, l.refused)
				}
			})
		})
	}
}

// BenchmarkAdaptivePace runs the limiter scenario on a real loopback server and clock (about a
// minute per iteration; run with -benchtime=1x). It reports the time taken against the ideal
// and the refusals.
func BenchmarkAdaptivePace(b *testing.B) {
	const n = 100
	for b.Loop() {
		l := &limiter{gap: 500 * time.Millisecond}
		srv := httptest.NewServer(l)
		c := New(Config{AllowPrivate: true}, nil)
		start := time.Now()
		for i := range n {
			if _, err := c.Get(b.Context(), srv.URL+"/?page="+fmt.Sprint(i), nil); err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start)
		srv.Close()
		b.ReportMetric(float64(took)/float64(time.Duration(n-1)*l.gap), "x-ideal")
		b.ReportMetric(float64(l.refused), "refusals")
	}
}
