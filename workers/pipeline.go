package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
)

// Pipeline is what a worker does with a job: harvest the source with the harvester for its type,
// normalize every record and write it to the index.
type Pipeline struct {
	Harvesters map[string]harvester.Harvester // by source type
	// Normalize turns a page's raw records into catalog records.
	Normalize NormalizeFunc
	Index     catalog.Index

	// Decide, when set, applies librarians' decisions to entries that merge several sources'
	// records, by the entry's id (Normalize sees only the records one by one); it may change
	// the records in place, and an error fails the page as Normalize's does.
	Decide func(ctx context.Context, entries []catalog.Record) error

	// Batch is the most records per Upsert; 0 takes 500.
	Batch int
	// InFlight is how many pages a job may have written but not yet confirmed by an index that
	// is a catalog.AsyncWriter, so that harvesting goes on while the index applies them, and
	// the index gets enough at once to apply them in large batches; 0 takes 64.
	// InFlightRecords bounds the records of those pages, and so the memory they hold; 0 takes
	// 10,000. A page's checkpoint is stored only once it and every page before it are
	// confirmed. An index without AsyncWriter confirms each page before the next.
	InFlight        int
	InFlightRecords int
	// Thumbnails queues a thumbnail job for every indexed record that names a picture.
	Thumbnails bool

	writer catalog.AsyncWriter
	window int // pages in flight after a page was sent
}

func (p *Pipeline) check() error {
	if len(p.Harvesters) == 0 || p.Normalize == nil || p.Index == nil {
		return errors.New("pipeline needs harvesters, a normalize function and an index")
	}
	if p.Batch <= 0 {
		p.Batch = 500
	}
	if p.InFlight <= 0 {
		p.InFlight = 64
	}
	if p.InFlightRecords <= 0 {
		p.InFlightRecords = 10_000
	}
	if w, ok := p.Index.(catalog.AsyncWriter); ok {
		p.writer, p.window = w, p.InFlight
	} else {
		p.writer, p.window = syncWriter{p.Index}, 0
	}
	return nil
}

// decide applies Decide to the entries among recs that merge several records.
func (p *Pipeline) decide(ctx context.Context, recs []catalog.Record) error {
	if p.Decide == nil {
		return nil
	}
	var merged []catalog.Record
	var at []int
	for i := range recs {
		if len(recs[i].Sources) > 0 {
			merged, at = append(merged, recs[i]), append(at, i)
		}
	}
	if len(merged) == 0 {
		return nil
	}
	if err := p.Decide(ctx, merged); err != nil {
		return fmt.Errorf("apply decisions to %d entries: %w", len(merged), err)
	}
	for j, i := range at {
		recs[i] = merged[j]
	}
	return nil
}

// NormalizeFunc turns the raw records of one page (none of them deleted) into catalog records,
// one Normalized for each, in order, with the job's context. It must not refuse a record for its
// license: unknown, conflicting and closed licenses are indexed too. A record's own error
// quarantines that record; an error of the whole page fails the harvest, which is retried from
// the last checkpoint as any other transient failure.
type NormalizeFunc func(ctx context.Context, src harvester.Source, raws []harvester.Record) ([]Normalized, error)

// Normalized is one record made by a NormalizeFunc, or why it could not be made.
type Normalized struct {
	Record catalog.Record
	Err    error
}

// EachRecord makes a NormalizeFunc of fn, which normalizes one record on its own (as
// normalizer.Record does).
func EachRecord(fn func(source string, raw harvester.Record) (catalog.Record, error)) NormalizeFunc {
	return func(_ context.Context, src harvester.Source, raws []harvester.Record) ([]Normalized, error) {
		out := make([]Normalized, len(raws))
		for i, raw := range raws {
			out[i].Record, out[i].Err = fn(src.Name, raw)
		}
		return out, nil
	}
}

// Written returns the ids of the records of out that will be written: made without error and
// not deleted. Wrappers of a NormalizeFunc look up what they apply to those records by them.
func Written(out []Normalized) []string {
	ids := make([]string, 0, len(out))
	for _, n := range out {
		if n.Err == nil && !n.Record.Deleted {
			ids = append(ids, n.Record.ID)
		}
	}
	return ids
}

// syncWriter gives an index without catalog.AsyncWriter the same shape: its writes are applied
// when they return.
type syncWriter struct{ catalog.Index }

