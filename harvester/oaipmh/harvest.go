// Package oaipmh harvests OAI-PMH 2.0 repositories. It streams records page by page, with a
// checkpoint after every page that lets another process resume exactly there, and it copes
// with what real repositories do: broken records, lying encodings, resumption tokens that
// loop, expire or are refused, servers that refuse requests or fall over mid-list.
//
// A run harvests each metadata prefix and set of the source in date windows (calendar months by
// default) between the repository's earliest datestamp, or the last run's start for an
// incremental run, and the server's clock when the run began. A window that keeps failing is
// halved until it works or cannot be halved.
package oaipmh

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/weburl"
)

// ErrLoop is returned when a repository sends a resumption token or a page it sent before in
// the same list, or keeps handing out tokens for pages that bring no new record: following
// it would never end.
var ErrLoop = errors.New("resumption loop")

// Config sets up a Harvester. Zero values take the defaults given beside each field.
type Config struct {
	// Client is the HTTP client to use, shared with other harvesters; when nil one is made
	// from Fetch.
	Client *fetch.Client
	Fetch  fetch.Config

	// Overlap is subtracted from the last run's start for the next incremental run, so that
	// records stamped just before it are not missed: 1h. Negative for none.
	Overlap time.Duration
	// Window is the span of one date window; zero means calendar months, negative one window
	// for the whole range.
	Window time.Duration
	// MaxWindowRecords splits a window whose list announces more records (completeListSize),
	// so that a failing list costs less to redo: 100000. Negative for no limit.
	MaxWindowRecords int
	// MaxStalePages ends a run with ErrLoop after this many pages in a row that hand out a
	// new token but bring no new record (none, or only records already seen in this run): 20.
	MaxStalePages int
	// MaxPages is the most list pages one Harvest call fetches when the source gives no
	// max_pages; zero for no limit. A run that reaches it ends cleanly, with a warning, and
	// its checkpoint resumes there.
	MaxPages int
	// ProbeTimeout bounds a Probe: harvester.DefaultProbeTimeout.
	ProbeTimeout time.Duration
}

func (c Config) withDefaults() Config {
	switch {
	case c.Overlap == 0:
		c.Overlap = time.Hour
	case c.Overlap < 0:
		c.Overlap = 0
	}
	if c.MaxWindowRecords == 0 {
		c.MaxWindowRecords = 100_000
	}
	if c.MaxStalePages <= 0 {
		c.MaxStalePages = 20
	}
	return c
}

// Harvester harvests OAI-PMH sources. It implements harvester.Harvester.
type Harvester struct {
	cfg   Config
	log   *slog.Logger
	fetch *fetch.Client
}

var _ harvester.Harvester = (*Harvester)(nil)

// New builds a Harvester.
func New(cfg Config, log *slog.Logger) *Harvester {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := cfg.Client
	if f == nil {
		f = fetch.New(cfg.Fetch, log)
	}
	return &Harvester{cfg: cfg, log: log, fetch: f}
}

// Checkpoint is the state a harvest resumes from. Its JSON form is what harvester.Page
// carries.
type Checkpoint struct {
	V           int      `json:"v"`
	URL         string   `json:"url"`
	Prefixes    []string `json:"prefixes"`
	Sets        []string `json:"sets,omitempty"`
	Granularity string   `json:"granularity"`
	Earliest    string   `json:"earliest,omitempty"`
	// ResponseDate is the server's clock in the run's first response; the next incremental
	// run starts from it (less the overlap).
	ResponseDate string `json:"response_date"`
	From         string `json:"from,omitempty"`  // the run's lower bound; empty for everything
	Until        string `json:"until,omitempty"` // the run's upper bound; empty for open

	Combo    int        `json:"combo"` // index into prefixes × sets
	Window   window     `json:"window"`
	Pending  []window   `json:"pending,omitempty"` // halves of split windows still to do
	Token    string     `json:"token,omitempty"`
	Expires  *time.Time `json:"token_expires,omitempty"`
	Restarts int        `json:"restarts,omitempty"` // failures of the current window
	// Skew is the server's clock minus ours, to judge token expiry.
	Skew      time.Duration      `json:"skew,omitempty"`
	HighWater string             `json:"high_water,omitempty"` // greatest datestamp seen
	ListStart int                `json:"list_start,omitempty"` // records before the current list
	Progress  harvester.Progress `json:"progress"`

	Done     bool   `json:"done,omitempty"`
	NextFrom string `json:"next_from,omitempty"` // where the next incremental run starts
}

