package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/linkcheck"
)

// LinksBucket is the document bucket of the link checker: the state of each failing link by
// record id (a link that answers has none, so the bucket holds only the catalog's trouble),
// and the position of the walk through the catalog.
const LinksBucket = "links"

// walkKey holds the walk's position; record ids never start with an underscore.
const walkKey = "_walk"

// LinkConfig says how the link checker goes about its work.
type LinkConfig struct {
	// Interval is the time between two rounds of checks: 10m. Rounds fall on multiples of it,
	// so that the processes of a deployment agree on them and only one runs each.
	Interval time.Duration
	// Batch is the most links a round checks: 100. Failing links that are due come first;
	// the rest of the batch continues the walk through the catalog.
	Batch int
	// Recheck is the least time between two walks through the whole catalog, and so between
	// two checks of a link that answers: 7 days.
	Recheck time.Duration
	// Policy decides when a failing link is broken.
	Policy linkcheck.Policy
}

// DefaultLinkConfig is the configuration RunLinkChecker completes an empty one to.
func DefaultLinkConfig() LinkConfig { return LinkConfig{}.withDefaults() }

func (c LinkConfig) withDefaults() LinkConfig {
	if c.Interval <= 0 {
		c.Interval = 10 * time.Minute
	}
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.Recheck <= 0 {
		c.Recheck = 7 * 24 * time.Hour
	}
	c.Policy = c.Policy.WithDefaults()
	return c
}

// LinkState is what is known of a record's failing link, with the record's title and source
// for the librarians' list.
type LinkState struct {
	ID     string `json:"id"`
	Title  string `json:"title,omitempty"`
	Source string `json:"source,omitempty"`
	linkcheck.State
}

// walk is the position of the walk through the catalog.
type walk struct {
	After   *catalog.ListKey `json:"after,omitempty"` // nil before a walk begins
	Started time.Time        `json:"started"`         // when the current or last walk began
}

// LinkChecker visits a link and says what it found; *linkcheck.Checker is one.
type LinkChecker interface {
	Check(ctx context.Context, url string) (linkcheck.Result, error)
}

// linkRounds runs the rounds of the link checker with its I/O handed in.
type linkRounds struct {
	docs    *Docs
	index   catalog.Index
	checker LinkChecker
	cfg     LinkConfig
	counted func(linkcheck.Kind)
	log     *slog.Logger
}

// round checks the failing links that are due, then continues the walk through the catalog
// with what is left of the batch.
func (lr *linkRounds) round(ctx context.Context) error {
	now := time.Now()
	docs, err := lr.docs.List(ctx, "")
	if err != nil {
		return fmt.Errorf("read link states: %w", err)
	}
	var w walk
	known := map[string]bool{}
	var due []LinkState
	for _, d := range docs {
		if d.Key == walkKey {
			if err := json.Unmarshal(d.Value, &w); err != nil {
				lr.log.Warn("link checker: unreadable walk position, starting over", "err", err)
			}
			continue
		}
		var s LinkState
		if err := json.Unmarshal(d.Value, &s); err != nil {
			return fmt.Errorf("decode link state of %s: %w", d.Key, err)
		}
		s.ID = d.Key
		known[s.ID] = true
		if !s.Next.After(now) {
			due = append(due, s)
		}
	}
	slices.SortFunc(due, func(a, b LinkState) int { return a.Next.Compare(b.Next) })
	due = due[:min(len(due), lr.cfg.Batch)]
	for _, s := range due {
		rec, err := lr.index.Get(ctx, s.ID)
		if errors.Is(err, catalog.ErrNotFound) {
			if err := lr.docs.Delete(ctx, s.ID); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("read record %s: %w", s.ID, err)
		}
		if err := lr.visit(ctx, rec, s); err != nil {
			return err
		}
	}
	budget := lr.cfg.Batch - len(due)
	if budget <= 0 || w.After == nil && !w.Started.IsZero() && now.Sub(w.Started) < lr.cfg.Recheck {
		return nil
	}
	if w.After == nil {
		w.Started = now
	}
	page, err := lr.index.List(ctx, catalog.ListRequest{Filter: catalog.Filter{WithHidden: true}, After: w.After, Limit: budget})
	if err != nil {
		return fmt.Errorf("walk the catalog: %w", err)
	}
	for _, rec := range page.Records {
		if known[rec.ID] || rec.URL == "" {
			continue // failing links are checked when due
		}
		if err := lr.visit(ctx, rec, LinkState{}); err != nil {
			return err
		}
	}
	if len(page.Records) < budget {
		w.After = nil // the walk is complete; the next waits for Recheck
	} else {
		k := page.Records[len(page.Records)-1].Key()
		w.After = &k
	}
	if _, err := lr.docs.Put(ctx, walkKey, w); err != nil {
		return fmt.Errorf("keep the walk's position: %w", err)
	}
	return nil
}

