// Package site harvests Open Educational Resources from web sites: pages listed in a sitemap,
// a list of page URLs, or a bounded crawl from a start page. It obeys robots.txt, paces its
// requests per host, asks for changed pages only on incremental runs, reports pages that are
// gone, and reads each page's license signals with where they were found and what they are
// about (the page, the site around it, or a part such as an image).
package site

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/robots"
	"github.com/orchard-oer/orchard/weburl"
)

// Modes of a web source.
const (
	ModeSitemap = "sitemap"
	ModeURLs    = "urls"
	ModeCrawl   = "crawl"
)

// Config sets up a web Harvester. Zero values take the defaults given beside each field.
type Config struct {
	// Client is the HTTP client to use, shared with other harvesters so that a host is paced
	// once per process; its Pace is the least time between two requests to one host. When nil
	// one is made from Fetch, with a pace of 1s unless Fetch says otherwise.
	Client *fetch.Client
	Fetch  fetch.Config

	RobotsAgent string // the name looked up in robots.txt groups: "Orchard"
	MaxBody     int64  // bytes per page or sitemap: 16 MiB, or the client's limit if lower

	PageSize int // web pages per harvester.Page: 50
	// MaxPages is the most web pages a run fetches when its source gives no max_pages. Zero
	// bounds a crawl at 1000 and leaves sitemaps and URL lists unbounded.
	MaxPages    int
	MaxDepth    int // crawl depth when a source gives none: 3
	MaxSitemaps int // sitemap files read per harvest: 1000
	// ProbeTimeout bounds a Probe: harvester.DefaultProbeTimeout.
	ProbeTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.RobotsAgent == "" {
		c.RobotsAgent = "Orchard"
	}
	if c.Fetch.Pace <= 0 {
		c.Fetch.Pace = time.Second
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 16 << 20
	}
	if c.PageSize <= 0 {
		c.PageSize = 50
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 3
	}
	if c.MaxSitemaps <= 0 {
		c.MaxSitemaps = 1000
	}
	return c
}

// Harvester harvests web sources. It is safe for concurrent use; harvests share its HTTP client
// and so its per-host pacing.
type Harvester struct {
	cfg    Config
	log    *slog.Logger
	client *fetch.Client
}

var _ harvester.Harvester = (*Harvester)(nil)

// New builds a Harvester.
func New(cfg Config, log *slog.Logger) *Harvester {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Pacing beyond the client's is asked per request: each source may set its own, and
	// robots.txt may raise it.
	client := cfg.Client
	if client == nil {
		client = fetch.New(cfg.Fetch, log)
	}
	return &Harvester{cfg: cfg, log: log, client: client}
}

// item is one thing left to fetch.
type item struct {
	URL     string `json:"u"`
	Sitemap bool   `json:"s,omitempty"` // a sitemap to read, not a page
	Depth   int    `json:"d,omitempty"` // crawl depth, or sitemap nesting
	Lastmod string `json:"m,omitempty"` // from the sitemap
}

// validator is what a conditional GET needs to ask whether a page changed.
type validator struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lm,omitempty"`
}

// checkpoint is the JSON state that resumes a harvest. While a run is under way it holds the
// queue; once Done it holds only the validators the next incremental run starts from.
type checkpoint struct {
	Version     int    `json:"v"`
	Fingerprint string `json:"fp"` // of the source settings the run was planned under
	Mode        string `json:"mode"`
	Queue       []item `json:"queue,omitempty"`
	// Seen holds URLs already queued, while duplicates can still turn up: during a crawl and
	// while sitemaps remain to be read.
	Seen    []string `json:"seen,omitempty"`
	Fetched int      `json:"fetched,omitempty"` // pages fetched so far
	Pages   int      `json:"pages,omitempty"`   // page URLs queued so far, for the page limit
	// LeftOut is set when the page limit kept pages that the source names from the queue.
	LeftOut  bool `json:"left_out,omitempty"`
	Sitemaps int  `json:"sitemaps,omitempty"` // sitemap files queued so far
	// Unread is set when a sitemap the source names could not be read or was left out, so
	// that the run may miss pages the site still offers.
	Unread bool `json:"unread,omitempty"`
	// Known are the validators of the last complete run: pages to ask conditionally and
	// whose disappearance is a deletion.
	Known map[string]validator `json:"known,omitempty"`
	// Found are the validators gathered in this run.
	Found    map[string]validator `json:"found,omitempty"`
	Progress harvester.Progress   `json:"progress"`
	Done     bool                 `json:"done,omitempty"`
}