// checkpointVersion is the format of Checkpoint; a checkpoint of another is not resumed.
const checkpointVersion = 1

// Stamp implements harvester.Checkpoint. The settings a checkpoint was taken under are in it,
// so its fingerprint is computed rather than stored.
func (cp *Checkpoint) Stamp() (int, string) {
	return cp.V, fingerprint(cp.URL, cp.Prefixes, cp.Sets)
}

// fingerprint condenses the settings that decide what a harvest lists.
func fingerprint(url string, prefixes, sets []string) string {
	return harvester.Fingerprint(url, strings.Join(prefixes, "\n"), strings.Join(sets, "\n"))
}

// run is one Harvest call's working state.
type run struct {
	h      *Harvester
	c      *Client
	cp     *Checkpoint
	plan   planner
	stats  *fetch.Stats
	base   harvester.Progress // counts from before this process
	seen   map[uint64]struct{}
	tokens map[string]bool // tokens of the current list
	prints map[uint64]bool // page fingerprints of the current list
	stale  int             // pages in a row with a token and no new record
	pages  int             // pages fetched by this Harvest call
	limit  int             // most pages of this Harvest call; 0 for none
	op     string
	// warnings go with the next page emitted.
	warnings []string
}

// Harvest implements harvester.Harvester. cp nil starts a full harvest; a checkpoint of an
// unfinished run resumes it; a Done checkpoint starts an incremental run from its NextFrom
// (a full one when full is set). src.From and src.Until override the checkpoint's range.
func (h *Harvester) Harvest(ctx context.Context, src harvester.Source, raw json.RawMessage, full bool, emit harvester.Emit) error {
	stats := &fetch.Stats{}
	c, err := NewClient(src.URL, h.fetch, stats)
	if err != nil {
		return err
	}
	c.pace = src.Pace
	r := &run{h: h, c: c, stats: stats, op: "harvest " + weburl.Redact(src.URL), seen: map[uint64]struct{}{},
		limit: cmp.Or(src.MaxPages, h.cfg.MaxPages)}
	prefixes := src.MetadataPrefixes
	if len(prefixes) == 0 {
		prefixes = []string{"oai_dc"}
	}
	old, warning := harvester.Resume[Checkpoint](raw, checkpointVersion, fingerprint(src.URL, prefixes, src.Sets))
	if warning != "" {
		h.log.WarnContext(ctx, warning, "url", weburl.Redact(src.URL))
		r.warnings = append(r.warnings, warning)
	}
	switch {
	case old != nil && !old.Done && !(full && old.From != ""):
		r.cp = old
		r.base = old.Progress
		h.log.InfoContext(ctx, "resuming harvest", "url", weburl.Redact(src.URL), "window", old.Window.String(), "combo", old.Combo)
	default:
		from := ""
		if old != nil && old.Done && !full {
			from = old.NextFrom
		}
		if src.From != "" {
			from = src.From
		}
		if err := r.start(ctx, src, prefixes, from); err != nil {
			return err
		}
	}
	r.setPlan()
	r.resetList()
	return r.loop(ctx, emit)
}

