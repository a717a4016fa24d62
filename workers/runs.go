package workers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
)

// RunStatus is where a run stands.
type RunStatus string

const (
	StatusQueued    RunStatus = "queued" // waiting for a worker, or handed back for a retry
	StatusRunning   RunStatus = "running"
	StatusSucceeded RunStatus = "succeeded"
	StatusFailed    RunStatus = "failed"
	StatusCancelled RunStatus = "cancelled"
)

// Final reports whether a run has ended.
func (s RunStatus) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusCancelled
}

// What started a run.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// maxSamples bounds the error and quarantine samples kept per run.
const maxSamples = 20

// Run is one harvest of one source.
type Run struct {
	ID       string    `json:"id"` // <source>.<start time>-<random>, ordered by time within a source
	Source   string    `json:"source"`
	Trigger  string    `json:"trigger"`
	Full     bool      `json:"full"`
	Status   RunStatus `json:"status"`
	Due      time.Time `json:"due,omitzero"` // the scheduled time, for scheduled runs
	Queued   time.Time `json:"queued"`
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	Attempts int       `json:"attempts"` // deliveries of the job so far
	Error    string    `json:"error,omitempty"`
	// Worker is the process (host:pid) that runs or last ran the job.
	Worker string `json:"worker,omitempty"`
	// Note says what a reader should know beyond the status, such as that the run's worker
	// was lost and its job awaits redelivery; it is derived when the run is read.
	Note string `json:"note,omitempty"`
	// PagesHarvested and RecordsHarvested count what the harvest has produced so far,
	// including pages the catalog has not confirmed yet; Stats counts confirmed pages only.
	PagesHarvested   int `json:"pages_harvested"`
	RecordsHarvested int `json:"records_harvested"`
	// Sweepable is set when the harvester said the source may drop records without
	// reporting them (harvester.Page.Sweep): its full runs sweep, and come on a cadence.
	Sweepable bool `json:"sweepable,omitempty"`
	// Sweep is what the run did with its source's records that it did not see, or what a
	// removing run did; nil when it did not sweep.
	Sweep *Sweep `json:"sweep,omitempty"`
	Stats
}

// Stats counts what a run has done. It is stored with each checkpoint, so a resumed run counts
// every page once.
type Stats struct {
	Pages    int `json:"pages"`
	Records  int `json:"records"` // raw records handled
	Upserted int `json:"upserted"`
	Deleted  int `json:"deleted"`
	Expected int `json:"expected,omitempty"` // as announced by the source
	// Licenses counts upserted records by license id; unknown ids are counted in Unknown.
	Licenses    map[string]int `json:"licenses,omitempty"`
	Unknown     int            `json:"unknown"`
	Conflicting int            `json:"conflicting"`
	Quarantined int            `json:"quarantined"`
	// QuarantineSamples are the first quarantined records with why.
	QuarantineSamples []harvester.Quarantine `json:"quarantine_samples,omitempty"`
	Errors            int                    `json:"errors"`
	ErrorSamples      []string               `json:"error_samples,omitempty"`
	// Warnings are what the harvester said about the run without stopping it, such as a
	// checkpoint it could not resume from; the first ones are kept.
	Warnings []string `json:"warnings,omitempty"`
}

func (st *Stats) quarantine(q harvester.Quarantine) {
	st.Quarantined++
	if len(st.QuarantineSamples) < maxSamples {
		st.QuarantineSamples = append(st.QuarantineSamples, q)
	}
}

func (st *Stats) failed(err error) {
	st.Errors++
	if len(st.ErrorSamples) < maxSamples {
		st.ErrorSamples = append(st.ErrorSamples, err.Error())
	}
}

// keepErrors returns st with the error counts of run: errors are counted per delivery on the
// run, not per page in the checkpoint.
func (st Stats) keepErrors(run Stats) Stats {
	st.Errors, st.ErrorSamples = run.Errors, run.ErrorSamples
	return st
}

func (st *Stats) license(l catalog.License) {
	if l.Conflict {
		st.Conflicting++
	}
	if l.ID == "" {
		st.Unknown++
		return
	}
	if st.Licenses == nil {
		st.Licenses = map[string]int{}
	}
	st.Licenses[l.ID]++
}

