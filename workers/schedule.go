package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/robfig/cron/v3"
)

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// parseSchedule reads a 5-field cron expression, a descriptor (@daily) or an interval (@every 6h).
// The time zone is a separate field, so a CRON_TZ= prefix is refused.
func parseSchedule(spec string) (cron.Schedule, error) {
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		return nil, fmt.Errorf("schedule %q: give the time zone in its own field", spec)
	}
	// The parser rounds intervals up to a second; refuse shorter ones rather than change them.
	if every, ok := strings.CutPrefix(spec, "@every "); ok {
		if d, err := time.ParseDuration(every); err == nil && d < time.Second {
			return nil, fmt.Errorf("schedule %q: interval must be at least 1s", spec)
		}
	}
	sch, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return sch, nil
}

func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// nextDue is the first due time of spec strictly after after, read in time zone tz.
//
// Cron expressions are deterministic. Intervals are aligned rather than counted from whenever a
// process started, so every scheduler computes the same due times: an interval of up to a day
// restarts at each local midnight (@every 6h fires at 00:00, 06:00, 12:00 and 18:00 in tz), a
// longer one counts from the zero time.
func nextDue(spec, tz string, after time.Time) (time.Time, error) {
	sch, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := loadZone(tz)
	if err != nil {
		return time.Time{}, err
	}
	after = after.In(loc)
	every, ok := sch.(cron.ConstantDelaySchedule)
	if !ok {
		return sch.Next(after), nil
	}
	d := every.Delay
	if d > 24*time.Hour {
		return after.Truncate(d).Add(d), nil
	}
	y, m, day := after.Date()
	midnight := time.Date(y, m, day, 0, 0, 0, 0, loc)
	next := midnight.Add((after.Sub(midnight)/d + 1) * d)
	if tomorrow := time.Date(y, m, day+1, 0, 0, 0, 0, loc); !next.Before(tomorrow) {
		next = tomorrow
	}
	return next, nil
}

// scheduler fires each scheduled source at its due times. Each process runs one; fire makes sure
// that only one of them enqueues a job per due time.
type scheduler struct {
	sources func(ctx context.Context) ([]Source, error)
	fire    func(ctx context.Context, src Source, due time.Time, full bool) error
	rescan  time.Duration
	log     *slog.Logger

	// full says whether src's run at due is a full harvest.
	full func(ctx context.Context, src Source, due time.Time) (bool, error)
}

// run fires due sources until ctx is done. Due times that passed while no scheduler ran are not
// made up for: the next one is waited for.
func (sc *scheduler) run(ctx context.Context) error {
	next := map[string]time.Time{} // by source name, schedule and zone
	var srcs []Source
	for {
		if fresh, err := sc.sources(ctx); err != nil {
			sc.log.Warn("scheduler: read sources", "err", err)
		} else {
			srcs = fresh
		}
		now := time.Now()
		wake := now.Add(sc.rescan)
		seen := map[string]bool{}
		for _, src := range srcs {
			if src.Paused || src.Schedule == "" {
				continue
			}
			key := src.Name + "\x00" + src.Schedule + "\x00" + src.TimeZone
			seen[key] = true
			due, ok := next[key]
			if !ok || !due.After(now) {
				if ok {
					full, err := sc.full(ctx, src, due)
					if err == nil {
						err = sc.fire(ctx, src, due, full)
					}
					if err != nil && !errors.Is(err, context.Canceled) {
						sc.log.Warn("scheduler: fire", "source", src.Name, "due", due, "err", err)
					}
				}
				var err error
				if due, err = nextDue(src.Schedule, src.TimeZone, now); err != nil {
					sc.log.Warn("scheduler: bad schedule", "source", src.Name, "err", err)
					continue
				}
				next[key] = due
			}
			if due.Before(wake) {
				wake = due
			}
		}
		for k := range next {
			if !seen[k] {
				delete(next, k)
			}
		}
		t := time.NewTimer(time.Until(wake))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// RunScheduler fires the scheduled sources' jobs until ctx is done. Any number of processes may
// run it at once: a due time's job is enqueued by whichever gets its lease first.
func (s *System) RunScheduler(ctx context.Context) error {
	sc := &scheduler{sources: s.registry.List, full: s.fullDue, fire: s.fire, rescan: s.cfg.Rescan, log: s.log}
	return sc.run(ctx)
}

// fullDue reads src's runs to tell whether its run at due is a full one (fullDue).
func (s *System) fullDue(ctx context.Context, src Source, due time.Time) (bool, error) {
	runs, err := s.History(ctx, src.Name, 0)
	if err != nil {
		return false, err
	}
	return fullDue(src, runs, s.cfg.FullEvery, due), nil
}

// fire enqueues src's job for due unless another process already did.
func (s *System) fire(ctx context.Context, src Source, due time.Time, full bool) error {
	key := fmt.Sprintf("%s.%d", src.Name, due.Unix())
	if _, err := s.leases.Create(ctx, key, []byte(due.UTC().Format(time.RFC3339))); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil // another scheduler has it
		}
		return fmt.Errorf("lease %s: %w", key, err)
	}
	id, err := s.enqueue(ctx, src.Name, full, TriggerSchedule, due)
	if errors.Is(err, ErrPending) {
		s.log.Info("scheduled run skipped: previous job still pending", "source", src.Name, "due", due)
		return nil
	}
	if err != nil {
		return err
	}
	s.log.Info("scheduled run queued", "source", src.Name, "due", due, "run", id, "full", full)
	return nil
}
