package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/web"
)

// harvesters are the clients of one process. Harvests and probes share them, and so share
// their per-host pacing: probing a host that is being harvested does not add to its load.
type harvesters struct {
	oai *oaipmh.Harvester
	web *site.Harvester
}

// harvesters builds the clients. allowPrivate lets them reach loopback and private addresses:
// the operator's own commands may, sources added through the server may not unless
// harvest.allow_private_networks says so.
func (a *app) harvesters(allowPrivate bool) harvesters {
	// One client for both, so that a host that is both a repository and a web site is paced
	// once.
	client := fetch.New(a.fetchConfig(allowPrivate), a.log)
	return harvesters{
		oai: oaipmh.New(oaipmh.Config{Client: client}, a.log),
		web: site.New(site.Config{Client: client}, a.log),
	}
}

// byType is what workers and `harvest once` choose from by source type.
func (h harvesters) byType() map[string]harvester.Harvester {
	return map[string]harvester.Harvester{harvester.TypeOAIPMH: h.oai, harvester.TypeWeb: h.web}
}

// probe looks at a source before it is added, for the CLI, the API and the pages alike.
func (h harvesters) probe() web.ProbeFunc {
	return web.Probes(map[string]func(context.Context, string) (web.ProbeReport, error){
		harvester.TypeOAIPMH: web.RepositoryProbe(h.oai),
		harvester.TypeWeb:    web.SiteProbe(h.web),
	})
}

func (a *app) fetchConfig(allowPrivate bool) fetch.Config {
	h := a.cfg.Harvest
	return fetch.Config{
		UserAgent:    a.userAgent(),
		Contact:      h.Contact,
		Timeout:      h.Timeout,
		Pace:         h.Pace,
		AllowPrivate: allowPrivate,
	}
}

// userAgent names Orchard and the operator's contact URL, so repository admins can reach them.
func (a *app) userAgent() string {
	h := a.cfg.Harvest
	ua := h.UserAgent
	if ua == "" {
		ua = "Orchard/1.0"
	}
	if h.Contact != "" && !strings.Contains(ua, h.Contact) {
		ua += " (+" + h.Contact + ")"
	}
	return ua
}

func newProbeCmd(a *app) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "probe URL",
		Short: "Look at a source before adding it: what it offers and how its licenses read",
		Long: "Probe an OAI-PMH repository (Identify, formats, sets, sample records) or a website\n" +
			"(robots.txt verdict, sitemaps, sample pages), and show how the samples' license statements\n" +
			"read. Without --type, an OAI-PMH Identify is tried first, then the web.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			probe := a.harvesters(true).probe()
			rep, err := probe(cmd.Context(), orDefault(typ, harvester.TypeOAIPMH), args[0])
			if err != nil && typ == "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "not an OAI-PMH repository (%v); probing as a website\n", err)
				rep, err = probe(cmd.Context(), harvester.TypeWeb, args[0])
			}
			if err != nil {
				return fmt.Errorf("probe %s: %w", args[0], err)
			}
			printProbe(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "oai-pmh or web (default: try both)")
	return cmd
}

// printProbe prints a probe report with how each sample's license reads.
func printProbe(w io.Writer, rep web.ProbeReport) {
	fmt.Fprint(w, rep.Summary)
	fmt.Fprintln(w, "\nLicenses of the samples:")
	for _, s := range rep.Samples {
		verdict := "no license recognised"
		if s.License != "" {
			verdict = fmt.Sprintf("%s (%s)", s.Label, s.License)
		}
		fmt.Fprintf(w, "  %s: %s, %s\n", s.ID, verdict, strings.ToLower(s.Standing))
		for _, warn := range s.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
	}
	fmt.Fprintf(w, "\n%s\n", rep.Verdict)
}
