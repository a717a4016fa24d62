package workers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
)

// Sweeps: a complete full run of a source that may drop records without reporting their
// deletion (harvester.Page.Sweep) removes the source's records it did not see. A record the run
// saw was written by it, so its list date (Record.Indexed) is not before the run's start; the
// mark is that date, and the sweep lists the source's records dated before the start
// (catalog.Index.List, keyset paged, so memory stays flat and removals never shift a page).

// SweepStatus is where a run's sweep stands.
type SweepStatus string

const (
	// SweepSwept: the unseen records were removed (Removed counts them).
	SweepSwept SweepStatus = "swept"
	// SweepWaiting: the run saw too few records to remove the rest without a librarian's word.
	SweepWaiting SweepStatus = "waiting"
	// SweepKept: a librarian chose to keep the records the run did not see.
	SweepKept SweepStatus = "kept"
	// SweepConfirmed: a librarian chose to remove them; the run named By removes them.
	SweepConfirmed SweepStatus = "confirmed"
	// SweepRemoving: this run removes records another run did not see, or a removed source's.
	SweepRemoving SweepStatus = "removing"
)

// SweepFewSeen is why a sweep waits: the run saw less than Config.SweepMinShare of the
// source's records, as a broken server or site would show them.
const SweepFewSeen = "few_seen"

// Sweep is what a run did, or would do, with its source's records that it did not see.
type Sweep struct {
	Status SweepStatus `json:"status"`
	Reason string      `json:"reason,omitempty"` // why it waits: SweepFewSeen
	// Seen counts the source's records the run wrote, Total those the catalog held when it
	// ended, Unseen the others: those the sweep removes or would remove.
	Seen    int `json:"seen"`
	Total   int `json:"total"`
	Unseen  int `json:"unseen"`
	Removed int `json:"removed"`
	// Before is the mark: the source's records last written at or before it (catalog.Stamp)
	// are the unseen ones; empty, when a source is removed, means all of them.
	Before string `json:"before,omitempty"`
	// Of is the run whose unseen records a confirmed sweep removes; By is the run that removes
	// them after a confirmation.
	Of string `json:"of,omitempty"`
	By string `json:"by,omitempty"`
}

// What started a run, beyond harvests.
const (
	TriggerSweep  = "sweep"  // a librarian confirmed a waiting sweep
	TriggerRemove = "remove" // the source is removed with its records
)

// sweepable reports whether the run may sweep: a complete full harvest of the
// source's whole range whose harvester says the source's unseen records are gone.
func (a *attempt) sweepable() bool {
	return a.job.Full && a.state.Done && a.state.Sweep && a.src.From == "" && a.src.Until == ""
}

// unseenFilter selects every record of the source, hidden ones too.
func (a *attempt) unseenFilter() catalog.Filter {
	return catalog.Filter{Sources: []string{a.src.Name}, WithHidden: true}
}

// sweep removes the source's records the run did not see, or leaves them waiting for a
// librarian when the run saw too few; the outcome goes on the run.
func (a *attempt) sweep(ctx context.Context) error {
	before := catalog.Stamp(a.run.Started.Add(-time.Second))
	all, err := a.p.Index.List(ctx, catalog.ListRequest{Filter: a.unseenFilter(), Limit: 1})
	if err != nil {
		return fmt.Errorf("count records of %s: %w", a.src.Name, err)
	}
	unseen, err := a.p.Index.List(ctx, catalog.ListRequest{Filter: a.unseenFilter(), Until: before, Limit: 1})
	if err != nil {
		return fmt.Errorf("count unseen records of %s: %w", a.src.Name, err)
	}
	sw := &Sweep{Status: SweepSwept, Total: all.Total, Unseen: unseen.Total, Seen: all.Total - unseen.Total, Before: before}
	switch {
	case sw.Unseen == 0:
	case float64(sw.Seen) < a.s.cfg.SweepMinShare*float64(sw.Total):
		sw.Status, sw.Reason = SweepWaiting, SweepFewSeen
	default:
		if sw.Removed, err = a.removeBefore(ctx, before); err != nil {
			return err
		}
	}
	a.run.Sweep = sw
	a.s.log.Info("sweep", "run", a.run.ID, "status", sw.Status, "seen", sw.Seen, "total", sw.Total, "removed", sw.Removed)
	return a.save(ctx)
}