func (w syncWriter) UpsertAsync(ctx context.Context, recs []catalog.Record) (catalog.Pending, error) {
	return applied{}, w.Upsert(ctx, recs)
}

func (w syncWriter) DeleteAsync(ctx context.Context, ids []string) (catalog.Pending, error) {
	return applied{}, w.Delete(ctx, ids)
}

type applied struct{}

func (applied) Wait(context.Context) error { return nil }

// Outcomes of a job other than success and harvest errors.
var (
	errCancelled = errors.New("cancelled")
	errDrain     = errors.New("worker stopping: handed back at a checkpoint")
	errFenced    = errors.New("another worker took the job over")
)

// runSuffix names the checkpoint key of a source's run in progress; the key without it holds
// the Done checkpoint of its last complete run.
const runSuffix = ".run"

// progressState is stored under <source>.run after every page, so the checkpoint and the
// counts that go with it change together.
type progressState struct {
	RunID      string          `json:"run_id"`
	Checkpoint json.RawMessage `json:"checkpoint,omitempty"`
	Done       bool            `json:"done,omitempty"`
	Stats      Stats           `json:"stats"`

	// Sweep is the last page's harvester.Page.Sweep.
	Sweep bool `json:"sweep,omitempty"`
}

// attempt is one delivery of a job to this worker.
type attempt struct {
	s        *System
	p        *Pipeline
	job      job
	run      Run
	src      Source
	state    progressState
	rev      uint64 // revision of the <source>.run key this attempt last wrote
	start    time.Time
	saved    time.Time // when the run was last stored
	handled  int       // records handled in this attempt, for the rate
	draining *atomic.Bool

	// inflight are the pages sent to the index and not yet confirmed, oldest first, with
	// inflightRecs records; sent holds the counts with all of them.
	inflight     []*sentPage
	inflightRecs int
	sent         Stats
}

// sentPage is a page whose writes the index accepted; its progress is stored once they are
// confirmed. Its records are kept to send again should a write fail.
type sentPage struct {
	ups     []catalog.Record
	dels    []string
	pending []catalog.Pending
	records int
	state   progressState
	// placed says ups and dels name catalog entries rather than records as their sources
	// hold them (placePage); checks are what to look at again once the index holds them.
	placed bool
	checks []check
}

// execute runs one delivery of j. It returns nil when the run has ended (succeeded, or was
// already over), errCancelled, errDrain, errFenced, or the error that stopped the harvest.
// It calls harvested once the source has been read to its end and only the index's
// confirmations of the last pages remain: the worker may start harvesting its next job then.
func (s *System) execute(ctx context.Context, p *Pipeline, j job, delivery int, draining *atomic.Bool, harvested func()) (Run, error) {
	a := &attempt{s: s, p: p, job: j, start: time.Now(), draining: draining}
	defer func() { s.metrics.lag.Sub(float64(len(a.inflight))) }()
	run, err := s.Run(ctx, j.RunID)
	if errors.Is(err, ErrNotFound) { // the run record was pruned or lost: rebuild it
		run = Run{ID: j.RunID, Source: j.Source, Trigger: j.Trigger, Full: j.Full, Due: j.Due, Queued: time.Now().UTC()}
	} else if err != nil {
		return run, err
	}
	a.run = run
	if run.Status.Final() {
		return run, nil
	}
	if c, err := s.cancelRequested(ctx, j.Source, j.RunID); err != nil || c {
		return run, cmp(err, errCancelled)
	}
	if a.src, err = s.registry.Get(ctx, j.Source); err != nil {
		if errors.Is(err, ErrNotFound) {
			err = harvester.E(harvester.KindPermanent, "run "+j.RunID, err)
		}
		return run, err
	}
	if j.Trigger == TriggerSweep || j.Trigger == TriggerRemove {
		return a.run, a.clean(ctx)
	}
	h, ok := p.Harvesters[a.src.Type]
	if !ok {
		return run, harvester.E(harvester.KindPermanent, "run "+j.RunID, fmt.Errorf("no harvester for type %q", a.src.Type))
	}
	cp, err := a.claim(ctx)
	if err != nil {
		return a.run, err
	}
	a.run.Status, a.run.Attempts, a.run.Stats = StatusRunning, delivery, a.state.Stats.keepErrors(a.run.Stats)
	a.run.Worker, a.run.Note = s.name, ""
	a.run.PagesHarvested, a.run.RecordsHarvested = a.run.Pages, a.run.Records
	if a.run.Started.IsZero() {
		a.run.Started = time.Now().UTC()
	}
	if err := a.save(ctx); err != nil {
		return a.run, err
	}
	if !a.state.Done {
		full := j.Full && a.state.Checkpoint == nil
		a.sent = a.state.Stats.clone()
		err := h.Harvest(ctx, a.src.Source, cp, full, a.emit)
		if err == nil {
			harvested()
		}
		if err = a.settleInflight(ctx, err); err != nil {
			return a.run, err
		}
	}
	a.run.Sweepable = a.state.Done && a.state.Sweep
	if a.sweepable() && a.run.Sweep == nil {
		if err := a.sweep(ctx); err != nil {
			return a.run, err
		}
	}
	return a.run, a.finish(ctx)
}

