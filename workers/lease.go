package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// holdLease records that this process runs the job of runID. Heartbeats renew it; the bucket's
// TTL (AckWait) lets it expire once they stop, which is what tells a lost worker apart.
func (s *System) holdLease(ctx context.Context, runID string) error {
	if _, err := s.workers.PutString(ctx, runID, s.name); err != nil {
		return fmt.Errorf("hold lease of run %s: %w", runID, err)
	}
	return nil
}

func (s *System) dropLease(ctx context.Context, runID string) {
	if err := s.workers.Purge(ctx, runID); err != nil {
		s.log.Debug("drop run lease", "run", runID, "err", err)
	}
}

// markLost shows a running run whose worker's lease has expired as what it is: a job waiting
// to be redelivered. The run record still says running, since its worker could not say
// otherwise.
func (s *System) markLost(ctx context.Context, r *Run) {
	if r.Status != StatusRunning || r.Worker == "" {
		return
	}
	_, err := s.workers.Get(ctx, r.ID)
	if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return // held, or unknown: the record stands
	}
	r.Status = StatusQueued
	r.Note = fmt.Sprintf("waiting for redelivery: worker %s lost", r.Worker)
}
