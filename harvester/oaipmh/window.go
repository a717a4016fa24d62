package oaipmh

import (
	"fmt"
	"time"
)

// granularity is a repository's datestamp resolution: a day or a second.
type granularity string

const (
	dayGranularity     granularity = "YYYY-MM-DD"
	secondsGranularity granularity = "YYYY-MM-DDThh:mm:ssZ"
)

func granularityOf(s string) granularity {
	if s == string(secondsGranularity) {
		return secondsGranularity
	}
	return dayGranularity
}

func (g granularity) unit() time.Duration {
	if g == secondsGranularity {
		return time.Second
	}
	return 24 * time.Hour
}

func (g granularity) format(t time.Time) string {
	if g == secondsGranularity {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.UTC().Format("2006-01-02")
}

func (g granularity) truncate(t time.Time) time.Time {
	return t.UTC().Truncate(g.unit())
}

// window is a datestamp range of a list request, inclusive; an empty bound is left out of the
// request (open).
type window struct {
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
}

func (w window) String() string {
	return fmt.Sprintf("[%s, %s]", orDots(w.From), orDots(w.Until))
}

func orDots(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

// maxWindows bounds how many windows a full harvest plans: a repository claiming an earliest
// datestamp of 0001-01-01 would otherwise mean thousands of empty requests. Everything before
// the last maxWindows windows goes in the first one, which is split if it proves too large.
const maxWindows = 360

// planner cuts a run's range into windows.
type planner struct {
	g    granularity
	size time.Duration // 0: calendar months; negative: one window
	lo   time.Time     // earliest datestamp or run start, for splitting open windows
	hi   time.Time     // where planning stops: the run's until, or the server's clock at the start
	// openEnd leaves the last window's until out, so records stamped later than the server's
	// clock said at the start (clock skew, records changed during the run) are not missed.
	openEnd bool
}

// end returns the last instant of the window that starts at t.
func (p planner) end(t time.Time) time.Time {
	switch {
	case p.size < 0:
		return p.hi
	case p.size == 0:
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return first.AddDate(0, 1, 0).Add(-p.g.unit())
	}
	return p.g.truncate(t.Add(p.size)).Add(-p.g.unit())
}

// first returns the first window of a run that starts at from (open when from is empty).
func (p planner) first(from string) window {
	start := p.lo
	if from != "" {
		if t, err := parseDatestamp(from); err == nil {
			start = t
		}
	}
	cut := p.end(start)
	if p.size >= 0 {
		limit := p.hi.AddDate(0, -maxWindows, 0)
		if p.size > 0 {
			limit = p.hi.Add(-maxWindows * p.size)
		}
		if cut.Before(limit) {
			cut = p.end(limit)
		}
	}
	return p.bounded(window{From: from}, cut)
}

// next returns the window after w, or false when w was the last.
func (p planner) next(w window) (window, bool) {
	if w.Until == "" {
		return window{}, false
	}
	u, err := parseDatestamp(w.Until)
	if err != nil || !u.Before(p.g.truncate(p.hi)) {
		return window{}, false
	}
	start := u.Add(p.g.unit())
	return p.bounded(window{From: p.g.format(start)}, p.end(start)), true
}

// bounded sets w's until to cut, or closes the plan at its end.
func (p planner) bounded(w window, cut time.Time) window {
	if !cut.Before(p.g.truncate(p.hi)) {
		if !p.openEnd {
			w.Until = p.g.format(p.hi)
		}
		return w
	}
	w.Until = p.g.format(cut)
	return w
}

// split halves w, open ends standing for the planner's bounds. It fails for a window of one
// unit (a day or a second).
func (p planner) split(w window) (window, window, bool) {
	lo, hi := p.lo, p.hi
	if t, err := parseDatestamp(w.From); err == nil {
		lo = t
	}
	if t, err := parseDatestamp(w.Until); err == nil {
		hi = t
	}
	lo, hi = p.g.truncate(lo), p.g.truncate(hi)
	if !lo.Before(hi) {
		return window{}, window{}, false
	}
	mid := p.g.truncate(lo.Add(hi.Sub(lo) / 2))
	if mid.Before(lo) {
		mid = lo
	}
	if !mid.Before(hi) {
		mid = hi.Add(-p.g.unit())
	}
	return window{From: w.From, Until: p.g.format(mid)}, window{From: p.g.format(mid.Add(p.g.unit())), Until: w.Until}, true
}
