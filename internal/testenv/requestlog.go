package testenv

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// RequestLog is a handler that answers "ok" and records when each request came, for tests of
// how a host is paced.
type RequestLog struct {
	mu    sync.Mutex
	times []time.Time
	// Handler, when set, answers instead of "ok"; the time is recorded first.
	Handler http.Handler
}

func (l *RequestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.times = append(l.times, time.Now())
	l.mu.Unlock()
	if l.Handler != nil {
		l.Handler.ServeHTTP(w, r)
		return
	}
	fmt.Fprint(w, "ok")
}

// Times returns when the requests came, in order.
func (l *RequestLog) Times() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := slices.Clone(l.times)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return ts
}

// Paced checks that requests came no faster than one per pace, give or take 10%: every run of
// window requests spans at least window-1 paces less 10%, and no two came closer than a
// quarter of a pace. On a busy machine a request is delivered late now and then, making the gap
// before it longer and the one after it shorter; the windows see through that, while a second
// client pacing on its own does not pass them.
func Paced(times []time.Time, pace time.Duration, window int) error {
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < pace/4 {
			return fmt.Errorf("requests %d and %d came %v apart, pace %v", i-1, i, gap, pace)
		}
	}
	for i := window - 1; i < len(times); i++ {
		span := times[i].Sub(times[i-window+1])
		if least := time.Duration(window-1) * pace * 10 / 11; span < least {
			return fmt.Errorf("requests %d to %d came within %v, want at least %v (%d paces of %v less 10%%)",
				i-window+1, i, span, least, window-1, pace)
		}
	}
	return nil
}
