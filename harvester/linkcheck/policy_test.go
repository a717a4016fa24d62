package linkcheck

import (
	"testing"
	"time"
)

// The verdict follows the checks on a clock of their own: N failures are not enough before D
// days have passed, an answer forgets everything, and a broken link recovers.
func TestPolicy(t *testing.T) {
	p := Policy{Failures: 3, Span: 7 * 24 * time.Hour, BrokenRecheck: 3 * 24 * time.Hour}
	const u = "https://example.org/lesson"
	day := 24 * time.Hour
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fail := Result{Kind: Status, Status: 404}
	ok := Result{Kind: OK, Status: 200}
	skip := Result{Kind: Disallowed}

	type step struct {
		at     time.Duration
		r      Result
		url    string
		broken bool
		kept   bool // the link has a state after the check
		fails  int
		next   time.Duration // from t0, when kept
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"many failures within the span are not enough", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{1 * time.Hour, fail, u, false, true, 2, 3*day + 13*time.Hour},
			{2 * time.Hour, fail, u, false, true, 3, 3*day + 14*time.Hour},
			{6 * day, fail, u, false, true, 4, 9*day + 12*time.Hour},
		}},
		{"N failures over D days break", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{3*day + 12*time.Hour, fail, u, false, true, 2, 7 * day},
			{7 * day, fail, u, true, true, 3, 10 * day},
			{10 * day, fail, u, true, true, 4, 13 * day},
		}},
		{"time alone is not enough", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{30 * day, fail, u, false, true, 2, 33*day + 12*time.Hour},
		}},
		{"an answer in between starts over", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{4 * day, ok, u, false, false, 0, 0},
			{8 * day, fail, u, false, true, 1, 11*day + 12*time.Hour},
		}},
		{"a broken link recovers", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{4 * day, fail, u, false, true, 2, 7*day + 12*time.Hour},
			{8 * day, fail, u, true, true, 3, 11 * day},
			{11 * day, ok, u, false, false, 0, 0},
		}},
		{"a link not visited keeps its state", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{4 * day, skip, u, false, true, 1, 3*day + 12*time.Hour},
			{5 * day, skip, "https://example.org/other", false, false, 0, 0},
		}},
		{"a new URL starts over", []step{
			{0, fail, u, false, true, 1, 3*day + 12*time.Hour},
			{4 * day, fail, u, false, true, 2, 7*day + 12*time.Hour},
			{8 * day, fail, "https://example.org/moved", false, true, 1, 11*day + 12*time.Hour},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			for i, st := range tt.steps {
				now := t0.Add(st.at)
				next, kept := p.Update(s, st.url, st.r, now)
				if kept != st.kept || next.Broken != st.broken || next.Failures != st.fails {
					t.Fatalf("step %d: kept %v broken %v failures %d, want %v %v %d", i, kept, next.Broken, next.Failures, st.kept, st.broken, st.fails)
				}
				if kept && !next.Next.Equal(t0.Add(st.next)) {
					t.Errorf("step %d: next check %s, want %s", i, next.Next, t0.Add(st.next))
				}
				if next.Broken && (next.BrokenSince.IsZero() || next.FirstFailure.After(next.LastFailure)) {
					t.Errorf("step %d: broken state %+v", i, next)
				}
				s = next
			}
		})
	}
}