// start begins a run with Identify, which gives the granularity, the earliest datestamp and
// the server's clock.
func (r *run) start(ctx context.Context, src harvester.Source, prefixes []string, from string) error {
	id, date, err := r.c.Identify(ctx)
	if err != nil {
		return err
	}
	if _, err := parseDatestamp(date); err != nil {
		// Without the server's clock the local one has to do; say so, since incremental runs
		// will depend on it.
		r.h.log.WarnContext(ctx, "no usable responseDate, using the local clock", "url", weburl.Redact(src.URL), "responseDate", date)
		date = time.Now().UTC().Format(time.RFC3339)
	}
	g := granularityOf(id.Granularity)
	r.cp = &Checkpoint{
		V: checkpointVersion, URL: src.URL, Prefixes: prefixes, Sets: src.Sets,
		Granularity: string(g), Earliest: id.EarliestDatestamp, ResponseDate: date,
		From: normalize(g, from), Until: normalize(g, src.Until),
	}
	r.h.log.InfoContext(ctx, "harvest starting", "url", weburl.Redact(src.URL), "repository", id.RepositoryName,
		"granularity", id.Granularity, "earliest", id.EarliestDatestamp, "from", r.cp.From, "until", r.cp.Until)
	r.setPlan()
	r.cp.Window = r.plan.first(r.cp.From)
	return nil
}

// normalize writes a datestamp in the repository's granularity (a seconds datestamp for a day
// repository is refused by strict servers).
func normalize(g granularity, s string) string {
	if s == "" {
		return ""
	}
	t, err := parseDatestamp(s)
	if err != nil {
		return s
	}
	return g.format(t)
}

func (r *run) setPlan() {
	cp := r.cp
	g := granularityOf(cp.Granularity)
	hi, _ := parseDatestamp(cp.ResponseDate)
	p := planner{g: g, size: r.h.cfg.Window, hi: hi, openEnd: true}
	if t, err := parseDatestamp(cp.Until); err == nil {
		p.hi, p.openEnd = t, false
	}
	p.lo = p.hi
	if t, err := parseDatestamp(cp.Earliest); err == nil && t.Before(p.hi) {
		p.lo = t
	}
	if t, err := parseDatestamp(cp.From); err == nil && t.Before(p.hi) {
		p.lo = t
	}
	r.plan = p
}

func (r *run) combo() (prefix, set string) {
	cp := r.cp
	sets := cp.Sets
	if len(sets) == 0 {
		sets = []string{""}
	}
	return cp.Prefixes[cp.Combo/len(sets)], sets[cp.Combo%len(sets)]
}

func (r *run) combos() int {
	return len(r.cp.Prefixes) * max(len(r.cp.Sets), 1)
}

// resetList forgets the loop guards when a list starts (again).
func (r *run) resetList() {
	r.tokens, r.prints, r.stale = map[string]bool{}, map[uint64]bool{}, 0
	r.cp.ListStart = r.cp.Progress.Records
}

func (r *run) loop(ctx context.Context, emit harvester.Emit) error {
	cp := r.cp
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		prefix, set := r.combo()
		if cp.Token != "" && cp.Expires != nil && time.Now().Add(cp.Skew).After(*cp.Expires) {
			r.h.log.InfoContext(ctx, "resumption token expired, restarting window", "url", weburl.Redact(cp.URL), "window", cp.Window.String())
			r.restart()
			continue
		}
		args := ListArgs{Prefix: prefix, Set: set, From: cp.Window.From, Until: cp.Window.Until}
		resp, err := r.c.ListRecords(ctx, args, cp.Token)
		if err == nil && cp.Token != "" && resp.hasError(BadResumptionToken) {
			err = protocolErr("ListRecords "+cp.URL, resp)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if harvester.KindOf(err) != harvester.KindTransient {
				return err
			}
			if err := r.failed(ctx, err); err != nil {
				return err
			}
			continue
		}
		if !resp.hasError(NoRecordsMatch) {
			if err := protocolErr(fmt.Sprintf("ListRecords %s %s %s", cp.URL, prefix, cp.Window), resp); err != nil {
				return err
			}
		}
		page, err := r.page(ctx, resp)
		if err != nil {
			return err
		}
		if err := emit(ctx, page); err != nil {
			return err
		}
		if page.Done || r.limit > 0 && r.pages >= r.limit {
			return nil
		}
	}
}

