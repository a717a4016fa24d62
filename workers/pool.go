package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/weburl"
)

// fetchWait bounds one pull request, so that a stopping worker leaves none behind for long.
const fetchWait = 5 * time.Second

// pool runs jobs on n workers, each pulling one job only when it is free.
type pool struct {
	s    *System
	p    *Pipeline
	cons jetstream.Consumer

	mu      sync.Mutex
	running map[string]context.CancelFunc // by run id
}

// RunWorkers runs n workers until ctx is done, then drains: no new jobs are pulled, in-flight
// jobs finish their current page and checkpoint and are handed back (Nak) so that another
// worker resumes them; a job that reaches no checkpoint within DrainTimeout is cancelled.
// Each worker harvests one job at a time; a job waiting only for the index to confirm its last
// pages does not count, so a worker may hold one such job besides the one it harvests.
func (s *System) RunWorkers(ctx context.Context, p Pipeline, n int) error {
	if err := p.check(); err != nil {
		return err
	}
	if n < 1 {
		n = 1
	}
	if p.Thumbnails {
		if err := s.thumbParts(ctx); err != nil { // queueThumbs publishes to its stream
			return err
		}
	}
	cons, err := s.jobs.Consumer(ctx, jobsConsumer)
	if err != nil {
		return fmt.Errorf("job consumer: %w", err)
	}
	w := &pool{s: s, p: &p, cons: cons, running: map[string]context.CancelFunc{}}
	// Any one process with workers moves a job that failed every delivery aside.
	deadSub, err := s.nc.QueueSubscribe(maxDeliverAdv, "orchard-dead-letters", s.onMaxDeliveries)
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", maxDeliverAdv, err)
	}
	defer func() { _ = deadSub.Unsubscribe() }()
	cancelSub, err := s.nc.Subscribe(cancelSubject+">", func(m *nats.Msg) { w.cancel(string(m.Data)) })
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", cancelSubject, err)
	}
	defer func() { _ = cancelSub.Unsubscribe() }()

	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { w.loop(ctx) })
	}
	wg.Wait()
	return nil
}

func (w *pool) cancel(runID string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.running[runID]; ok {
		c()
	}
}

// loop pulls a job whenever the worker is free to harvest. A job whose source has been read to
// its end only waits for the index to confirm its last pages; the worker starts its next job
// meanwhile, so that one worker keeps the index busy instead of idling through every job's
// tail. At most one such tail overlaps a harvest: the next pull waits for the previous job.
func (w *pool) loop(ctx context.Context) {
	var prev chan struct{} // closed when the previous job has ended
	defer func() {
		if prev != nil {
			<-prev
		}
	}()
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, fetchWait)
		msg, err := w.cons.Next(jetstream.FetchContext(fctx))
		cancel()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
				w.s.log.Warn("fetch job", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			continue
		}
		harvested, ended := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(ended)
			w.handle(ctx, msg, func() { close(harvested) })
		}()
		select {
		case <-harvested:
		case <-ended:
		}
		if prev != nil {
			<-prev
		}
		prev = ended
	}
}

// handle runs one delivered job and settles its message; harvested is called, at most once,
// when only the index's confirmations of the job remain.
func (w *pool) handle(stop context.Context, msg jetstream.Msg, harvested func()) {
	s := w.s
	var j job
	if err := json.Unmarshal(msg.Data(), &j); err != nil || j.RunID == "" {
		s.log.Error("undecodable job", "subject", msg.Subject(), "err", err)
		_ = msg.TermWithReason("undecodable job")
		return
	}
	meta, err := msg.Metadata()
	if err != nil {
		s.log.Error("job metadata", "err", err)
		return
	}
	delivery := int(meta.NumDelivered)
	if delivery > 1 {
		s.metrics.redelivered.Inc()
	}
	log := s.log.With("run", j.RunID, "delivery", delivery)

	// The job's context outlives stop: a stopping worker lets the job reach a checkpoint.
	ctx, cancel := context.WithCancel(context.WithoutCancel(stop))
	defer cancel()
	var draining, cancelled atomic.Bool
	w.mu.Lock()
	w.running[j.RunID] = func() { cancelled.Store(true); cancel() }
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.running, j.RunID)
		w.mu.Unlock()
	}()
	if err := s.holdLease(ctx, j.RunID); err != nil {
		log.Warn("job lease", "err", err) // the heartbeats try again
	}
	done := make(chan struct{})
	defer close(done)
	go w.watch(stop, done, msg, j.RunID, &draining, cancel)

	log.Info("job started", "source", j.Source, "full", j.Full)
	run, err := s.execute(ctx, w.p, j, delivery, &draining, harvested)
	if cancelled.Load() && err != nil {
		err = errCancelled
	}
	// Settle with a context of its own: ctx may be cancelled by now.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(stop), 10*time.Second)
	defer scancel()
	w.settle(sctx, msg, run, delivery, err, draining.Load())
	s.dropLease(sctx, j.RunID)
}

