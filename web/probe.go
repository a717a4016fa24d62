package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/normalizer"
)

// ProbeFunc looks at a source of a type (harvester.TypeOAIPMH or TypeWeb) before it is added.
type ProbeFunc func(ctx context.Context, typ, url string) (ProbeReport, error)

// ProbeReport is what a probe found, in the form pages and the API show.
type ProbeReport struct {
	Type string `json:"type"`
	URL  string `json:"url"`
	// OK says a harvest looks possible.
	OK bool `json:"ok"`
	// Verdict is one line; Summary the harvester's own plain-text report.
	Verdict string        `json:"verdict"`
	Summary string        `json:"summary"`
	Samples []ProbeSample `json:"samples"`
	// Report is the harvester's structured report.
	Report any `json:"report"`
}

// ProbeSample is one sample record and how Orchard reads its license.
type ProbeSample struct {
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

// NewProbeSample reads a sample's rights statements the way the normalizer will.
func NewProbeSample(id, title string, rights []harvester.Rights) ProbeSample {
	l, warnings := normalizer.License(rights)
	if rights == nil {
		rights = []harvester.Rights{}
	}
	return ProbeSample{ID: id, Title: title, Rights: rights, License: l.ID, Label: l.Label,
		Status: l.Status(), Openness: l.Openness(), Standing: standing(l), Warnings: warnings}
}

// newProbeReport starts a report from a harvester's own, whose text becomes the summary.
func newProbeReport(rep interface{ WriteText(io.Writer) error }) ProbeReport {
	var sb strings.Builder
	_ = rep.WriteText(&sb)
	return ProbeReport{Summary: sb.String(), Report: rep, Samples: []ProbeSample{}}
}

// Probes sends each probe to the function for its source type.
func Probes(byType map[string]func(ctx context.Context, url string) (ProbeReport, error)) ProbeFunc {
	return func(ctx context.Context, typ, url string) (ProbeReport, error) {
		p, ok := byType[typ]
		if !ok {
			return ProbeReport{}, &ParamError{"type", fmt.Sprintf("must be %s or %s", harvester.TypeOAIPMH, harvester.TypeWeb)}
		}
		rep, err := p(ctx, url)
		rep.Type, rep.URL = typ, url
		return rep, err
	}
}

// SiteProbe adapts the web harvester's probe.
func SiteProbe(h *site.Harvester) func(ctx context.Context, url string) (ProbeReport, error) {
	return func(ctx context.Context, url string) (ProbeReport, error) {
		rep, err := h.Probe(ctx, url)
		if err != nil {
			return ProbeReport{}, err
		}
		out := newProbeReport(rep)
		ok := 0
		for _, sm := range rep.Samples {
			ps := NewProbeSample(sm.URL, sm.Title, sm.Rights)
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
		return out, nil
	}
}

// RepositoryProbe adapts the OAI-PMH harvester's probe.
func RepositoryProbe(h *oaipmh.Harvester) func(ctx context.Context, url string) (ProbeReport, error) {
	return func(ctx context.Context, url string) (ProbeReport, error) {
		rep, err := h.Probe(ctx, url)
		if err != nil {
			return ProbeReport{}, err
		}
		out := newProbeReport(rep)
		out.OK = true
		for _, r := range rep.Samples {
			title := ""
			if len(r.Titles) > 0 {
				title = r.Titles[0]
			}
			out.Samples = append(out.Samples, NewProbeSample(r.OriginID, title, r.Rights))
		}
		name := "the repository"
		if rep.Identify != nil && rep.Identify.RepositoryName != "" {
			name = rep.Identify.RepositoryName
		}
		out.Verdict = fmt.Sprintf("OAI-PMH endpoint of %s answers Identify.", name)
		if len(rep.Problems) > 0 {
			out.Verdict += " Problems: " + strings.Join(rep.Problems, "; ")
		}
		return out, nil
	}
}

func (s *Server) apiProbe(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL  string `json:"url"`
		Type string `json:"type"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if body.URL == "" {
		writeError(w, http.StatusBadRequest, &ParamError{"url", "is required"})
		return
	}
	if body.Type == "" {
		body.Type = harvester.TypeOAIPMH
	}
	if s.probe == nil {
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("probing is not available on this server"))
		return
	}
	rep, err := s.probe(r.Context(), body.Type, strings.TrimSpace(body.URL))
	if err != nil {
		status := statusOf(err)
		switch harvester.KindOf(err) {
		case harvester.KindInvalid:
			status = http.StatusBadRequest
			err = &ParamError{"url", err.Error()}
		case harvester.KindPermanent, harvester.KindTransient:
			status = http.StatusBadGateway
		}
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