// checkpointVersion is the format of checkpoint; version 1 had no fingerprint.
const checkpointVersion = 2

// Stamp implements harvester.Checkpoint.
func (cp *checkpoint) Stamp() (int, string) { return cp.Version, cp.Fingerprint }

// fingerprint condenses the settings that decide what a run queues: a checkpoint planned
// under others would harvest what the source no longer names.
func fingerprint(src harvester.Source) string {
	return harvester.Fingerprint(mode(src), src.URL, strings.Join(src.URLs, "\n"), src.PathPrefix)
}

// run is the state of one harvest.
type run struct {
	h       *Harvester
	src     harvester.Source
	start   *url.URL
	cp      checkpoint
	seen    map[string]bool
	robots  map[string]*robots.Rules // by scheme://host
	stats   fetch.Stats
	pace    time.Duration
	page    harvester.Page
	pending int // web pages handled since the last emitted page
	emit    harvester.Emit
	// warnings go with the next page emitted.
	warnings []string
}

// Harvest reads src page by page; see harvester.Harvester.
func (h *Harvester) Harvest(ctx context.Context, src harvester.Source, cpRaw json.RawMessage, full bool, emit harvester.Emit) error {
	start, err := weburl.Parse(src.URL)
	if err != nil {
		if src.Mode != ModeURLs || len(src.URLs) == 0 {
			return harvester.E(harvester.KindInvalid, "harvest "+src.URL, err)
		}
		start = nil
	}
	r := &run{h: h, src: src, start: start, robots: map[string]*robots.Rules{}, emit: emit, seen: map[string]bool{}}
	r.pace = max(h.client.Pace(), src.Pace)
	fp := fingerprint(src)
	prev, warning := harvester.Resume[checkpoint](cpRaw, checkpointVersion, fp)
	if warning != "" {
		h.log.WarnContext(ctx, warning, "url", weburl.Redact(src.URL))
		r.warnings = append(r.warnings, warning)
	}
	switch {
	case prev != nil && !prev.Done:
		r.cp = *prev // resume a run that stopped halfway
		for _, u := range prev.Seen {
			r.seen[u] = true
		}
	default:
		r.cp = checkpoint{Version: checkpointVersion, Fingerprint: fp, Mode: mode(src)}
		if prev != nil && !full {
			r.cp.Known = prev.Known
		}
		if err := r.plan(); err != nil {
			return err
		}
	}
	if r.cp.Found == nil {
		r.cp.Found = map[string]validator{}
	}
	return r.loop(ctx)
}

// mode is the source's mode, guessing from its URL when none is given.
func mode(src harvester.Source) string {
	switch {
	case src.Mode != "":
		return src.Mode
	case len(src.URLs) > 0:
		return ModeURLs
	case looksLikeSitemap(src.URL):
		return ModeSitemap
	}
	return ModeCrawl
}

func looksLikeSitemap(u string) bool {
	p, err := weburl.Parse(u)
	if err != nil {
		return false
	}
	base := strings.ToLower(path.Base(p.Path))
	return strings.HasSuffix(base, ".xml") || strings.HasSuffix(base, ".xml.gz") || strings.Contains(base, "sitemap")
}

