package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DeadLetter is a job that failed every delivery.
type DeadLetter struct {
	Seq        uint64    `json:"seq"` // in the dead-letter stream
	RunID      string    `json:"run_id"`
	Source     string    `json:"source"`
	Full       bool      `json:"full"`
	Trigger    string    `json:"trigger"`
	Deliveries int       `json:"deliveries"`
	Error      string    `json:"error"`
	At         time.Time `json:"at"`
}

// Headers on a dead letter.
const (
	hdrDeliveries = "Orchard-Deliveries"
	hdrError      = "Orchard-Error"
)

// maxDeliveries is the advisory the server publishes when a job has used every delivery.
type maxDeliveries struct {
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// onMaxDeliveries copies a job that failed every delivery to the dead-letter stream, removes it
// from the work queue (which would otherwise block its source's next job) and fails its run.
func (s *System) onMaxDeliveries(m *nats.Msg) {
	var adv maxDeliveries
	if err := json.Unmarshal(m.Data, &adv); err != nil {
		s.log.Error("undecodable max deliveries advisory", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.deadLetter(ctx, adv); err != nil {
		s.log.Error("dead-letter job", "seq", adv.StreamSeq, "err", err)
	}
}

func (s *System) deadLetter(ctx context.Context, adv maxDeliveries) error {
	raw, err := s.jobs.GetMsg(ctx, adv.StreamSeq)
	if isNoMessage(err) {
		return nil // already moved
	}
	if err != nil {
		return fmt.Errorf("read job %d: %w", adv.StreamSeq, err)
	}
	var j job
	if err := json.Unmarshal(raw.Data, &j); err != nil {
		return fmt.Errorf("decode job %d: %w", adv.StreamSeq, err)
	}
	run, err := s.Run(ctx, j.RunID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	reason := fmt.Sprintf("gave up after %d deliveries", adv.Deliveries)
	if run.Error != "" {
		reason += ": " + run.Error
	}
	dm := nats.NewMsg(deadSubject + j.Source)
	dm.Data = raw.Data
	dm.Header.Set(hdrDeliveries, strconv.FormatUint(adv.Deliveries, 10))
	dm.Header.Set(hdrError, reason)
	if _, err := s.js.PublishMsg(ctx, dm, jetstream.WithMsgID("dead."+j.RunID)); err != nil {
		return fmt.Errorf("publish dead letter of %s: %w", j.RunID, err)
	}
	s.metrics.deadLetters.Inc()
	if err := s.jobs.DeleteMsg(ctx, adv.StreamSeq); err != nil && !isNoMessage(err) {
		return fmt.Errorf("remove job %d: %w", adv.StreamSeq, err)
	}
	if run.ID == "" {
		return nil
	}
	run.Status, run.Ended, run.Error = StatusFailed, time.Now().UTC(), reason
	if err := s.saveRun(ctx, run); err != nil {
		return err
	}
	s.publishProgress(progressOf(run, 0))
	s.log.Warn("job dead-lettered", "run", j.RunID, "reason", reason)
	return nil
}

// DeadLetters returns the jobs that failed every delivery, oldest first.
func (s *System) DeadLetters(ctx context.Context) ([]DeadLetter, error) {
	info, err := s.dead.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	var out []DeadLetter
	if info.State.Msgs == 0 {
		return out, nil
	}
	c, err := s.dead.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	for uint64(len(out)) < info.State.Msgs {
		batch, err := c.Fetch(int(min(info.State.Msgs-uint64(len(out)), 256)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			out = append(out, decodeDeadLetter(m))
		}
		if err := batch.Error(); err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		if n == 0 {
			break
		}
	}
	return out, nil
}

func decodeDeadLetter(m jetstream.Msg) DeadLetter {
	var j job
	_ = json.Unmarshal(m.Data(), &j)
	d := DeadLetter{RunID: j.RunID, Source: j.Source, Full: j.Full, Trigger: j.Trigger, Error: m.Headers().Get(hdrError)}
	d.Deliveries, _ = strconv.Atoi(m.Headers().Get(hdrDeliveries))
	if meta, err := m.Metadata(); err == nil {
		d.Seq, d.At = meta.Sequence.Stream, meta.Timestamp
	}
	return d
}
