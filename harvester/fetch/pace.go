package fetch

import (
	"context"
	"sync"
	"time"
)

// Adaptive pacing. Each host has an interval between requests: it starts at StartPace, never
// goes below the configured pace (the floor) nor above MaxPace.
//
// While the host has refused nothing lately, every success shortens the interval by a
// twentieth, so that a host that keeps up is soon read at the rate it allows.
//
// A refusal (429, 503) says that the requests came faster than the server's limit, but not by
// how much: behind a token bucket with a burst, the request refused comes well after the
// rate was crossed, at a gap far shorter than the sustainable one. So the host's recent
// requests and answers are kept, and on a refusal the interval becomes the slowest rate of the
// smallest token bucket (burst 1, as nginx's limit_req without burst, then 2, …) that would
// have answered them as the server did. Requests reach the server a little sooner or later than
// they were sent, so an acceptance is allowed that much jitter; a refusal is not, so that
// refusals caused by jitter push the interval above it. An estimate that later proves too fast
// is corrected by the next refusal, which adds to the evidence. The interval then holds until
// the refusals are forgotten (servers change their limits), and probing starts again. A
// refusal no bucket explains doubles the interval and probing goes on.
// A Retry-After delays the next request without setting the interval.
const (
	probeStep = 20               // each success shortens the interval by 1/probeStep while probing
	memory    = 10 * time.Minute // how long requests and refusals are remembered
	// historyLen bounds the requests remembered per host.
	historyLen = 64
	// maxBurst is the largest token-bucket burst the model tries before giving up on it.
	maxBurst = 4
	// The model allows each request to reach the server jitter or 1/jitterShare of the
	// interval sooner or later than it was sent, whichever is more.
	jitter      = 5 * time.Millisecond
	jitterShare = 50
	// firstBackOff is the interval after a refusal that no model explains on an unpaced host.
	firstBackOff = time.Second
)

type hostTable struct {
	mu sync.Mutex
	m  map[string]*host
}

func (t *hostTable) get(name string, floor, start, maxPace time.Duration) *host {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.m[name]
	if h == nil {
		h = &host{cur: max(start, floor)}
		t.m[name] = h
	}
	h.mu.Lock()
	h.floor, h.max = floor, max(maxPace, floor)
	h.cur = max(h.cur, floor)
	h.mu.Unlock()
	return h
}

// answer is what became of a request sent to a host.
type answer uint8

const (
	pending answer = iota
	accepted
	refusedAnswer
)

// sent is one request the host was sent.
type sent struct {
	slot   time.Time // start of the slot it took
	at     time.Time // when it was sent: the slot's start until it was answered
	took   time.Duration
	answer answer
}

// exchange is a request as the client saw it: the slot it took, when it was sent, how long
// the answer took to come.
type exchange struct {
	slot, sent time.Time
	took       time.Duration
}

type host struct {
	mu        sync.Mutex
	floor     time.Duration // configured pace
	max       time.Duration
	cur       time.Duration // interval in force
	next      time.Time     // earliest start of the next request
	hist      []sent        // latest requests, oldest first
	refusedAt time.Time     // latest refusal remembered; zero if none
}

// reserve takes the host's first free slot at or after at and returns its start.
func (h *host) reserve(at time.Time) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	start := at
	if h.next.After(start) {
		start = h.next
	}
	h.take(start)
	return start
}

// late records that the request of the slot at slot went out only at sent, after a sleep
// that overran (a busy machine): the next slot moves as far, so that the server still sees a
// whole interval between the two. It returns how late the request was.
func (h *host) late(slot, sent time.Time) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := sent.Add(h.cur); n.After(h.next) {
		h.next = n
	}
	return sent.Sub(slot)
}

// take records a request starting at start, whoever chose the slot.
func (h *host) take(start time.Time) {
	h.next = start.Add(h.cur)
	h.forget(start)
	if len(h.hist) == historyLen {
		h.hist = append(h.hist[:0], h.hist[1:]...)
	}
	h.hist = append(h.hist, sent{slot: start, at: start})
}