// settleInflight deals with the pages still in flight when a harvest ended with err. After a
// complete harvest or a drain every page is confirmed (with retries) so that the last
// checkpoint can be stored; after a failure the pages already applied are confirmed, so that a
// retry starts after them; a cancelled or fenced job leaves them.
func (a *attempt) settleInflight(ctx context.Context, err error) error {
	switch {
	case err == nil || errors.Is(err, errDrain):
		for len(a.inflight) > 0 {
			if cerr := a.confirm(ctx); cerr != nil {
				return cerr
			}
		}
		return err
	case errors.Is(err, errCancelled) || errors.Is(err, errFenced) || ctx.Err() != nil:
		return err
	}
	for len(a.inflight) > 0 {
		if waitAll(ctx, a.inflight[0].pending) != nil {
			break
		}
		if serr := a.advance(ctx); serr != nil {
			return serr
		}
	}
	return err
}

func cmp(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// claim reads the run's checkpoint, or starts one from the last complete run's, and takes the
// <source>.run key so that any worker still holding an older delivery is fenced off.
func (a *attempt) claim(ctx context.Context) (json.RawMessage, error) {
	key := a.job.Source + runSuffix
	st, rev, err := getJSON[progressState](ctx, a.s.ckpts, key)
	switch {
	case err == nil:
		if st.RunID == a.job.RunID {
			a.state, a.rev = st, rev
			// Write it back to move the revision: a worker still running an older delivery
			// of this job now fails its next compare-and-set.
			if err := a.store(ctx); err != nil {
				return nil, err
			}
			return st.Checkpoint, nil
		}
	case !errors.Is(err, ErrNotFound) && !errors.Is(err, errUndecodable):
		return nil, fmt.Errorf("read checkpoint of %s: %w", a.job.Source, err)
	}
	a.state = progressState{RunID: a.job.RunID}
	if a.rev, err = putJSON(ctx, a.s.ckpts, key, a.state, anyRevision); err != nil {
		return nil, fmt.Errorf("start checkpoint of %s: %w", a.job.Source, err)
	}
	if a.job.Full {
		return nil, nil
	}
	base, err := a.s.ckpts.Get(ctx, a.job.Source)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read last checkpoint of %s: %w", a.job.Source, err)
	}
	return base.Value(), nil
}

// store writes the progress state with compare-and-set.
func (a *attempt) store(ctx context.Context) error {
	rev, err := putJSON(ctx, a.s.ckpts, a.job.Source+runSuffix, a.state, a.rev)
	if errors.Is(err, ErrConflict) || errors.Is(err, jetstream.ErrKeyNotFound) {
		return errFenced
	}
	if err != nil {
		return fmt.Errorf("store checkpoint of %s: %w", a.job.Source, err)
	}
	a.rev = rev
	return nil
}

func (a *attempt) save(ctx context.Context) error {
	if err := a.s.saveRun(ctx, a.run); err != nil {
		return err
	}
	a.saved = time.Now()
	a.publish()
	return nil
}

func (a *attempt) publish() {
	rate := 0.0
	if el := time.Since(a.start).Seconds(); el > 0 {
		rate = float64(a.handled) / el
	}
	a.s.publishProgress(progressOf(a.run, rate))
}