// page takes in one good response, moves the checkpoint past it and builds the page to emit.
func (r *run) page(ctx context.Context, resp *Response) (harvester.Page, error) {
	cp := r.cp
	if t, err := parseDatestamp(resp.ResponseDate); err == nil {
		cp.Skew = time.Until(t).Round(time.Second)
	}
	var next string
	if resp.Token != nil {
		next = resp.Token.Value
	}
	if err := r.guard(resp, next); err != nil {
		return harvester.Page{}, err
	}
	recs := r.dedup(resp.Records)
	if err := r.progressing(len(recs), next); err != nil {
		return harvester.Page{}, err
	}
	g := granularityOf(cp.Granularity)
	for _, rec := range recs {
		cp.Progress.Records++
		if rec.Deleted {
			cp.Progress.Deleted++
		}
		if t, err := parseDatestamp(rec.Datestamp); err == nil {
			if hw, err := parseDatestamp(cp.HighWater); err != nil || t.After(hw) {
				cp.HighWater = g.format(t)
			}
		}
	}
	cp.Progress.Pages++
	r.pages++
	cp.Progress.Quarantined += len(resp.Quarantined)
	for _, q := range resp.Quarantined {
		r.h.log.WarnContext(ctx, "record quarantined", "url", weburl.Redact(cp.URL), "id", q.OriginID, "reason", q.Reason)
	}
	if resp.Token != nil && resp.Token.CompleteListSize >= 0 {
		cp.Progress.Expected = max(cp.Progress.Expected, cp.ListStart+resp.Token.CompleteListSize)
	}
	firstPage := cp.Token == ""
	cp.Token, cp.Expires = next, nil
	if next != "" && resp.Token != nil && !resp.Token.Expires.IsZero() {
		// A token already expired when issued is a server's clock error, not a deadline.
		if rd, err := parseDatestamp(resp.ResponseDate); err != nil || resp.Token.Expires.After(rd) {
			e := resp.Token.Expires
			cp.Expires = &e
		}
	}
	switch {
	case next == "":
		r.advance()
	case firstPage && r.h.cfg.MaxWindowRecords > 0 && resp.Token.CompleteListSize > r.h.cfg.MaxWindowRecords:
		if a, b, ok := r.plan.split(cp.Window); ok {
			r.h.log.InfoContext(ctx, "window too large, halving", "url", weburl.Redact(cp.URL), "window", cp.Window.String(), "size", resp.Token.CompleteListSize)
			cp.Window, cp.Pending = a, append([]window{b}, cp.Pending...)
			cp.Token, cp.Expires = "", nil
			r.resetList()
		}
	}
	c := r.stats.Snapshot()
	cp.Progress.Requests = r.base.Requests + int(c.Requests)
	cp.Progress.Refusals = r.base.Refusals + int(c.Refusals)
	if cp.Done {
		cp.Progress.Expected = max(cp.Progress.Expected, cp.Progress.Records)
		cp.NextFrom = r.nextFrom()
	}
	raw, err := json.Marshal(cp)
	if err != nil {
		return harvester.Page{}, fmt.Errorf("%s: checkpoint: %w", r.op, err)
	}
	if !cp.Done && r.limit > 0 && r.pages >= r.limit {
		msg := fmt.Sprintf("stopped after %d pages, the most one run may fetch (max_pages); the next run goes on from here", r.pages)
		r.h.log.InfoContext(ctx, msg, "url", weburl.Redact(cp.URL))
		r.warnings = append(r.warnings, msg)
	}
	page := harvester.Page{Records: recs, Quarantined: resp.Quarantined, Checkpoint: raw, Progress: cp.Progress, Done: cp.Done, Warnings: r.warnings}
	r.warnings = nil
	return page, nil
}

