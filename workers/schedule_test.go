package workers

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/orchard-oer/orchard/harvester"
)

func TestNextDue(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		spec, tz, after, want string
	}{
		{"30 2 * * *", "", "2026-03-01T00:00:00Z", "2026-03-01T02:30:00Z"},
		{"30 2 * * *", "", "2026-03-01T02:30:00Z", "2026-03-02T02:30:00Z"},                // strictly after
		{"30 2 * * *", "Europe/Berlin", "2026-03-01T00:00:00Z", "2026-03-01T01:30:00Z"},   // 01:00 in Berlin
		{"0 9 * * 1", "America/New_York", "2026-11-24T12:00:00Z", "2026-11-30T14:00:00Z"}, // Monday 09:00 EST
		{"0 9 * * 1", "America/New_York", "2026-07-01T12:00:00Z", "2026-07-06T13:00:00Z"}, // EDT
		{"@daily", "Asia/Tokyo", "2026-01-01T16:00:00Z", "2026-01-02T15:00:00Z"},
		{"@hourly", "", "2026-01-01T16:20:00Z", "2026-01-01T17:00:00Z"},
		{"*/15 * * * *", "", "2026-01-01T16:20:00Z", "2026-01-01T16:30:00Z"},
		// Intervals align on local midnight, whenever the scheduler started.
		{"@every 6h", "", "2026-01-01T07:59:59Z", "2026-01-01T12:00:00Z"},
		{"@every 6h", "", "2026-01-01T18:00:00Z", "2026-01-02T00:00:00Z"},
		{"@every 6h", "Europe/Berlin", "2026-01-01T07:59:59Z", "2026-01-01T11:00:00Z"},
		{"@every 5h", "", "2026-01-01T21:00:00Z", "2026-01-02T00:00:00Z"}, // restarts at midnight
		{"@every 90s", "", "2026-01-01T00:01:00Z", "2026-01-01T00:01:30Z"},
		{"@every 48h", "", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"},
		// Across the spring-forward gap: 02:30 does not exist in Berlin on 2026-03-29.
		{"30 2 * * *", "Europe/Berlin", "2026-03-28T02:00:00Z", "2026-03-30T00:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.tz+" "+tt.after, func(t *testing.T) {
			got, err := nextDue(tt.spec, tt.tz, at(tt.after))
			if err != nil {
				t.Fatal(err)
			}
			if want := at(tt.want); !got.Equal(want) {
				t.Errorf("nextDue = %s, want %s", got.UTC().Format(time.RFC3339), tt.want)
			}
		})
	}
	if _, err := nextDue("not a schedule", "", time.Now()); err == nil {
		t.Error("bad schedule accepted")
	}
}

// The scheduler loop fires every due time once, on a fake clock.
func TestSchedulerLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now() // 2000-01-01 00:00 UTC in the bubble
		srcs := []Source{
			{Schedule: "@every 1h"},
			{Schedule: "*/15 * * * *", TimeZone: "Asia/Kolkata"}, // +05:30: quarter hours still align
			{Schedule: "@daily", Paused: true},
			{},
		}
		for i, n := range []string{"hourly", "quarter", "paused", "manual"} {
			srcs[i].Name = n
		}
		var mu sync.Mutex
		fired := map[string][]time.Duration{}
		sc := &scheduler{
			sources: func(context.Context) ([]Source, error) { return srcs, nil },
			full:    func(context.Context, Source, time.Time) (bool, error) { return false, nil },
			fire: func(_ context.Context, src Source, due time.Time, _ bool) error {
				mu.Lock()
				defer mu.Unlock()
				if now := time.Now(); !now.Equal(due) {
					t.Errorf("%s due %s fired at %s", src.Name, due, now)
				}
				fired[src.Name] = append(fired[src.Name], due.Sub(start))
				return nil
			},
			rescan: 10 * time.Minute,
			log:    testLog(t),
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- sc.run(ctx) }()
		time.Sleep(2*time.Hour + time.Minute)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := fired["hourly"]; len(got) != 2 || got[0] != time.Hour || got[1] != 2*time.Hour {
			t.Errorf("hourly fired at %v", got)
		}
		if got := fired["quarter"]; len(got) != 8 || got[0] != 15*time.Minute || got[7] != 2*time.Hour {
			t.Errorf("quarter-hourly fired at %v", got)
		}
		if len(fired["paused"])+len(fired["manual"]) != 0 {
			t.Errorf("paused or unscheduled source fired: %v", fired)
		}
	})
}