// plan fills the queue of a fresh run.
func (r *run) plan() error {
	switch r.cp.Mode {
	case ModeSitemap:
		r.enqueue(item{URL: r.src.URL, Sitemap: true})
	case ModeURLs:
		for _, u := range r.src.URLs {
			r.enqueue(item{URL: strings.TrimSpace(u)})
		}
	case ModeCrawl:
		r.enqueue(item{URL: stripFragment(r.src.URL)})
	default:
		return harvester.E(harvester.KindInvalid, "harvest "+r.src.URL, fmt.Errorf("unknown web mode %q", r.cp.Mode))
	}
	return nil
}

// enqueue queues it unless it was queued before, or it is a page and the run's page limit
// is reached: every mode queues pages here, so the limit holds for all.
func (r *run) enqueue(it item) {
	key := it.URL
	if it.Sitemap {
		key = "sitemap " + key
	}
	if it.URL == "" || r.seen[key] {
		return
	}
	if !it.Sitemap {
		if r.full() {
			r.cp.LeftOut = true
			return
		}
		r.cp.Pages++
	}
	r.seen[key] = true
	r.cp.Seen = append(r.cp.Seen, key)
	r.cp.Queue = append(r.cp.Queue, it)
}

// defaultCrawlPages bounds a crawl whose source and harvester give no page limit.
const defaultCrawlPages = 1000

// maxPages is the run's page limit; zero for none.
func (r *run) maxPages() int {
	limit := cmp.Or(r.src.MaxPages, r.h.cfg.MaxPages)
	if r.cp.Mode == ModeCrawl {
		limit = cmp.Or(limit, defaultCrawlPages)
	}
	return limit
}

// full reports whether the run has queued as many pages as it may fetch.
func (r *run) full() bool {
	limit := r.maxPages()
	return limit > 0 && r.cp.Pages >= limit
}

func (r *run) loop(ctx context.Context) error {
	for len(r.cp.Queue) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		it := r.cp.Queue[0]
		r.cp.Queue = r.cp.Queue[1:]
		var err error
		if it.Sitemap {
			err = r.sitemap(ctx, it)
		} else {
			err = r.webPage(ctx, it)
			r.pending++
		}
		if err != nil {
			return err
		}
		if r.pending >= r.h.cfg.PageSize && len(r.cp.Queue) > 0 {
			if err := r.flush(ctx, false); err != nil {
				return err
			}
		}
	}
	return r.flush(ctx, true)
}

// flush emits the records gathered so far with the checkpoint that resumes after them.
func (r *run) flush(ctx context.Context, done bool) error {
	r.pending = 0
	c := r.stats.Snapshot()
	r.cp.Progress.Requests += int(c.Requests)
	r.cp.Progress.Refusals += int(c.Refusals)
	r.stats.Requests.Store(0)
	r.stats.Refusals.Store(0)
	r.cp.Progress.Pages++
	p := r.page
	p.Progress = r.cp.Progress
	p.Done = done
	p.Sweep = done && !r.cp.LeftOut && !r.cp.Unread
	p.Warnings, r.warnings = r.warnings, nil
	cp := r.cp
	if done && r.cp.LeftOut {
		msg := fmt.Sprintf("stopped at %d pages, the most one run may fetch (max_pages); the source names more", r.maxPages())
		r.h.log.InfoContext(ctx, msg, "url", weburl.Redact(r.src.URL))
		p.Warnings = append(p.Warnings, msg)
	}
	if done {
		cp = checkpoint{Version: checkpointVersion, Fingerprint: r.cp.Fingerprint, Mode: r.cp.Mode, Known: r.cp.Found, Progress: r.cp.Progress, Done: true}
	} else if !slices.ContainsFunc(cp.Queue, func(it item) bool { return it.Sitemap }) && cp.Mode != ModeCrawl {
		cp.Seen = nil // no duplicate can turn up any more
	}
	raw, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("write checkpoint of %s: %w", r.src.URL, err)
	}
	p.Checkpoint = raw
	r.page = harvester.Page{}
	return r.emit(ctx, p)
}