// visit checks rec's link and keeps what came of it: the link's state, then the record's
// Broken flag in the index when the verdict changed. The state goes first, so that a harvest
// meanwhile (KeepBroken) already sees the verdict the index is about to show, and a failed
// index write is mended at the link's next check.
func (lr *linkRounds) visit(ctx context.Context, rec catalog.Record, prev LinkState) error {
	res, err := lr.checker.Check(ctx, rec.URL)
	if err != nil {
		return err
	}
	now := time.Now() // when the answer came: a check may wait long for its host's turn
	lr.counted(res.Kind)
	next, keep := lr.cfg.Policy.Update(prev.State, rec.URL, res, now)
	switch {
	case keep:
		_, err = lr.docs.Put(ctx, rec.ID, LinkState{ID: rec.ID, Title: rec.Title, Source: rec.Source, State: next})
	case prev.Failures > 0:
		err = lr.docs.Delete(ctx, rec.ID)
	}
	if err != nil {
		return fmt.Errorf("keep link state of %s: %w", rec.ID, err)
	}
	if rec.Broken == next.Broken {
		return nil
	}
	rec.Broken = next.Broken
	rec.Indexed = catalog.Stamp(now) // harvesters of /oai see the change
	if err := lr.index.Upsert(ctx, []catalog.Record{rec}); err != nil {
		return fmt.Errorf("mark link of %s broken %v: %w", rec.ID, rec.Broken, err)
	}
	lr.log.Info("link checker: verdict changed", "record", rec.ID, "broken", rec.Broken, "kind", res.Kind, "status", res.Status)
	return nil
}

// every calls round at each multiple of interval until ctx is done.
func every(ctx context.Context, interval time.Duration, round func(ctx context.Context, due time.Time) error) error {
	for {
		due := time.Now().Truncate(interval).Add(interval)
		t := time.NewTimer(time.Until(due))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := round(ctx, due); err != nil && ctx.Err() != nil {
			return nil
		}
	}
}

// RunLinkChecker checks the landing pages of idx's records with checker until ctx is done,
// and withholds from learners those whose pages stay gone (cfg.Policy). Any number of
// processes may run it: each round is run by whichever takes its lease first.
func (s *System) RunLinkChecker(ctx context.Context, idx catalog.Index, checker LinkChecker, cfg LinkConfig) error {
	cfg = cfg.withDefaults()
	docs, err := s.Docs(ctx, LinksBucket)
	if err != nil {
		return fmt.Errorf("link checker: %w", err)
	}
	lr := &linkRounds{
		docs: docs, index: idx, checker: checker, cfg: cfg, log: s.log,
		counted: func(k linkcheck.Kind) { s.metrics.linkChecks.WithLabelValues(string(k)).Inc() },
	}
	return every(ctx, cfg.Interval, func(ctx context.Context, due time.Time) error {
		key := fmt.Sprintf("_links.%d", due.Unix())
		if _, err := s.leases.Create(ctx, key, []byte(due.UTC().Format(time.RFC3339))); err != nil {
			if errors.Is(err, jetstream.ErrKeyExists) {
				return nil // another process has this round
			}
			s.log.Warn("link checker: lease", "due", due, "err", err)
			return err
		}
		err := lr.round(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("link checker: round", "due", due, "err", err)
		}
		return err
	})
}

// BrokenLinks lists the records whose links are broken, the most recently broken first.
func (s *System) BrokenLinks(ctx context.Context) ([]LinkState, error) {
	docs, err := s.Docs(ctx, LinksBucket)
	if err != nil {
		return nil, err
	}
	list, err := docs.List(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []LinkState
	for _, d := range list {
		var st LinkState
		if d.Key == walkKey || json.Unmarshal(d.Value, &st) != nil || !st.Broken {
			continue
		}
		st.ID = d.Key
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b LinkState) int {
		if c := b.BrokenSince.Compare(a.BrokenSince); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// KeepBroken wraps next so that a harvested record whose link the checker found broken stays
// withheld from learners: the states of a page's records are read in one lookup. A record
// whose URL changed is taken as it comes, since its new link has not been checked yet. The
// bucket is opened here, before any job, so that no job waits on its creation.
func (s *System) KeepBroken(ctx context.Context, next NormalizeFunc) (NormalizeFunc, error) {
	docs, err := s.Docs(ctx, LinksBucket)
	if err != nil {
		return nil, fmt.Errorf("link states: %w", err)
	}
	return func(ctx context.Context, src harvester.Source, raws []harvester.Record) ([]Normalized, error) {
		out, err := next(ctx, src, raws)
		if err != nil {
			return nil, err
		}
		states, err := docs.GetMany(ctx, Written(out))
		if err != nil {
			return nil, fmt.Errorf("look up link states: %w", err)
		}
		for i := range out {
			raw, ok := states[out[i].Record.ID]
			if !ok || out[i].Err != nil {
				continue
			}
			var st LinkState
			if err := json.Unmarshal(raw, &st); err != nil {
				return nil, fmt.Errorf("decode link state of %s: %w", out[i].Record.ID, err)
			}
			out[i].Record.Broken = st.Broken && st.URL == out[i].Record.URL
		}
		return out, nil
	}, nil
}