// Two processes firing the same due time enqueue one job; running schedulers in both
// processes enqueue one job per due time.
func TestScheduleAcrossProcesses(t *testing.T) {
	t.Parallel()
	cfg := fastConfig(t.TempDir())
	cfg.Listen, cfg.Rescan = "127.0.0.1:0", 200*time.Millisecond
	a := openSystem(t, cfg)
	// Dir stays: b reads the embedded server's token from it.
	cfg.Listen, cfg.URL = "", a.ClientURL()
	b := openSystem(t, cfg)
	ctx := t.Context()
	src := testSource("nightly")
	src.Schedule = "@every 1s"
	src, err := a.Sources().Add(ctx, src)
	if err != nil {
		t.Fatal(err)
	}

	due := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 10 {
		sys := []*System{a, b}[i%2]
		wg.Go(func() {
			if err := sys.fire(ctx, src, due, false); err != nil {
				t.Errorf("fire: %v", err)
			}
		})
	}
	wg.Wait()
	hist, err := a.History(ctx, "nightly", 0)
	if err != nil || len(hist) != 1 || !hist[0].Due.Equal(due) || hist[0].Trigger != TriggerSchedule {
		t.Fatalf("runs after ten fires = %+v, %v", hist, err)
	}
	if err := a.Cancel(ctx, "nightly"); err != nil {
		t.Fatal(err)
	}

	ix := openIndex(t, t.TempDir())
	startWorkers(t, a, pipeline(ix, &pager{pages: 1, per: 1}), 1)
	sctx, stop := context.WithTimeout(ctx, 3500*time.Millisecond)
	defer stop()
	var sg sync.WaitGroup
	for _, sys := range []*System{a, b} {
		sg.Go(func() {
			if err := sys.RunScheduler(sctx); err != nil {
				t.Errorf("scheduler: %v", err)
			}
		})
	}
	sg.Wait()
	hist, err = b.History(ctx, "nightly", 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[time.Time]bool{}
	for _, r := range hist[:len(hist)-1] { // the oldest is the cancelled one above
		if seen[r.Due] {
			t.Errorf("two runs for due time %s", r.Due)
		}
		seen[r.Due] = true
	}
	if len(seen) < 2 {
		t.Errorf("%d scheduled runs in 3.5s of @every 1s: %+v", len(seen), hist)
	}
	st, err := a.Status(ctx)
	if err != nil || len(st) != 1 || st[0].Next.IsZero() {
		t.Errorf("status = %+v, %v", st, err)
	}
}

// A source that may drop records without reporting them gets a full run once its last full run
// is FullEvery old (its own, or the default); the others stay incremental. On a fake clock, with runs kept in memory.
func TestSchedulerFullCadence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		web := Source{Schedule: "@daily"}
		web.Name, web.Type = "site", harvester.TypeWeb
		transient, persistent := testSource("transient"), testSource("persistent")
		transient.Schedule, persistent.Schedule = "@daily", "@daily"
		never, often := web, web // their own cadence
		never.Name, never.FullEvery = "never", -1
		often.Name, often.FullEvery = "often", 2*24*time.Hour
		srcs := []Source{web, transient, persistent, never, often}
		var mu sync.Mutex
		runs := map[string][]Run{ // newest first, as History gives them
			"transient":  {{Status: StatusSucceeded, Sweepable: true, Queued: start}},
			"persistent": {{Status: StatusSucceeded, Full: true, Queued: start}},
		}
		fulls := map[string][]int{} // days of full runs
		sc := &scheduler{
			sources: func(context.Context) ([]Source, error) { return srcs, nil },
			full: func(_ context.Context, src Source, due time.Time) (bool, error) {
				mu.Lock()
				defer mu.Unlock()
				return fullDue(src, runs[src.Name], 3*24*time.Hour, due), nil
			},
			fire: func(_ context.Context, src Source, due time.Time, full bool) error {
				mu.Lock()
				defer mu.Unlock()
				r := Run{Full: full, Status: StatusSucceeded, Due: due, Queued: due, Sweepable: src.Name != "persistent"}
				runs[src.Name] = append([]Run{r}, runs[src.Name]...)
				if full {
					fulls[src.Name] = append(fulls[src.Name], int(due.Sub(start)/(24*time.Hour)))
				}
				return nil
			},
			rescan: time.Hour,
			log:    testLog(t),
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- sc.run(ctx) }()
		time.Sleep(8*24*time.Hour + time.Minute)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := map[string][]int{"site": {1, 4, 7}, "transient": {1, 4, 7}, "often": {1, 3, 5, 7}}
		if !reflect.DeepEqual(fulls, want) {
			t.Errorf("full runs on days %v, want %v", fulls, want)
		}
	})
}
