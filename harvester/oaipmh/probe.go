package oaipmh

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/weburl"
)

// ProbeSets and ProbeSamples bound what Probe fetches.
const (
	ProbeSets    = 20
	ProbeSamples = 3
)

// Report is what Probe found out about a repository.
type Report struct {
	URL          string             `json:"url"`
	ResponseDate string             `json:"response_date"`
	Identify     *Identify          `json:"identify"`
	Formats      []MetadataFormat   `json:"formats"`
	Sets         []Set              `json:"sets,omitempty"` // the first ProbeSets
	SamplePrefix string             `json:"sample_prefix,omitempty"`
	Samples      []harvester.Record `json:"samples,omitempty"`
	// Problems lists what went wrong after Identify, which alone decides whether the URL
	// is an OAI-PMH endpoint.
	Problems []string `json:"problems,omitempty"`
	// TimedOut names the requests that had no answer when the probe's time was up.
	TimedOut []string `json:"timed_out,omitempty"`
}

// Probe asks a repository what it is: Identify, its formats, its first sets and a few
// records, in oai_dc when offered. Only a failing Identify is an error. It answers within
// Config.ProbeTimeout: what had no answer by then is named in TimedOut.
func (h *Harvester) Probe(ctx context.Context, url string) (*Report, error) {
	c, ctx, cancel, err := h.probeClient(ctx, url)
	if err != nil {
		return nil, err
	}
	defer cancel()
	shown := weburl.Redact(url)
	id, date, err := c.Identify(ctx)
	if err != nil {
		if harvester.TimedOut(ctx) {
			return nil, harvester.E(harvester.KindTransient, "probe "+shown,
				fmt.Errorf("Identify: %w within %s", harvester.ErrNoAnswer, cmp.Or(h.cfg.ProbeTimeout, harvester.DefaultProbeTimeout)))
		}
		return nil, err
	}
	r := &Report{URL: shown, ResponseDate: date, Identify: id}
	failed := func(verb string, err error) {
		if harvester.TimedOut(ctx) {
			r.TimedOut = append(r.TimedOut, verb)
			return
		}
		r.Problems = append(r.Problems, verb+": "+err.Error())
	}
	if r.Formats, err = c.ListMetadataFormats(ctx, ""); err != nil {
		failed("ListMetadataFormats", err)
	}
	if r.Sets, err = c.ListSets(ctx, ProbeSets); err != nil {
		failed("ListSets", err)
	}
	r.SamplePrefix = "oai_dc"
	if len(r.Formats) > 0 && !hasPrefix(r.Formats, "oai_dc") {
		r.SamplePrefix = r.Formats[0].Prefix
	}
	resp, err := c.ListRecords(ctx, ListArgs{Prefix: r.SamplePrefix}, "")
	switch {
	case err != nil:
		failed("ListRecords", err)
	case resp.Err() != nil && !resp.hasError(NoRecordsMatch):
		r.Problems = append(r.Problems, "ListRecords: "+resp.Err().Error())
	default:
		r.Samples = resp.Records[:min(len(resp.Records), ProbeSamples)]
		for _, q := range resp.Quarantined {
			r.Problems = append(r.Problems, fmt.Sprintf("unreadable record %s: %s", q.OriginID, q.Reason))
		}
	}
	return r, nil
}

func hasPrefix(fs []MetadataFormat, p string) bool {
	for _, f := range fs {
		if f.Prefix == p {
			return true
		}
	}
	return false
}

// WriteText prints the report for a person.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	id := r.Identify
	fmt.Fprintf(&b, "Repository:   %s\n", id.RepositoryName)
	fmt.Fprintf(&b, "Base URL:     %s\n", r.URL)
	fmt.Fprintf(&b, "Protocol:     %s\n", id.ProtocolVersion)
	fmt.Fprintf(&b, "Granularity:  %s\n", id.Granularity)
	fmt.Fprintf(&b, "Earliest:     %s\n", id.EarliestDatestamp)
	fmt.Fprintf(&b, "Deletions:    %s\n", id.DeletedRecord)
	fmt.Fprintf(&b, "Server time:  %s\n", r.ResponseDate)
	if len(id.Compression) > 0 {
		fmt.Fprintf(&b, "Compression:  %s\n", strings.Join(id.Compression, ", "))
	}
	if len(id.AdminEmails) > 0 {
		fmt.Fprintf(&b, "Admin:        %s\n", strings.Join(id.AdminEmails, ", "))
	}
	fmt.Fprintf(&b, "\nFormats (%d):\n", len(r.Formats))
	for _, f := range r.Formats {
		fmt.Fprintf(&b, "  %-14s %s\n", f.Prefix, f.Namespace)
	}
	fmt.Fprintf(&b, "\nSets (first %d):\n", ProbeSets)
	if len(r.Sets) == 0 {
		b.WriteString("  none\n")
	}
	for _, s := range r.Sets {
		fmt.Fprintf(&b, "  %-30s %s\n", s.Spec, s.Name)
	}
	fmt.Fprintf(&b, "\nSample records (%s):\n", r.SamplePrefix)
	if len(r.Samples) == 0 {
		b.WriteString("  none\n")
	}
	for _, s := range r.Samples {
		fmt.Fprintf(&b, "  %s  %s", s.OriginID, s.Datestamp)
		if s.Deleted {
			b.WriteString("  (deleted)")
		}
		b.WriteString("\n")
		if len(s.Titles) > 0 {
			fmt.Fprintf(&b, "    title:  %s\n", s.Titles[0])
		}
		for _, rt := range s.Rights {
			fmt.Fprintf(&b, "    rights: %s (%s)\n", rt.Value, rt.From)
		}
	}
	if len(r.TimedOut) > 0 {
		fmt.Fprintf(&b, "\nNo answer in time: %s\n", strings.Join(r.TimedOut, ", "))
	}
	if len(r.Problems) > 0 {
		b.WriteString("\nProblems:\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Identify asks url for Identify alone, within Config.ProbeTimeout: whether url is the base
// URL of a repository, without the rest of a probe.
func (h *Harvester) Identify(ctx context.Context, url string) (*Identify, error) {
	c, ctx, cancel, err := h.probeClient(ctx, url)
	if err != nil {
		return nil, err
	}
	defer cancel()
	id, _, err := c.Identify(ctx)
	return id, err
}

// probeClient is a client for url and a context bounded by Config.ProbeTimeout.
func (h *Harvester) probeClient(ctx context.Context, url string) (*Client, context.Context, context.CancelFunc, error) {
	c, err := NewClient(url, h.fetch, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := harvester.ProbeContext(ctx, h.cfg.ProbeTimeout)
	return c, ctx, cancel, nil
}