// guard stops lists that would never end: a token or a page seen before in the same list.
func (r *run) guard(resp *Response, next string) error {
	if next == "" {
		return nil
	}
	if r.tokens[next] {
		return harvester.E(harvester.KindPermanent, r.op, fmt.Errorf("%w: token %q came back", ErrLoop, next))
	}
	r.tokens[next] = true
	if len(resp.Records) == 0 {
		return nil
	}
	f := fnv.New64a()
	for _, rec := range resp.Records {
		f.Write([]byte(rec.OriginID))
		f.Write([]byte(rec.Datestamp))
		f.Write([]byte{0})
	}
	sum := f.Sum64()
	if r.prints[sum] {
		return harvester.E(harvester.KindPermanent, r.op, fmt.Errorf("%w: the same page came twice", ErrLoop))
	}
	r.prints[sum] = true
	return nil
}

// progressing stops a list whose tokens keep coming while its pages bring nothing new: fresh
// tokens over the same records, or over empty pages, would never end.
func (r *run) progressing(fresh int, next string) error {
	if fresh > 0 || next == "" {
		r.stale = 0
		return nil
	}
	if r.stale++; r.stale >= r.h.cfg.MaxStalePages {
		return harvester.E(harvester.KindPermanent, r.op, fmt.Errorf("%w: %d pages in a row with no new record", ErrLoop, r.stale))
	}
	return nil
}

// dedup drops records already emitted in this run (several sets or prefixes, a restarted or
// split window). It keeps 64-bit hashes, not identifiers.
func (r *run) dedup(recs []harvester.Record) []harvester.Record {
	out := recs[:0]
	for _, rec := range recs {
		f := fnv.New64a()
		f.Write([]byte(rec.OriginID))
		k := f.Sum64()
		if _, dup := r.seen[k]; dup {
			continue
		}
		r.seen[k] = struct{}{}
		out = append(out, rec)
	}
	return out
}

// advance moves past a finished list: to a pending half, the next window, the next prefix or
// set, or the end.
func (r *run) advance() {
	cp := r.cp
	cp.Restarts = 0
	defer r.resetList()
	if len(cp.Pending) > 0 {
		cp.Window, cp.Pending = cp.Pending[0], cp.Pending[1:]
		return
	}
	if w, ok := r.plan.next(cp.Window); ok {
		cp.Window = w
		if r.combos() == 1 {
			// Only a restart inside a window can repeat records now.
			clear(r.seen)
		}
		return
	}
	if cp.Combo+1 < r.combos() {
		cp.Combo++
		cp.Window = r.plan.first(cp.From)
		return
	}
	cp.Done = true
}

// restart begins the current window again without its token.
func (r *run) restart() {
	r.cp.Token, r.cp.Expires = "", nil
	r.resetList()
}

// failed handles a window whose list broke (a refused token, a server failing beyond the
// fetch retries): the first time the window restarts; after that it is halved, until it
// cannot be.
func (r *run) failed(ctx context.Context, cause error) error {
	cp := r.cp
	cp.Restarts++
	r.restart()
	if cp.Restarts == 1 {
		r.h.log.WarnContext(ctx, "list failed, restarting window", "url", weburl.Redact(cp.URL), "window", cp.Window.String(), "err", cause)
		return nil
	}
	a, b, ok := r.plan.split(cp.Window)
	if !ok {
		return fmt.Errorf("%s: window %s failed %d times: %w", r.op, cp.Window, cp.Restarts, cause)
	}
	r.h.log.WarnContext(ctx, "list failed again, halving window", "url", weburl.Redact(cp.URL), "window", cp.Window.String(), "err", cause)
	cp.Window, cp.Pending, cp.Restarts = a, append([]window{b}, cp.Pending...), 0
	return nil
}

// nextFrom is where the next incremental run starts: the server's clock when this run began
// (or its until, if earlier), less the overlap, in the repository's granularity.
func (r *run) nextFrom() string {
	cp := r.cp
	g := granularityOf(cp.Granularity)
	t, err := parseDatestamp(cp.ResponseDate)
	if err != nil {
		return cp.HighWater
	}
	if u, err := parseDatestamp(cp.Until); err == nil && u.Before(t) {
		t = u
	}
	return g.format(t.Add(-r.h.cfg.Overlap))
}