// watch keeps the job's message and its run lease alive while it runs and turns a stop into a
// drain.
func (w *pool) watch(stop context.Context, done <-chan struct{}, msg jetstream.Msg, runID string, draining *atomic.Bool, cancel context.CancelFunc) {
	beat := time.NewTicker(max(w.s.cfg.AckWait/3, 100*time.Millisecond))
	defer beat.Stop()
	stopping := stop.Done()
	var deadline <-chan time.Time
	for {
		select {
		case <-done:
			return
		case <-beat.C:
			if err := msg.InProgress(); err != nil {
				w.s.log.Debug("job heartbeat", "err", err)
			}
			lctx, lcancel := context.WithTimeout(context.WithoutCancel(stop), w.s.cfg.AckWait/3)
			if err := w.s.holdLease(lctx, runID); err != nil {
				w.s.log.Debug("job lease", "err", err)
			}
			lcancel()
		case <-stopping:
			draining.Store(true)
			stopping = nil
			deadline = time.After(w.s.cfg.DrainTimeout)
		case <-deadline:
			cancel()
		}
	}
}

// settle acknowledges, hands back or terminates a job's message after an attempt and records
// the outcome in its run. A run is shown as ended only once its message has left the queue, so
// that the source is free for the next job as soon as it is.
func (w *pool) settle(ctx context.Context, msg jetstream.Msg, run Run, delivery int, err error, draining bool) {
	s := w.s
	if err != nil {
		err = shownError{err}
	}
	log := s.log.With("run", run.ID, "source", run.Source, "delivery", delivery)
	end := func(status RunStatus, reason string) {
		run.Status, run.Ended, run.Error = status, time.Now().UTC(), reason
		if !run.Started.IsZero() {
			s.metrics.runs.WithLabelValues(string(status)).Observe(run.Ended.Sub(run.Started).Seconds())
		}
		if err := s.saveRun(ctx, run); err != nil {
			log.Error("save run", "err", err)
		}
		s.publishProgress(progressOf(run, 0))
	}
	switch {
	case err == nil:
		log.Info("job done", "pages", run.Pages, "upserted", run.Upserted, "deleted", run.Deleted)
		ackOrLog(log, msg.DoubleAck(ctx))
		if !run.Status.Final() { // a redelivered job of an ended run keeps its outcome
			end(StatusSucceeded, "")
		}
	case errors.Is(err, errFenced):
		log.Warn("job taken over by another worker; leaving it")
	case errors.Is(err, errCancelled):
		log.Info("job cancelled")
		ackOrLog(log, msg.TermWithReason("cancelled"))
		end(StatusCancelled, "cancelled")
	case errors.Is(err, errDrain) || (draining && isContextErr(err)):
		log.Info("job handed back at a checkpoint")
		run.Status = StatusQueued
		if err := s.saveRun(ctx, run); err != nil {
			log.Error("save run", "err", err)
		}
		ackOrLog(log, msg.Nak())
	case harvester.KindOf(err) == harvester.KindPermanent || harvester.KindOf(err) == harvester.KindInvalid:
		log.Warn("job failed", "err", err)
		run.failed(err)
		s.metrics.errors.WithLabelValues(harvester.KindOf(err).String()).Inc()
		ackOrLog(log, msg.TermWithReason(truncate(err.Error(), 200)))
		end(StatusFailed, err.Error())
	default: // transient, index and unclassified errors: retry later
		delay := backoff(s.cfg.Backoff, s.cfg.MaxBackoff, delivery)
		log.Warn("job failed; retrying", "in", delay, "err", err)
		run.failed(err)
		s.metrics.errors.WithLabelValues(harvester.KindOf(err).String()).Inc()
		run.Status, run.Error = StatusQueued, err.Error()
		if err := s.saveRun(ctx, run); err != nil {
			log.Error("save run", "err", err)
		}
		if delivery >= s.cfg.MaxDeliver {
			ackOrLog(log, msg.Nak()) // the last delivery: straight to the dead-letter path
			return
		}
		ackOrLog(log, msg.NakWithDelay(delay))
	}
}

// shownError hides the userinfo of URLs in an error's text, which goes to logs and to the
// run's record, where source credentials must not appear.
type shownError struct{ error }

func (e shownError) Error() string { return weburl.Redact(e.error.Error()) }
func (e shownError) Unwrap() error { return e.error }

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func ackOrLog(log interface{ Warn(string, ...any) }, err error) {
	if err != nil {
		log.Warn("settle job message", "err", err)
	}
}

func (r *Run) failed(err error) { r.Stats.failed(err) }

// backoff is base doubled for each delivery after the first, capped at most.
func backoff(base, most time.Duration, delivery int) time.Duration {
	d := base
	for i := 1; i < delivery && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