// robotsFor returns the robots.txt rules of u's host, reading them once per run. A crawl
// delay longer than the pace slows the run down.
func (r *run) robotsFor(ctx context.Context, u *url.URL) (*robots.Rules, error) {
	key := u.Scheme + "://" + u.Host
	if rb, ok := r.robots[key]; ok {
		return rb, nil
	}
	rb, err := r.h.fetchRobots(ctx, u, r.pace, &r.stats)
	if err != nil {
		return nil, err
	}
	if rb.CrawlDelay > r.pace {
		r.h.log.InfoContext(ctx, "robots.txt crawl delay slows the harvest", "host", u.Host, "delay", rb.CrawlDelay)
		r.pace = min(rb.CrawlDelay, time.Minute)
	}
	r.robots[key] = rb
	return rb, nil
}

// allowed checks robots.txt for a URL; a refused URL is logged and skipped.
func (r *run) allowed(ctx context.Context, raw string) (*url.URL, bool, error) {
	u, err := weburl.Parse(raw)
	if err != nil {
		r.quarantine(raw, "not an absolute http(s) URL")
		return nil, false, nil
	}
	rb, err := r.robotsFor(ctx, u)
	if err != nil {
		return nil, false, err
	}
	if !rb.Allowed(u) {
		r.h.log.InfoContext(ctx, "robots.txt disallows", "url", weburl.Redact(raw))
		return u, false, nil
	}
	return u, true, nil
}

func (r *run) quarantine(originID, reason string) {
	r.page.Quarantined = append(r.page.Quarantined, harvester.Quarantine{OriginID: originID, Reason: reason})
	r.cp.Progress.Quarantined++
}

// sitemap reads one sitemap file: child sitemaps go to the front of the queue, pages to the
// back. A sitemap that cannot be read is reported and the harvest goes on, unless it is the
// one the source names.
func (r *run) sitemap(ctx context.Context, it item) error {
	if r.full() {
		// Its pages could not be queued: reading it would cost a request and its size in
		// memory for nothing.
		r.cp.LeftOut = true
		return nil
	}
	_, ok, err := r.allowed(ctx, it.URL)
	if err != nil || !ok {
		return err
	}
	resp, err := r.h.client.Do(ctx, fetch.Request{URL: it.URL, Pace: r.pace, Stats: &r.stats, MaxBody: r.h.cfg.MaxBody})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		if it.Depth == 0 {
			return fmt.Errorf("read sitemap: %w", err)
		}
		r.quarantine(it.URL, err.Error())
		r.cp.Unread = true
		return nil
	}
	sm, err := ParseSitemap(resp.Body)
	if err != nil {
		if it.Depth == 0 {
			return harvester.E(harvester.KindPermanent, "read sitemap "+it.URL, err)
		}
		r.quarantine(it.URL, err.Error())
		r.cp.Unread = true
		return nil
	}
	var children []item
	for _, s := range sm.Sitemaps {
		if it.Depth >= 4 || r.cp.Sitemaps >= r.h.cfg.MaxSitemaps {
			r.cp.Unread = true
		}
		if it.Depth < 4 && r.cp.Sitemaps < r.h.cfg.MaxSitemaps {
			key := "sitemap " + s.Loc
			if !r.seen[key] {
				r.seen[key] = true
				r.cp.Seen = append(r.cp.Seen, key)
				r.cp.Sitemaps++
				children = append(children, item{URL: s.Loc, Sitemap: true, Depth: it.Depth + 1})
			}
		}
	}
	r.cp.Queue = append(children, r.cp.Queue...)
	for _, e := range sm.URLs {
		before := len(r.cp.Queue)
		r.enqueue(item{URL: e.Loc, Lastmod: e.Lastmod})
		r.cp.Progress.Expected += len(r.cp.Queue) - before
	}
	return nil
}

// pageStatuses are answered by a page fetch without being errors.
var pageStatuses = []int{http.StatusNotModified, http.StatusNotFound, http.StatusGone}