// clean runs a job that only removes records: those a confirmed sweep found unseen, or all
// of a source that is being removed, which then leaves the registry.
func (a *attempt) clean(ctx context.Context) error {
	a.run.Status, a.run.Worker, a.run.Note = StatusRunning, a.s.name, ""
	if a.run.Started.IsZero() {
		a.run.Started = time.Now().UTC()
	}
	if a.run.Sweep == nil {
		a.run.Sweep = &Sweep{Status: SweepRemoving, Of: a.job.SweepOf, Before: a.job.Before}
	}
	if err := a.save(ctx); err != nil {
		return err
	}
	n, err := a.removeBefore(ctx, a.job.Before)
	a.run.Sweep.Removed += n
	a.run.Deleted += n
	if err != nil {
		return err
	}
	a.run.Sweep.Status = SweepSwept
	if a.job.Trigger == TriggerRemove {
		if err := a.s.registry.Remove(ctx, a.src.Name); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return a.save(ctx)
}

// removeBefore removes the source's records last written at or before before (all of them
// when it is empty) through the path of harvested deletions (send: tombstones first), a page
// at a time, and returns how many it removed.
func (a *attempt) removeBefore(ctx context.Context, before string) (int, error) {
	req := catalog.ListRequest{Filter: a.unseenFilter(), Until: before, Limit: a.p.Batch}
	n := 0
	for {
		if c, err := a.s.cancelRequested(ctx, a.job.Source, a.job.RunID); err != nil || c {
			return n, cmp(err, errCancelled)
		}
		page, err := a.p.Index.List(ctx, req)
		if err != nil {
			return n, fmt.Errorf("list records of %s to remove: %w", a.src.Name, err)
		}
		if len(page.Records) == 0 {
			return n, nil
		}
		sp := &sentPage{}
		for _, r := range page.Records {
			sp.dels = append(sp.dels, r.ID)
		}
		err = a.s.retryIndex(ctx, func(ctx context.Context) error {
			if err := a.send(ctx, sp); err != nil {
				return err
			}
			return waitAll(ctx, sp.pending)
		})
		if err != nil {
			return n, err
		}
		n += len(sp.dels)
		last := page.Records[len(page.Records)-1].Key()
		req.After = &last
	}
}

// ErrNoSweep is returned by DecideSweep when no sweep of the source waits.
var ErrNoSweep = errors.New("no sweep waits for a decision")

// WaitingSweep returns the run of source whose sweep waits for a librarian, or ErrNoSweep.
// Only the latest run with a sweep counts: a later sweep supersedes an earlier one. Runs from
// before the source was added (a removed source's, of the same name) do not count.
func (s *System) WaitingSweep(ctx context.Context, source string) (Run, error) {
	src, err := s.registry.Get(ctx, source)
	if err != nil {
		return Run{}, err
	}
	runs, err := s.History(ctx, source, 0)
	if err != nil {
		return Run{}, err
	}
	i := slices.IndexFunc(runs, func(r Run) bool { return r.Sweep != nil && !r.Queued.Before(src.Created) })
	if i < 0 || runs[i].Sweep.Status != SweepWaiting {
		return Run{}, fmt.Errorf("source %s: %w", source, ErrNoSweep)
	}
	return runs[i], nil
}

// DecideSweep acts on the sweep that source's last sweeping run waits for: with remove, a job
// removes the records that run did not see (its id is returned); otherwise they are kept.
func (s *System) DecideSweep(ctx context.Context, source string, remove bool) (string, error) {
	run, err := s.WaitingSweep(ctx, source)
	if err != nil {
		return "", err
	}
	if !remove {
		run.Sweep.Status = SweepKept
		return "", s.saveRun(ctx, run)
	}
	id, err := s.enqueueJob(ctx, job{Source: source, Trigger: TriggerSweep, SweepOf: run.ID, Before: run.Sweep.Before})
	if err != nil {
		return "", err
	}
	run.Sweep.Status, run.Sweep.By = SweepConfirmed, id
	return id, s.saveRun(ctx, run)
}

// RemoveSource removes a source. With keepRecords its records stay in the catalog and it is
// gone at once (the returned run id is empty); otherwise a job removes its records the way
// harvested deletions are removed (with tombstones), then the source, and its run id is
// returned. ErrPending if a job of the source is queued or running: cancel it first.
func (s *System) RemoveSource(ctx context.Context, name string, keepRecords bool) (string, error) {
	if keepRecords {
		return "", s.registry.Remove(ctx, name)
	}
	return s.enqueueJob(ctx, job{Source: name, Trigger: TriggerRemove})
}

// fullDue reports whether a scheduled run at due should be a full harvest: the source may
// drop records without reporting them (a web site, or a repository whose last run said so)
// and its last full run was queued at least every (or the source's FullEvery) before due.
// Negative turns scheduled full runs off.
func fullDue(src Source, runs []Run, every time.Duration, due time.Time) bool {
	if src.FullEvery != 0 {
		every = src.FullEvery
	}
	if every <= 0 {
		return false
	}
	sweeps := src.Type == harvester.TypeWeb
	var last time.Time
	for _, r := range runs { // newest first
		if r.Status.Final() && r.Sweepable {
			sweeps = true
		}
		if r.Full && r.Status == StatusSucceeded && last.IsZero() {
			last = cmpTime(r.Due, r.Queued)
		}
	}
	return sweeps && (last.IsZero() || !due.Before(last.Add(every)))
}

func cmpTime(t, otherwise time.Time) time.Time {
	if t.IsZero() {
		return otherwise
	}
	return t
}