// harvested counts a page sent to the catalog: progress shows it at once, and the run record
// at most once a second, since confirmed pages store it anyway.
func (a *attempt) harvested(ctx context.Context, st Stats) {
	a.run.PagesHarvested, a.run.RecordsHarvested = st.Pages, st.Records
	if time.Since(a.saved) < time.Second {
		a.publish()
		return
	}
	if err := a.save(ctx); err != nil {
		a.s.log.Warn("save run progress", "run", a.run.ID, "err", err)
	}
}

// emit sends a page's writes to the catalog and moves the checkpoint past every page the
// catalog has confirmed, keeping at most Pipeline.InFlight pages unconfirmed.
func (a *attempt) emit(ctx context.Context, page harvester.Page) error {
	if c, err := a.s.cancelRequested(ctx, a.job.Source, a.job.RunID); err != nil || c {
		return cmp(err, errCancelled)
	}
	st := a.sent.clone()
	st.Warnings = append(st.Warnings, page.Warnings[:min(len(page.Warnings), maxSamples-len(st.Warnings))]...)
	sp, err := a.normalize(ctx, page, &st)
	if err != nil {
		return err
	}
	st.Upserted += len(sp.ups)
	st.Deleted += len(sp.dels)
	if err := a.s.retryIndex(ctx, func(ctx context.Context) error { return a.send(ctx, sp) }); err != nil {
		return err
	}
	st.Pages++
	if page.Progress.Expected > 0 {
		st.Expected = page.Progress.Expected
	}
	sp.state = progressState{RunID: a.state.RunID, Checkpoint: page.Checkpoint, Done: page.Done, Sweep: page.Sweep, Stats: st}
	a.sent = st
	a.inflight, a.inflightRecs = append(a.inflight, sp), a.inflightRecs+sp.records
	a.s.metrics.lag.Inc()
	a.s.metrics.pages.WithLabelValues(a.job.Source).Inc()
	a.s.metrics.records.WithLabelValues(a.job.Source).Add(float64(len(page.Records)))
	a.harvested(ctx, st)
	for len(a.inflight) > a.p.window || len(a.inflight) > 0 && a.inflightRecs > a.p.InFlightRecords {
		if err := a.confirm(ctx); err != nil {
			return err
		}
	}
	if a.draining.Load() && !page.Done {
		return errDrain
	}
	return nil
}

// normalize turns a page's records into the writes it asks of the index, counting into st.
func (a *attempt) normalize(ctx context.Context, page harvester.Page, st *Stats) (*sentPage, error) {
	sp := &sentPage{records: len(page.Records)}
	written := catalog.Stamp(time.Now())
	for _, q := range page.Quarantined {
		st.quarantine(q)
	}
	raws := make([]harvester.Record, 0, len(page.Records))
	for _, r := range page.Records {
		st.Records++
		if r.Deleted {
			sp.dels = append(sp.dels, catalog.RecordID(a.src.Name, r.OriginID))
			continue
		}
		raws = append(raws, r)
	}
	if len(raws) == 0 {
		return sp, nil
	}
	recs, err := a.p.Normalize(ctx, a.src.Source, raws)
	if err != nil {
		return nil, fmt.Errorf("normalize page of %s: %w", a.src.Name, err)
	}
	if len(recs) != len(raws) {
		return nil, fmt.Errorf("normalize page of %s: %d records made of %d", a.src.Name, len(recs), len(raws))
	}
	for i, n := range recs {
		rec, err := n.Record, n.Err
		if err == nil {
			err = rec.Validate()
		}
		if err != nil {
			st.quarantine(harvester.Quarantine{OriginID: raws[i].OriginID, Reason: err.Error()})
			continue
		}
		if rec.Deleted {
			sp.dels = append(sp.dels, rec.ID)
			continue
		}
		rec.Indexed = written
		sp.ups = append(sp.ups, rec)
		st.license(rec.License)
	}
	return sp, nil
}