// forget drops what is older than memory.
func (h *host) forget(now time.Time) {
	i := 0
	for i < len(h.hist) && now.Sub(h.hist[i].at) > memory {
		i++
	}
	if i > 0 {
		h.hist = append(h.hist[:0], h.hist[i:]...)
	}
	if !h.refusedAt.IsZero() && now.Sub(h.refusedAt) > memory {
		h.refusedAt = time.Time{}
	}
}

// answered records the answer to the request of x.
func (h *host) answered(x exchange, a answer) {
	for i := len(h.hist) - 1; i >= 0; i-- {
		if e := &h.hist[i]; e.slot.Equal(x.slot) {
			e.at, e.took, e.answer = x.sent, x.took, a
			return
		}
	}
}

// success records that the request of x was not refused.
func (h *host) success(x exchange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answered(x, accepted)
	if h.refusedAt.IsZero() && h.cur > h.floor {
		h.cur = max(h.cur-h.cur/probeStep, h.floor)
	}
}

// refused records that the request of x was refused at now; ra is the Retry-After (zero if
// none). It returns the interval now in force.
func (h *host) refused(x exchange, now time.Time, ra time.Duration) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answered(x, refusedAnswer)
	if est, ok := bucketInterval(h.hist); ok {
		h.cur = est
		h.refusedAt = now
	} else {
		// Probing goes on from a slower interval, which gives the model gaps to go by.
		h.cur = max(2*h.cur, firstBackOff)
		h.refusedAt = time.Time{}
	}
	h.cur = min(max(h.cur, h.floor), h.max)
	if n := now.Add(max(ra, h.cur)); n.After(h.next) {
		h.next = n
	}
	return h.cur
}

func (h *host) interval() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}

// bucketInterval returns the longest interval between tokens of the smallest token bucket that
// would have answered the requests of hist as the host did, when one of burst up to maxBurst
// does. The bucket is taken to be full at the first request remembered: if it was not, the
// model blames the refusals on a slower rate, which errs on the polite side.
func bucketInterval(hist []sent) (time.Duration, bool) {
	var shortest, longest time.Duration
	var prev time.Time
	n := 0
	for _, s := range hist {
		if s.answer == pending {
			continue
		}
		if g := s.at.Sub(prev); n > 0 && g > 0 {
			if shortest == 0 || g < shortest {
				shortest = g
			}
			longest = max(longest, g)
		}
		prev = s.at
		n++
	}
	if shortest == 0 {
		return 0, false
	}
	// Candidate intervals from a little above the longest gap down to a little below the
	// shortest (no limit is finer than a millisecond), half a percent apart: the first that
	// fits is the slowest rate that does.
	lowest := max(shortest-shortest/8, time.Millisecond)
	for burst := 1.0; burst <= maxBurst; burst++ {
		for g := longest + longest/8; g >= lowest; g -= g / 200 {
			if fits(hist, g, burst) {
				return g, true
			}
		}
	}
	return 0, false
}

// fits reports whether a token bucket gaining a token every interval, holding at most burst,
// full at the first request, would have accepted and refused the requests of hist as the host
// did. A refused request takes no token. A request reaches the server some time after it was
// sent, at most when its answer came, so an accepted one may have had that much more time's
// worth of tokens (at least the jitter allowed); a refused one is taken at its word.
func fits(hist []sent, interval time.Duration, burst float64) bool {
	least := max(jitter, interval/jitterShare)
	tokens := burst
	var prev time.Time
	first := true
	for _, s := range hist {
		if s.answer == pending {
			continue
		}
		refill := 0.0
		if !first {
			refill = float64(s.at.Sub(prev)) / float64(interval)
		}
		first = false
		prev = s.at
		if s.answer == refusedAnswer {
			// Unbounded by the burst, so that a burst of 1 still tells a refusal after a
			// full interval from one that came too soon.
			if tokens+refill >= 1 {
				return false
			}
			tokens = min(burst, tokens+refill)
			continue
		}
		tokens = min(burst, tokens+refill)
		if tokens < 1-float64(max(least, s.took))/float64(interval) {
			return false
		}
		tokens = max(tokens-1, 0)
	}
	return true
}

// clock is the time the client paces by: the real one, or a simulated one in benchmarks.
type clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }
