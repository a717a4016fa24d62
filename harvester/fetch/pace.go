package fetch

import (
	"context"
	"sync"
	"time"
)

// Adaptive pacing. Each host has an interval between requests, at least the configured pace.
// A refusal (429, 503) moves the interval back to the last gap between requests that worked,
// or doubles it (at least to the Retry-After) when none did, and remembers the refused gap as
// a floor.
// Every success then shortens the interval by a twentieth, never to the floor or below it, so
// the client settles just above a server's limit after a refusal or two instead of bouncing
// off it. The floor is forgotten after a while, since servers change their limits.
const (
	speedUp  = 20 // each success shortens the interval by 1/speedUp
	floorTTL = 10 * time.Minute
	// firstBackOff is the interval after a refusal without Retry-After on an unpaced host.
	firstBackOff = time.Second
)

type hostTable struct {
	mu sync.Mutex
	m  map[string]*host
}

func (t *hostTable) get(name string, base, maxPace time.Duration) *host {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.m[name]
	if h == nil {
		h = &host{cur: base}
		t.m[name] = h
	}
	h.mu.Lock()
	h.base, h.max = base, max(maxPace, base)
	h.cur = max(h.cur, base)
	h.mu.Unlock()
	return h
}

type host struct {
	mu       sync.Mutex
	base     time.Duration // configured pace
	max      time.Duration
	cur      time.Duration // interval in force
	lastGood time.Duration // gap before the latest success
	good     bool
	floor    time.Duration // gap before the latest refusal
	floorAt  time.Time
	next     time.Time // earliest start of the next request
	last     time.Time // start of the latest request
}

// wait reserves the host's next slot and sleeps until it comes. It returns the gap between
// that slot and the one before: what the server saw, which is what success and refused learn
// from.
func (h *host) wait(ctx context.Context) (time.Duration, error) {
	h.mu.Lock()
	now := time.Now()
	start := now
	if h.next.After(start) {
		start = h.next
	}
	h.next = start.Add(h.cur)
	gap := start.Sub(h.last)
	if h.last.IsZero() {
		gap = 0
	}
	h.last = start
	h.mu.Unlock()
	return gap, sleep(ctx, start.Sub(now))
}

func (h *host) success(gap time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastGood, h.good = gap, true
	if h.floor > 0 && time.Since(h.floorAt) > floorTTL {
		h.floor = 0
	}
	if h.cur <= h.base {
		return
	}
	next := max(h.cur-h.cur/speedUp, h.base)
	if next > h.floor {
		h.cur = next
	}
}

// refused slows the host down after a request sent gap after the one before was refused; ra
// is the Retry-After (zero if none).
func (h *host) refused(gap, ra time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	h.floor, h.floorAt = gap, now
	h.cur = max(2*h.cur, ra, firstBackOff)
	if h.good && h.lastGood > gap {
		// A gap that worked, unless it is slower than backing off (after an idle spell).
		h.cur = min(h.cur, h.lastGood)
	}
	h.cur = min(h.cur, h.max)
	h.good = false
	if n := now.Add(max(ra, h.cur)); n.After(h.next) {
		h.next = n
	}
}

func (h *host) interval() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur
}
