package probe

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/weburl"
)

// ErrUndetected is returned when a URL is none of the things a source can be.
var ErrUndetected = errors.New("not a source Orchard can harvest")

// ErrWrongType is returned when a source's type or web mode does not fit what its URL is.
var ErrWrongType = errors.New("wrong source type")

// Detection is what a URL was found to be, and how to harvest it.
type Detection struct {
	// Given is the URL looked at.
	Given string `json:"given"`
	// What names what it is: "an OAI-PMH repository", "a sitemap", "a sitemap index",
	// "a robots.txt", "a start page".
	What string `json:"what"`
	Type string `json:"type"`
	Mode string `json:"mode,omitempty"` // of a web source
	// URL is the URL to harvest: Given, or what it leads to (the sitemap of a robots.txt, the
	// base URL of an OAI-PMH request).
	URL string `json:"url"`
	// Note says what else was seen, such as sitemaps of a robots.txt left out.
	Note string `json:"note,omitempty"`
}

// Settings names the type (and mode) to use, as in "type web, mode sitemap".
func (d Detection) Settings() string {
	s := "type " + d.Type
	if d.Mode != "" {
		s += ", mode " + d.Mode
	}
	return s
}

// String is the detection in one line.
func (d Detection) String() string {
	s := fmt.Sprintf("%s is %s: %s", weburl.Redact(d.Given), d.What, d.Settings())
	if d.URL != d.Given {
		s += ", URL " + weburl.Redact(d.URL)
	}
	if d.Note != "" {
		s += " (" + d.Note + ")"
	}
	return s
}

// Check says whether a source of type typ and web mode mode fits the detection: an empty
// type or mode fits any, and mode urls names its pages itself.
func (d Detection) Check(typ, mode string) error {
	if typ == "" || (typ == d.Type && (typ != harvester.TypeWeb || mode == "" || mode == site.ModeURLs || mode == d.Mode)) {
		return nil
	}
	got := Detection{Type: typ}
	if typ == harvester.TypeWeb {
		got.Mode = mode
	}
	return fmt.Errorf("%w: %s is %s, which %s cannot harvest: use %s", ErrWrongType, weburl.Redact(d.Given), d.What, got.Settings(), d.Settings())
}

// oaiArgs are the OAI-PMH arguments a request URL may carry beside its base URL.
var oaiArgs = []string{"verb", "metadataPrefix", "set", "from", "until", "identifier", "resumptionToken"}

// baseURL is rawURL without OAI-PMH arguments: the base URL of a request URL.
func baseURL(rawURL string) string {
	u, err := weburl.Parse(rawURL)
	if err != nil || u.RawQuery == "" {
		return rawURL
	}
	q := u.Query()
	for _, a := range oaiArgs {
		q.Del(a)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Detect finds what rawURL is: an OAI-PMH base URL (it answers Identify), a sitemap or sitemap
// index, a robots.txt listing sitemaps, or a start page; and so the source type, web mode and
// URL to harvest it with. It fetches the URL once, and asks Identify only when the answer
// could come from a repository, so that each step is bounded by the harvesters' ProbeTimeout.
func (p *Prober) Detect(ctx context.Context, rawURL string) (Detection, error) {
	rawURL = strings.TrimSpace(rawURL)
	d := Detection{Given: rawURL, URL: rawURL}
	f, err := p.site.Detect(ctx, rawURL)
	if ctx.Err() != nil {
		return d, fmt.Errorf("detect %s: %w", weburl.Redact(rawURL), ctx.Err())
	}
	web := func(what, mode, to string) (Detection, error) {
		d.What, d.Type, d.Mode, d.URL = what, harvester.TypeWeb, mode, to
		return d, nil
	}
	if err == nil {
		switch f.Kind {
		case site.KindSitemap:
			return web("a sitemap", site.ModeSitemap, rawURL)
		case site.KindSitemapIndex:
			return web("a sitemap index", site.ModeSitemap, rawURL)
		case site.KindRobots:
			if len(f.Sitemaps) == 0 {
				home := robotsHome(f.URL)
				d.Note = "it lists no sitemap: crawl from the home page"
				return web("a robots.txt", site.ModeCrawl, home)
			}
			if n := len(f.Sitemaps); n > 1 {
				d.Note = fmt.Sprintf("it lists %d sitemaps; the first is used", n)
			}
			return web("a robots.txt", site.ModeSitemap, f.Sitemaps[0])
		case site.KindPage:
			// A repository may answer a request without a verb with an HTML page; only a URL
			// that says "oai" is worth asking.
			if !strings.Contains(strings.ToLower(rawURL), "oai") {
				return web("a start page", site.ModeCrawl, rawURL)
			}
		}
	}
	// An OAI-PMH response, a failed fetch (a repository may refuse a request without a
	// verb), an HTML page at an OAI-like URL or an unknown answer: ask Identify.
	base := baseURL(rawURL)
	if _, ierr := p.oai.Identify(ctx, base); ierr == nil {
		d.What, d.Type, d.URL = "an OAI-PMH repository", harvester.TypeOAIPMH, base
		return d, nil
	} else if ctx.Err() != nil {
		return d, fmt.Errorf("detect %s: %w", weburl.Redact(rawURL), ctx.Err())
	} else if f.Kind == site.KindPage {
		return web("a start page", site.ModeCrawl, rawURL)
	} else if err == nil {
		return d, fmt.Errorf("detect %s: %w: %v", weburl.Redact(rawURL), ErrUndetected, ierr)
	}
	// The URL could not be read: the fetch error keeps its kind.
	return d, fmt.Errorf("detect %s: %w", weburl.Redact(rawURL), err)
}

// robotsHome is the home page of the host of a robots.txt.
func robotsHome(robotsURL string) string {
	u, err := url.Parse(robotsURL)
	if err != nil {
		return robotsURL
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}).String()
}
