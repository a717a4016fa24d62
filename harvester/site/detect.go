package site

import (
	"bytes"
	"context"
	"encoding/xml"
	"path"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/robots"
	"github.com/orchard-oer/orchard/weburl"
)

// What a URL holds, as Detect reads it.
const (
	KindSitemap      = "sitemap"
	KindSitemapIndex = "sitemap index"
	KindRobots       = "robots.txt"
	KindPage         = "start page"
	// KindOAIPMH is an OAI-PMH response: what a base URL answers without a verb.
	KindOAIPMH = "OAI-PMH response"
)

// Found is what Detect read at a URL.
type Found struct {
	// Kind is one of the Kind constants, or "" when the answer is none of them.
	Kind string
	// URL is where the answer came from, after redirects.
	URL string
	// Sitemaps are the sitemaps a robots.txt lists.
	Sitemaps []string
	// Entries counts the page URLs of a sitemap or the sitemaps of an index.
	Entries int
}

// Detect fetches rawURL once and says what it holds: a sitemap or sitemap index (gzipped or
// not), a robots.txt, an HTML page or an OAI-PMH response. It answers within
// Config.ProbeTimeout; only a failed fetch is an error.
func (h *Harvester) Detect(parent context.Context, rawURL string) (Found, error) {
	ctx, cancel := harvester.ProbeContext(parent, h.cfg.ProbeTimeout)
	defer cancel()
	resp, err := h.client.Do(ctx, fetch.Request{URL: rawURL, MaxBody: h.cfg.MaxBody})
	if err != nil {
		return Found{}, err
	}
	f := Found{URL: resp.URL}
	body := resp.Body
	switch {
	case isRobotsURL(resp.URL):
		f.Kind = KindRobots
		f.Sitemaps = robots.Parse(resp.StatusCode, body, h.cfg.RobotsAgent).Sitemaps
	case isHTML(resp.Header.Get("Content-Type"), body) || isHTML("", body):
		f.Kind = KindPage
	case xmlRoot(body) == "OAI-PMH":
		f.Kind = KindOAIPMH
	default:
		// ParseSitemap gunzips and also reads plain-text lists of URLs.
		sm, err := ParseSitemap(body)
		switch {
		case err != nil:
		case sm.Index && len(sm.Sitemaps) > 0:
			f.Kind, f.Entries = KindSitemapIndex, len(sm.Sitemaps)
		case len(sm.URLs) > 0:
			f.Kind, f.Entries = KindSitemap, len(sm.URLs)
		}
	}
	return f, nil
}

func isRobotsURL(u string) bool {
	p, err := weburl.Parse(u)
	return err == nil && strings.EqualFold(path.Clean("/"+p.Path), "/robots.txt")
}

// xmlRoot is the local name of an XML document's root element, "" when body is not XML.
func xmlRoot(body []byte) string {
	trimmed := bytes.TrimLeft(body, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) == 0 || trimmed[0] != '<' {
		return ""
	}
	d := xml.NewDecoder(bytes.NewReader(trimmed))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}
