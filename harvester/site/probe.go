package site

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/weburl"
)

// probeSamples is how many pages a probe reads.
const probeSamples = 3

// ProbeReport says what a harvest of a URL would find, before any is run.
type ProbeReport struct {
	URL    string
	Robots RobotsReport
	// Sitemaps lists the sitemaps found: named by robots.txt, the URL itself, or the usual
	// /sitemap.xml.
	Sitemaps []SitemapReport
	// SitemapSize counts the page URLs of all sitemaps read (nested ones included, up to a
	// bound).
	SitemapSize int
	Samples     []ProbeSample
	// TimedOut names what had no answer when the probe's time was up: robots.txt, sitemaps,
	// pages.
	TimedOut []string `json:",omitempty"`
}

// RobotsReport is the robots.txt verdict for the probed URL.
type RobotsReport struct {
	URL        string
	Status     int // 0 when robots.txt could not be fetched
	Allowed    bool
	CrawlDelay time.Duration
	Error      string `json:",omitempty"`
}

// SitemapReport is one sitemap read by a probe.
type SitemapReport struct {
	URL      string
	From     string // "robots.txt", "url", "default" or the index that listed it
	Index    bool
	URLs     int
	Sitemaps int
	Error    string `json:",omitempty"`
}

// ProbeSample is one page read by a probe, with its license signals.
type ProbeSample struct {
	URL         string
	Status      int
	ContentType string
	Title       string
	Rights      []harvester.Rights
	Error       string `json:",omitempty"`
}

// probeSitemapFiles bounds how many sitemap files a probe reads.
const probeSitemapFiles = 20

