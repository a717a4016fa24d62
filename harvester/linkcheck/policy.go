package linkcheck

import "time"

// Policy decides when a failing link is broken and how often links are visited again.
type Policy struct {
	// Failures is how many failed checks in a row a broken link needs: 3.
	Failures int
	// Span is the least time between the first and the last of those failures: 7 days, so that
	// a site down for a weekend is not taken for gone.
	Span time.Duration
	// BrokenRecheck is how often a broken link is checked again: 3 days.
	BrokenRecheck time.Duration
}

// WithDefaults fills the zero fields.
func (p Policy) WithDefaults() Policy {
	if p.Failures <= 0 {
		p.Failures = 3
	}
	if p.Span <= 0 {
		p.Span = 7 * 24 * time.Hour
	}
	if p.BrokenRecheck <= 0 {
		p.BrokenRecheck = 3 * 24 * time.Hour
	}
	return p
}

// Retry is the wait before a failing link that is not broken yet is checked again: the
// failures spread evenly over Span, so that the Failures-th falls when Span has passed.
func (p Policy) Retry() time.Duration {
	if p.Failures <= 1 {
		return p.Span
	}
	return p.Span / time.Duration(p.Failures-1)
}

// State is what is known of a failing link. A link that answers has no state.
type State struct {
	URL          string    `json:"url"`
	Kind         Kind      `json:"kind"`             // of the last failure
	Status       int       `json:"status,omitempty"` // the last HTTP status seen
	Detail       string    `json:"detail,omitempty"`
	Failures     int       `json:"failures"` // in a row
	FirstFailure time.Time `json:"first_failure"`
	LastFailure  time.Time `json:"last_failure"`
	Next         time.Time `json:"next"` // when the link is due again
	Broken       bool      `json:"broken"`
	BrokenSince  time.Time `json:"broken_since,omitzero"`
}

// Update is the state after a check of url at now found r, starting from prev (the zero State
// when the link had none). ok is false when the link has no state any more: it answered.
// A check that did not visit the link leaves prev as it was; a link whose URL changed starts
// afresh.
func (p Policy) Update(prev State, url string, r Result, now time.Time) (next State, ok bool) {
	p = p.WithDefaults()
	if prev.URL != url {
		prev = State{}
	}
	switch {
	case !r.Checked():
		return prev, prev.Failures > 0
	case !r.Failed():
		return State{}, false
	}
	s := prev
	if s.Failures == 0 {
		s.FirstFailure = now
	}
	s.URL, s.Kind, s.Status, s.Detail = url, r.Kind, r.Status, r.Detail
	s.Failures++
	s.LastFailure = now
	if !s.Broken && s.Failures >= p.Failures && now.Sub(s.FirstFailure) >= p.Span {
		s.Broken, s.BrokenSince = true, now
	}
	if s.Broken {
		s.Next = now.Add(p.BrokenRecheck)
	} else {
		s.Next = now.Add(p.Retry())
	}
	return s, true
}
