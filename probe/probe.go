// Package probe looks at a source before it is added: what an OAI-PMH repository or a web
// site offers, and how the licenses of a few samples read. The CLI, the API and the pages all
// probe through Prober.
package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/weburl"
)

// Any is the source type that probes as OAI-PMH first and as a web site when that fails.
const Any = ""

// ErrUnknownType is returned for a source type that cannot be probed.
var ErrUnknownType = errors.New("unknown source type")

// Report is what a probe found, in the form pages, the API and the CLI show.
type Report struct {
	Type string `json:"type"`
	URL  string `json:"url"`
	// OK says a harvest looks possible.
	OK bool `json:"ok"`
	// Verdict is one line; Summary the harvester's own plain-text report.
	Verdict string   `json:"verdict"`
	Summary string   `json:"summary"`
	Samples []Sample `json:"samples"`
	// Report is the harvester's structured report.
	Report any `json:"report"`
	// Fallback says why an OAI-PMH probe of a source of type Any failed, when it was then
	// probed as a web site.
	Fallback string `json:"fallback,omitempty"`
}

// Sample is one sample record and how Orchard reads its license.
type Sample struct {
	ID      string             `json:"id"` // OAI identifier or page URL
	Title   string             `json:"title"`
	Rights  []harvester.Rights `json:"rights"`
	License string             `json:"license"` // id, "" when unknown
	Label   string             `json:"label"`
	Status  catalog.Status     `json:"status"`
	// Openness is the narrowest openness choice that shows the sample; Standing says in words
	// how far it may be reused, as pages and the CLI show it.
	Openness string   `json:"openness"`
	Standing string   `json:"standing"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// NewSample reads a sample's rights statements the way the normalizer will.
func NewSample(id, title string, rights []harvester.Rights) Sample {
	l, warnings := normalizer.License(rights)
	if rights == nil {
		rights = []harvester.Rights{}
	}
	return Sample{ID: id, Title: title, Rights: rights, License: l.ID, Label: l.Label,
		Status: l.Status(), Openness: l.Openness(), Standing: normalizer.Standing(l), Warnings: warnings}
}

// Prober probes sources with the process's own harvesters, so that a probe of a host being
// harvested shares its pacing.
type Prober struct {
	oai  *oaipmh.Harvester
	site *site.Harvester
}

// New makes a prober of the two harvesters.
func New(oai *oaipmh.Harvester, site *site.Harvester) *Prober {
	return &Prober{oai: oai, site: site}
}

// Probe looks at url as a source of type typ (harvester.TypeOAIPMH, harvester.TypeWeb or
// Any). Only a URL that cannot be probed at all is an error; what a probe finds wrong is part
// of the report.
func (p *Prober) Probe(ctx context.Context, typ, url string) (Report, error) {
	switch typ {
	case harvester.TypeOAIPMH:
		return p.repository(ctx, url)
	case harvester.TypeWeb:
		return p.website(ctx, url)
	case Any:
		rep, err := p.repository(ctx, url)
		// A URL that left Identify unanswered for the whole bound is not tried again as a
		// website, so that a probe answers within its bound.
		if err == nil || ctx.Err() != nil || errors.Is(err, harvester.ErrNoAnswer) {
			return rep, err
		}
		rep, werr := p.website(ctx, url)
		rep.Fallback = fmt.Sprintf("not an OAI-PMH repository (%v)", err)
		return rep, werr
	}
	return Report{}, fmt.Errorf("%w %q: must be %s or %s", ErrUnknownType, typ, harvester.TypeOAIPMH, harvester.TypeWeb)
}

// newReport starts a report from a harvester's own, whose text becomes the summary.
func newReport(typ, url string, rep interface{ WriteText(io.Writer) error }) Report {
	var sb strings.Builder
	_ = rep.WriteText(&sb)
	return Report{Type: typ, URL: weburl.Redact(url), Summary: sb.String(), Report: rep, Samples: []Sample{}}
}

// noAnswer names what a probe had no answer for in its time, for a verdict.
func noAnswer(timedOut []string) string {
	if len(timedOut) == 0 {
		return ""
	}
	return " No answer in time: " + strings.Join(timedOut, ", ") + "."
}

func (p *Prober) website(ctx context.Context, url string) (Report, error) {
	rep, err := p.site.Probe(ctx, url)
	if err != nil {
		return Report{Type: harvester.TypeWeb, URL: weburl.Redact(url)}, err
	}
	out := newReport(harvester.TypeWeb, url, rep)
	ok := 0
	for _, sm := range rep.Samples {
		ps := NewSample(sm.URL, sm.Title, sm.Rights)
		ps.Error = sm.Error
		if sm.Error == "" {
			ok++
		}
		out.Samples = append(out.Samples, ps)
	}
	out.OK = rep.Robots.Allowed && ok > 0
	switch {
	case !rep.Robots.Allowed:
		out.Verdict = "robots.txt does not allow Orchard to harvest this URL."
	case ok == 0:
		out.Verdict = "No page could be read."
	case rep.SitemapSize > 0:
		out.Verdict = fmt.Sprintf("Harvestable: robots.txt allows it and the sitemaps list %d pages.", rep.SitemapSize)
	default:
		out.Verdict = "Harvestable by crawling: robots.txt allows it; no sitemap was found."
	}
	out.Verdict += noAnswer(rep.TimedOut)
	return out, nil
}

func (p *Prober) repository(ctx context.Context, url string) (Report, error) {
	rep, err := p.oai.Probe(ctx, url)
	if err != nil {
		return Report{Type: harvester.TypeOAIPMH, URL: weburl.Redact(url)}, err
	}
	out := newReport(harvester.TypeOAIPMH, url, rep)
	out.OK = true
	for _, r := range rep.Samples {
		title := ""
		if len(r.Titles) > 0 {
			title = r.Titles[0]
		}
		out.Samples = append(out.Samples, NewSample(r.OriginID, title, r.Rights))
	}
	name := "the repository"
	if rep.Identify != nil && rep.Identify.RepositoryName != "" {
		name = rep.Identify.RepositoryName
	}
	out.Verdict = fmt.Sprintf("OAI-PMH endpoint of %s answers Identify.", name)
	if len(rep.Problems) > 0 {
		out.Verdict += " Problems: " + strings.Join(rep.Problems, "; ")
	}
	out.Verdict += noAnswer(rep.TimedOut)
	return out, nil
}