func newRunID(source string, now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	now = now.UTC()
	return fmt.Sprintf("%s.%s%03dZ-%s", source, now.Format("20060102T150405"), now.Nanosecond()/1e6, hex.EncodeToString(b))
}

func (s *System) saveRun(ctx context.Context, r Run) error {
	if _, err := putJSON(ctx, s.runs, r.ID, r, anyRevision); err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	return nil
}

// Run returns one run by id, or ErrNotFound.
func (s *System) Run(ctx context.Context, id string) (Run, error) {
	if id == "" || !nameRe.MatchString(strings.SplitN(id, ".", 2)[0]) || strings.ContainsAny(id, " *>") {
		return Run{}, fmt.Errorf("run %q: %w", id, ErrNotFound)
	}
	r, _, err := getJSON[Run](ctx, s.runs, id)
	if err != nil {
		return Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	s.markLost(ctx, &r)
	return r, nil
}

// History returns a source's runs, newest first, at most limit (0 for all that are kept).
func (s *System) History(ctx context.Context, source string, limit int) ([]Run, error) {
	if !nameRe.MatchString(source) {
		return nil, fmt.Errorf("source %q: %w", source, ErrNotFound)
	}
	runs, err := s.allRuns(ctx, source+".*")
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(runs) > limit {
		runs = runs[:limit]
	}
	return runs, nil
}

// allRuns reads the runs matching filter, newest first.
func (s *System) allRuns(ctx context.Context, filter string) ([]Run, error) {
	es, err := entries(ctx, s.nc, s.runs, filter)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	runs := make([]Run, 0, len(es))
	for _, e := range es {
		r, err := decodeJSON[Run](e)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		s.markLost(ctx, &r)
		runs = append(runs, r)
	}
	slices.SortFunc(runs, func(a, b Run) int { return strings.Compare(b.ID, a.ID) })
	return runs, nil
}

// prune drops a source's oldest runs beyond the configured history.
func (s *System) prune(ctx context.Context, source string) error {
	runs, err := s.allRuns(ctx, source+".*")
	if err != nil {
		return err
	}
	for i, r := range runs {
		if i >= s.cfg.History && r.Status.Final() {
			if err := s.runs.Purge(ctx, r.ID); err != nil {
				return fmt.Errorf("prune run %s: %w", r.ID, err)
			}
		}
	}
	return nil
}

// SourceStatus is what a source is doing.
type SourceStatus struct {
	Source Source `json:"source"`
	Active *Run   `json:"active,omitempty"` // queued or running
	Last   *Run   `json:"last,omitempty"`   // the latest run that ended
	// Next is the next due time; zero without a schedule or while paused.
	Next time.Time `json:"next,omitzero"`
}

// Status returns every source with its active run, last finished run and next due time.
func (s *System) Status(ctx context.Context) ([]SourceStatus, error) {
	srcs, err := s.registry.List(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]SourceStatus, 0, len(srcs))
	for _, src := range srcs {
		st := SourceStatus{Source: src}
		// One read per source keeps each within what a single direct get returns.
		runs, err := s.allRuns(ctx, src.Name+".*")
		if err != nil {
			return nil, err
		}
		for _, r := range runs { // newest first
			switch {
			case !r.Status.Final() && st.Active == nil && st.Last == nil:
				st.Active = &r
			case r.Status.Final() && st.Last == nil:
				st.Last = &r
			}
		}
		if src.Schedule != "" && !src.Paused {
			st.Next, _ = nextDue(src.Schedule, src.TimeZone, now)
		}
		out = append(out, st)
	}
	return out, nil
}

// clone returns a copy of st that shares no map or slice with it.
func (st Stats) clone() Stats {
	st.Licenses = maps.Clone(st.Licenses)
	st.QuarantineSamples = slices.Clone(st.QuarantineSamples)
	st.ErrorSamples = slices.Clone(st.ErrorSamples)
	st.Warnings = slices.Clone(st.Warnings)
	return st
}