// webPage fetches and reads one page.
func (r *run) webPage(ctx context.Context, it item) error {
	if _, ok, err := r.allowed(ctx, it.URL); err != nil || !ok {
		return err
	}
	known, isKnown := r.cp.Known[it.URL]
	h := http.Header{"Accept": {"text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}}
	if isKnown {
		if known.ETag != "" {
			h.Set("If-None-Match", known.ETag)
		}
		if known.LastModified != "" {
			h.Set("If-Modified-Since", known.LastModified)
		}
	}
	r.cp.Fetched++
	resp, err := r.h.client.Do(ctx, fetch.Request{URL: it.URL, Header: h, Pass: pageStatuses, Pace: r.pace, Stats: &r.stats, MaxBody: r.h.cfg.MaxBody})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		if isKnown {
			r.cp.Found[it.URL] = known // a failure is not a deletion; ask again next time
		}
		r.quarantine(it.URL, err.Error())
		return nil
	}
	switch resp.StatusCode {
	case http.StatusNotModified:
		r.cp.Found[it.URL] = known
		return nil
	case http.StatusNotFound, http.StatusGone:
		if isKnown {
			r.page.Records = append(r.page.Records, harvester.Record{OriginID: it.URL, Deleted: true})
			r.cp.Progress.Deleted++
			return nil
		}
		r.quarantine(it.URL, fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
		return nil
	}
	ct := resp.Header.Get("Content-Type")
	if !isHTML(ct, resp.Body) {
		r.h.log.DebugContext(ctx, "not an HTML page", "url", weburl.Redact(it.URL), "content_type", ct)
		return nil
	}
	p, err := extract(resp.URL, resp.Body, ct)
	if err != nil {
		r.quarantine(it.URL, err.Error())
		return nil
	}
	rec := p.Record
	rec.OriginID = it.URL
	if rec.URL == "" {
		rec.URL = resp.URL
	}
	rec.Datestamp = datestamp(resp.Header.Get("Last-Modified"), it.Lastmod)
	r.page.Records = append(r.page.Records, rec)
	r.cp.Progress.Records++
	r.cp.Found[it.URL] = validator{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if r.cp.Mode == ModeCrawl {
		r.follow(resp.URL, it.Depth, p.Links)
	}
	return nil
}

// follow queues the links of a crawled page that stay on the start host, under the path
// prefix, within the depth and page limits.
func (r *run) follow(final string, depth int, links []string) {
	maxDepth := r.src.MaxDepth
	if maxDepth <= 0 {
		maxDepth = r.h.cfg.MaxDepth
	}
	if depth >= maxDepth || r.start == nil {
		return
	}
	if fu, err := weburl.Parse(final); err == nil && !strings.EqualFold(fu.Host, r.start.Host) {
		return // redirected off the site: its links are not the site's
	}
	prefix := r.src.PathPrefix
	for _, l := range links {
		if r.full() {
			r.cp.LeftOut = true
			return
		}
		lu, err := weburl.Parse(l)
		if err != nil || !strings.EqualFold(lu.Host, r.start.Host) {
			continue
		}
		if prefix != "" && !strings.HasPrefix(lu.Path, prefix) {
			continue
		}
		r.enqueue(item{URL: l, Depth: depth + 1})
	}
}

// isHTML checks a response's media type, sniffing the body when the server sent none.
func isHTML(contentType string, body []byte) bool {
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return slices.Contains(HTMLTypes, mt)
}

// datestamp is the page's last change: the Last-Modified header, else the sitemap's lastmod,
// as ISO 8601.
func datestamp(lastModified, lastmod string) string {
	if t, err := http.ParseTime(lastModified); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return lastmod
}

func stripFragment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

// fetchRobots reads the robots.txt of u's host for this harvester's agent and body limit.
func (h *Harvester) fetchRobots(ctx context.Context, u *url.URL, pace time.Duration, stats *fetch.Stats) (*robots.Rules, error) {
	return robots.Fetch(ctx, h.client, u, robots.Request{Agent: h.cfg.RobotsAgent, Pace: pace, Stats: stats, MaxBody: h.cfg.MaxBody})
}
