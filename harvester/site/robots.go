package site

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/orchard-oer/orchard/harvester/fetch"
)

// robots is what a host's robots.txt says to Orchard.
type robots struct {
	URL        string
	Status     int // HTTP status of robots.txt; 0 when it could not be fetched
	group      *robotstxt.Group
	Sitemaps   []string
	CrawlDelay time.Duration
}

// Allowed reports whether the path of u may be fetched.
func (r *robots) Allowed(u *url.URL) bool {
	if r == nil || r.group == nil {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return r.group.Test(p)
}

// parseRobots reads a robots.txt answer for agent. Following the usual rules, a 4xx answer
// allows everything and a 5xx answer disallows everything.
func parseRobots(status int, body []byte, agent string) *robots {
	r := &robots{Status: status}
	data, err := robotstxt.FromStatusAndBytes(status, body)
	if err != nil {
		// Unparsable robots.txt: behave as if there were none.
		return r
	}
	r.group = data.FindGroup(agent)
	r.Sitemaps = data.Sitemaps
	if r.group != nil {
		r.CrawlDelay = r.group.CrawlDelay
	}
	return r
}

// robotsPass are the statuses of robots.txt that are answers, not failures.
var robotsPass = []int{400, 401, 403, 404, 405, 406, 410, 451}

// fetchRobots fetches and reads the robots.txt of u's host. A server that keeps failing
// (5xx after retries) yields an error: harvesting a host whose rules cannot be read would be
// impolite.
func (h *Harvester) fetchRobots(ctx context.Context, u *url.URL, pace time.Duration, stats *fetch.Stats) (*robots, error) {
	ru := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}).String()
	resp, err := h.client.Do(ctx, fetch.Request{URL: ru, Pass: robotsPass, Pace: pace, Stats: stats, MaxBody: h.cfg.MaxBody})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && se.Code >= 400 && se.Code < 500 {
			r := parseRobots(se.Code, nil, h.cfg.RobotsAgent)
			r.URL = ru
			return r, nil
		}
		// The fetch error keeps its kind: a 5xx after retries is transient, a refused
		// address permanent.
		return nil, fmt.Errorf("read robots.txt %s: %w", ru, err)
	}
	r := parseRobots(resp.StatusCode, resp.Body, h.cfg.RobotsAgent)
	r.URL = ru
	return r, nil
}