// send hands a page's upserts, then its deletions, to the index: a record written again loses
// its tombstone, a deleted one gets one first. The first send places the page's records in
// their catalog entries, so that every removal (a deletion at the source or any other) keeps
// an entry that another source still offers.
func (a *attempt) send(ctx context.Context, sp *sentPage) error {
	sp.pending = sp.pending[:0]
	if !sp.placed {
		pl, err := a.s.placePage(ctx, a.p.Index, sp.ups, sp.dels)
		if err != nil {
			return err
		}
		sp.ups, sp.dels = pl.writes()
		sp.checks, sp.placed = pl.checks, true
		if err := a.p.decide(ctx, sp.ups); err != nil {
			return err
		}
	}
	if err := a.s.unbury(ctx, sp.ups); err != nil {
		return err
	}
	for i := 0; i < len(sp.ups); i += a.p.Batch {
		p, err := a.p.writer.UpsertAsync(ctx, sp.ups[i:min(i+a.p.Batch, len(sp.ups))])
		if err != nil {
			return fmt.Errorf("upsert %d records: %w", len(sp.ups), err)
		}
		sp.pending = append(sp.pending, p)
	}
	if len(sp.dels) > 0 {
		if err := a.s.Bury(ctx, a.p.Index, sp.dels); err != nil {
			return err
		}
		p, err := a.p.writer.DeleteAsync(ctx, sp.dels)
		if err != nil {
			return fmt.Errorf("delete %d records: %w", len(sp.dels), err)
		}
		sp.pending = append(sp.pending, p)
	}
	return nil
}

func waitAll(ctx context.Context, ps []catalog.Pending) error {
	for _, p := range ps {
		if err := p.Wait(ctx); err != nil {
			return fmt.Errorf("index write: %w", err)
		}
	}
	return nil
}

// confirm waits until the index has applied the oldest page in flight, then stores its
// checkpoint. When one of its writes failed, it and every later page are sent again, in
// order, so that the index ends as if each page had been applied once, in order; this is
// retried for up to IndexRetry.
func (a *attempt) confirm(ctx context.Context) error {
	resend := false
	err := a.s.retryIndex(ctx, func(ctx context.Context) error {
		if resend {
			for _, sp := range a.inflight {
				if err := a.send(ctx, sp); err != nil {
					return err
				}
			}
			resend = false
		}
		err := waitAll(ctx, a.inflight[0].pending)
		resend = err != nil
		return err
	})
	if err != nil {
		return err
	}
	return a.advance(ctx)
}

// advance stores the progress of the oldest page in flight, which the index has confirmed.
func (a *attempt) advance(ctx context.Context) error {
	sp := a.inflight[0]
	a.inflight, a.inflightRecs = a.inflight[1:], a.inflightRecs-sp.records
	a.s.metrics.lag.Dec()
	if err := a.s.recheck(ctx, a.p, sp.checks); err != nil {
		return err
	}
	a.state = sp.state
	if err := a.store(ctx); err != nil {
		return err
	}
	a.handled += sp.records
	if a.p.Thumbnails {
		a.s.queueThumbs(sp.ups, sp.dels)
	}
	a.run.Stats = a.state.Stats.keepErrors(a.run.Stats)
	if err := a.save(ctx); err != nil {
		a.s.log.Warn("save run progress", "run", a.run.ID, "err", err)
	}
	return nil
}

// retryIndex retries catalog writes with backoff for up to IndexRetry: an index that is away
// for a while should not cost a re-harvest. Writes are idempotent, so retrying is harmless.
func (s *System) retryIndex(ctx context.Context, write func(context.Context) error) error {
	deadline := time.Now().Add(s.cfg.IndexRetry)
	wait := 200 * time.Millisecond
	for {
		err := write(ctx)
		if err == nil || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		s.log.Warn("index write failed; retrying", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// finish keeps the run's Done checkpoint for the next incremental run.
func (a *attempt) finish(ctx context.Context) error {
	if a.state.Checkpoint != nil {
		if _, err := a.s.ckpts.Put(ctx, a.job.Source, a.state.Checkpoint); err != nil {
			return fmt.Errorf("keep checkpoint of %s: %w", a.job.Source, err)
		}
	}
	if err := a.s.ckpts.Delete(ctx, a.job.Source+runSuffix, jetstream.LastRevision(a.rev)); err != nil {
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return errFenced
		}
		return fmt.Errorf("clear run checkpoint of %s: %w", a.job.Source, err)
	}
	// The run is marked succeeded once its message is acknowledged (pool.settle): until then
	// the job still holds its source's place in the queue, and a run shown as ended would
	// invite a "run now" that is refused as pending.
	if err := a.s.prune(ctx, a.job.Source); err != nil {
		a.s.log.Warn("prune run history", "source", a.job.Source, "err", err)
	}
	return nil
}
