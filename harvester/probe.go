package harvester

import (
	"context"
	"errors"
	"time"
)

// DefaultProbeTimeout bounds a probe: a person waits for its answer.
const DefaultProbeTimeout = 30 * time.Second

// ErrNoAnswer is the cause of a probe's context once its time is up, and what a probe that
// could find out nothing in its time wraps.
var ErrNoAnswer = errors.New("no answer")

// ProbeContext bounds ctx to d for a probe (DefaultProbeTimeout when d is not positive). A
// probe that runs out of time reports what it found and which steps timed out, rather than
// failing: TimedOut tells the two endings apart.
func ProbeContext(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = DefaultProbeTimeout
	}
	return context.WithTimeoutCause(ctx, d, ErrNoAnswer)
}

// TimedOut reports whether ctx, made by ProbeContext, ended because the probe's time was up,
// rather than because its caller went away.
func TimedOut(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), ErrNoAnswer)
}