// Probe reads robots.txt, the sitemaps and a few pages of rawURL, and reports what it found.
// Failures of single steps are part of the report; only an unusable URL, or a caller gone, is
// an error. It answers within Config.ProbeTimeout: what had no answer by then is named in
// TimedOut.
func (h *Harvester) Probe(parent context.Context, rawURL string) (*ProbeReport, error) {
	u, err := weburl.Parse(rawURL)
	if err != nil {
		return nil, harvester.E(harvester.KindInvalid, "probe "+weburl.Redact(rawURL), err)
	}
	ctx, cancel := harvester.ProbeContext(parent, h.cfg.ProbeTimeout)
	defer cancel()
	rep := &ProbeReport{URL: weburl.Redact(rawURL)}
	// timedOut records a step cut off by the probe's bound.
	timedOut := func(what string) bool {
		if !harvester.TimedOut(ctx) {
			return false
		}
		rep.TimedOut = append(rep.TimedOut, weburl.Redact(what))
		return true
	}
	pace := h.client.Pace()
	var stats fetch.Stats
	rb, err := h.fetchRobots(ctx, u, pace, &stats)
	if err != nil {
		if parent.Err() != nil {
			return nil, err
		}
		timedOut("robots.txt")
		rep.Robots = RobotsReport{Error: err.Error(), Allowed: true}
	} else {
		rep.Robots = RobotsReport{URL: weburl.Redact(rb.URL), Status: rb.Status, Allowed: rb.Allowed(u), CrawlDelay: rb.CrawlDelay}
		pace = max(pace, min(rb.CrawlDelay, time.Minute))
	}

	type candidate struct{ url, from string }
	var queue []candidate
	if rb != nil {
		for _, s := range rb.Sitemaps {
			queue = append(queue, candidate{s, "robots.txt"})
		}
	}
	if looksLikeSitemap(rawURL) {
		queue = append(queue, candidate{rawURL, "url"})
	}
	if len(queue) == 0 {
		queue = append(queue, candidate{(&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/sitemap.xml"}).String(), "default"})
	}
	var pages []string
	seen := map[string]bool{}
	for len(queue) > 0 && len(rep.Sitemaps) < probeSitemapFiles {
		c := queue[0]
		queue = queue[1:]
		if seen[c.url] {
			continue
		}
		seen[c.url] = true
		sr := SitemapReport{URL: weburl.Redact(c.url), From: weburl.Redact(c.from)}
		resp, err := h.client.Do(ctx, fetch.Request{URL: c.url, Pace: pace, Stats: &stats, MaxBody: h.cfg.MaxBody})
		var sm *Sitemap
		if err == nil {
			sm, err = ParseSitemap(resp.Body)
		}
		if err != nil {
			if parent.Err() != nil {
				return nil, parent.Err()
			}
			if timedOut(c.url) {
				break
			}
			if c.from != "default" { // a missing /sitemap.xml is no news
				sr.Error = err.Error()
				rep.Sitemaps = append(rep.Sitemaps, sr)
			}
			continue
		}
		sr.Index, sr.URLs, sr.Sitemaps = sm.Index, len(sm.URLs), len(sm.Sitemaps)
		rep.Sitemaps = append(rep.Sitemaps, sr)
		rep.SitemapSize += len(sm.URLs)
		for _, s := range sm.Sitemaps {
			queue = append(queue, candidate{s.Loc, c.url})
		}
		for _, e := range sm.URLs {
			if pu, err := weburl.Parse(e.Loc); err == nil && len(pages) < probeSamples && (rb == nil || rb.Allowed(pu)) {
				pages = append(pages, e.Loc)
			}
		}
	}
	if len(pages) == 0 && !looksLikeSitemap(rawURL) {
		pages = append(pages, rawURL)
	}
	for _, p := range pages {
		s := h.probePage(ctx, p, pace, &stats)
		if s.Error != "" && timedOut(p) {
			s.Error = "no answer in time"
		}
		rep.Samples = append(rep.Samples, s)
	}
	if err := parent.Err(); err != nil {
		return nil, err
	}
	return rep, nil
}

func (h *Harvester) probePage(ctx context.Context, pageURL string, pace time.Duration, stats *fetch.Stats) ProbeSample {
	s := ProbeSample{URL: weburl.Redact(pageURL)}
	resp, err := h.client.Do(ctx, fetch.Request{URL: pageURL, Pace: pace, Stats: stats, MaxBody: h.cfg.MaxBody})
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.Status, s.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	if !isHTML(s.ContentType, resp.Body) {
		s.Error = "not an HTML page"
		return s
	}
	r, err := Extract(resp.URL, resp.Body, s.ContentType)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	if len(r.Titles) > 0 {
		s.Title = r.Titles[0]
	}
	s.Rights = r.Rights
	return s
}

// WriteText prints the report for people.
func (r *ProbeReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "URL:        %s\n", r.URL)
	rb := r.Robots
	switch {
	case rb.Error != "":
		fmt.Fprintf(&b, "robots.txt: unreadable (%s)\n", rb.Error)
	default:
		verdict := "allowed"
		if !rb.Allowed {
			verdict = "DISALLOWED"
		}
		fmt.Fprintf(&b, "robots.txt: %s (HTTP %d), this URL %s", rb.URL, rb.Status, verdict)
		if rb.CrawlDelay > 0 {
			fmt.Fprintf(&b, ", crawl delay %s", rb.CrawlDelay)
		}
		b.WriteString("\n")
	}
	if len(r.Sitemaps) == 0 {
		b.WriteString("sitemaps:   none found\n")
	} else {
		fmt.Fprintf(&b, "sitemaps:   %d read, %d page URLs\n", len(r.Sitemaps), r.SitemapSize)
		for _, s := range r.Sitemaps {
			switch {
			case s.Error != "":
				fmt.Fprintf(&b, "  %s (from %s): %s\n", s.URL, s.From, s.Error)
			case s.Index:
				fmt.Fprintf(&b, "  %s (from %s): index of %d sitemaps\n", s.URL, s.From, s.Sitemaps)
			default:
				fmt.Fprintf(&b, "  %s (from %s): %d URLs\n", s.URL, s.From, s.URLs)
			}
		}
	}
	if len(r.TimedOut) > 0 {
		fmt.Fprintf(&b, "no answer in time: %s\n", strings.Join(r.TimedOut, ", "))
	}
	for _, s := range r.Samples {
		fmt.Fprintf(&b, "page:       %s\n", s.URL)
		if s.Error != "" {
			fmt.Fprintf(&b, "  error: %s\n", s.Error)
			continue
		}
		fmt.Fprintf(&b, "  title: %s\n", s.Title)
		if len(s.Rights) == 0 {
			b.WriteString("  no license signal\n")
		}
		for _, rt := range s.Rights {
			fmt.Fprintf(&b, "  %s\n", rightsString(rt))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
