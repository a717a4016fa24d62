// Package robots reads a host's robots.txt through the shared fetch client, for every part of
// Orchard that visits web pages on its own initiative: the site harvester, its probe and the
// link checker.
package robots

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/orchard-oer/orchard/harvester/fetch"
)

// Rules is what a host's robots.txt says to one user agent.
type Rules struct {
	URL        string
	Status     int // HTTP status of robots.txt; 0 when it could not be fetched
	group      *robotstxt.Group
	Sitemaps   []string
	CrawlDelay time.Duration
}

// Allowed reports whether the path of u may be fetched.
func (r *Rules) Allowed(u *url.URL) bool {
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

// Parse reads a robots.txt answer for agent. Following the usual rules, a 4xx answer allows
// everything and a 5xx answer disallows everything.
func Parse(status int, body []byte, agent string) *Rules {
	r := &Rules{Status: status}
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

// pass are the statuses of robots.txt that are answers, not failures.
var pass = []int{400, 401, 403, 404, 405, 406, 410, 451}

// Request says how to fetch a robots.txt: pace, stats and body limit as for the fetch client.
type Request struct {
	Agent   string // the name looked up in robots.txt groups
	Pace    time.Duration
	Stats   *fetch.Stats
	MaxBody int64
	Public  bool // as fetch.Request.Public
}

// Fetch fetches and reads the robots.txt of u's host. A server that keeps failing (5xx after
// retries) yields an error: visiting a host whose rules cannot be read would be impolite.
func Fetch(ctx context.Context, c *fetch.Client, u *url.URL, req Request) (*Rules, error) {
	ru := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}).String()
	resp, err := c.Do(ctx, fetch.Request{URL: ru, Pass: pass, Pace: req.Pace, Stats: req.Stats, MaxBody: req.MaxBody, Public: req.Public})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && se.Code >= 400 && se.Code < 500 {
			r := Parse(se.Code, nil, req.Agent)
			r.URL = ru
			return r, nil
		}
		// The fetch error keeps its kind: a 5xx after retries is transient, a refused
		// address permanent.
		return nil, fmt.Errorf("read robots.txt %s: %w", ru, err)
	}
	r := Parse(resp.StatusCode, resp.Body, req.Agent)
	r.URL = ru
	return r, nil
}
