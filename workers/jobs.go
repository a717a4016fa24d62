package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrIdle is returned by Cancel when a source has no queued or running job.
var ErrIdle = errors.New("no job queued or running")

// job is the message on the work queue.
type job struct {
	RunID   string    `json:"run_id"`
	Source  string    `json:"source"`
	Full    bool      `json:"full"`
	Trigger string    `json:"trigger"`
	Due     time.Time `json:"due,omitzero"`
	// SweepOf and Before, for a job that only removes records (TriggerSweep, TriggerRemove):
	// the run whose waiting sweep was confirmed, and its mark.
	SweepOf string `json:"sweep_of,omitempty"`
	Before  string `json:"before,omitempty"`
}

// RunNow queues a harvest of source; ErrPending if one is already queued or running.
func (s *System) RunNow(ctx context.Context, source string, full bool) (string, error) {
	return s.enqueue(ctx, source, full, TriggerManual, time.Time{})
}

func (s *System) enqueue(ctx context.Context, source string, full bool, trigger string, due time.Time) (string, error) {
	return s.enqueueJob(ctx, job{Source: source, Full: full, Trigger: trigger, Due: due})
}

// enqueueJob queues j under a new run.
func (s *System) enqueueJob(ctx context.Context, j job) (string, error) {
	source, trigger, due := j.Source, j.Trigger, j.Due
	if _, err := s.registry.Get(ctx, source); err != nil {
		return "", err
	}
	now := time.Now().UTC()
	j.RunID = newRunID(source, now)
	run := Run{ID: j.RunID, Source: source, Trigger: trigger, Full: j.Full, Status: StatusQueued, Due: due, Queued: now}
	if j.Trigger == TriggerSweep || j.Trigger == TriggerRemove {
		run.Sweep = &Sweep{Status: SweepRemoving, Of: j.SweepOf, Before: j.Before}
	}
	if err := s.saveRun(ctx, run); err != nil {
		return "", err
	}
	b, err := json.Marshal(j)
	if err != nil {
		return "", fmt.Errorf("encode job: %w", err)
	}
	msgID := j.RunID
	if trigger == TriggerSchedule {
		msgID = "sched." + source + "." + strconv.FormatInt(due.Unix(), 10)
	}
	ack, err := s.js.PublishMsg(ctx, &nats.Msg{Subject: jobsSubject + source, Data: b}, jetstream.WithMsgID(msgID))
	if err == nil && ack.Duplicate {
		err = ErrPending
	}
	if isSubjectFull(err) {
		err = ErrPending
	}
	if err != nil {
		if derr := s.runs.Purge(ctx, run.ID); derr != nil {
			s.log.Warn("drop unqueued run", "run", run.ID, "err", derr)
		}
		return "", fmt.Errorf("queue job for %s: %w", source, err)
	}
	s.publishProgress(progressOf(run, 0))
	return j.RunID, nil
}

// isSubjectFull reports the refusal of a second job for a source (MaxMsgsPerSubject with DiscardNew).
func isSubjectFull(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && strings.Contains(apiErr.Description, "maximum messages per subject")
}

// Cancel stops source's queued or running job and marks its run cancelled; ErrIdle if there is
// none. A running job stops within moments (its context is cancelled); a queued one is removed.
func (s *System) Cancel(ctx context.Context, source string) error {
	runs, err := s.History(ctx, source, 0)
	if err != nil {
		return err
	}
	var run *Run
	for i := range runs {
		if !runs[i].Status.Final() {
			run = &runs[i]
			break
		}
	}
	if run == nil {
		return fmt.Errorf("cancel %s: %w", source, ErrIdle)
	}
	// The key survives a missed message: workers check it before every page.
	if _, err := s.control.PutString(ctx, cancelKey(source), run.ID); err != nil {
		return fmt.Errorf("cancel %s: %w", source, err)
	}
	if err := s.nc.Publish(cancelSubject+source, []byte(run.ID)); err != nil {
		return fmt.Errorf("cancel %s: %w", source, err)
	}
	// Remove the job so that the source can be queued again at once.
	if m, err := s.jobs.GetLastMsgForSubject(ctx, jobsSubject+source); err == nil {
		var j job
		if json.Unmarshal(m.Data, &j) == nil && j.RunID == run.ID {
			if err := s.jobs.DeleteMsg(ctx, m.Sequence); err != nil && !isNoMessage(err) {
				return fmt.Errorf("cancel %s: remove job: %w", source, err)
			}
		}
	} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("cancel %s: find job: %w", source, err)
	}
	if run.Status == StatusQueued {
		run.Status, run.Ended, run.Error = StatusCancelled, time.Now().UTC(), "cancelled"
		if err := s.saveRun(ctx, *run); err != nil {
			return err
		}
		s.publishProgress(progressOf(*run, 0))
	}
	return nil
}

// isNoMessage reports that a message is gone, such as one acknowledged meanwhile. A failed
// delete carries the server's reason only as text.
func isNoMessage(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrMsgNotFound) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeMessageNotFound ||
		errors.Is(err, jetstream.ErrMsgDeleteUnsuccessful) && strings.Contains(err.Error(), "no message found")
}

func cancelKey(source string) string { return "cancel." + source }

// cancelRequested reports whether run was cancelled through the control bucket.
func (s *System) cancelRequested(ctx context.Context, source, runID string) (bool, error) {
	e, err := s.control.Get(ctx, cancelKey(source))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read cancel request of %s: %w", source, err)
	}
	return string(e.Value()) == runID, nil
}
