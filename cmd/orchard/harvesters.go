package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/linkcheck"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/probe"
	"github.com/orchard-oer/orchard/weburl"
)

// harvesters are the clients of one process. Harvests and probes share them, and so share
// their per-host pacing: probing a host that is being harvested does not add to its load.
type harvesters struct {
	oai   *oaipmh.Harvester
	web   *site.Harvester
	links *linkcheck.Checker
	// client is theirs, shared with the thumbnailers so that a host is paced once.
	client *fetch.Client
}

// harvesters builds the clients. allowPrivate lets them reach loopback and private addresses:
// the operator's own commands may, sources added through the server may not unless
// harvest.allow_private_networks says so. obs, when set, hears of every request they send;
// shared, when set, paces each host together with the other processes that share it.
func (a *app) harvesters(allowPrivate bool, obs fetch.Observer, shared fetch.SharedPacer) harvesters {
	// One client for both, so that a host that is both a repository and a web site is paced
	// once.
	cfg := a.fetchConfig(allowPrivate)
	cfg.Observer, cfg.Shared = obs, shared
	client := fetch.New(cfg, a.log)
	return harvesters{
		oai:    oaipmh.New(oaipmh.Config{Client: client, MaxPages: a.cfg.Harvest.MaxPages}, a.log),
		web:    site.New(site.Config{Client: client, MaxPages: a.cfg.Harvest.MaxPages}, a.log),
		links:  linkcheck.New(client, linkcheck.Config{}),
		client: client,
	}
}

// byType is what workers and `harvest once` choose from by source type.
func (h harvesters) byType() map[string]harvester.Harvester {
	return map[string]harvester.Harvester{harvester.TypeOAIPMH: h.oai, harvester.TypeWeb: h.web}
}

// prober looks at a source before it is added, for the CLI, the API and the pages alike.
func (h harvesters) prober() *probe.Prober { return probe.New(h.oai, h.web) }

func (a *app) fetchConfig(allowPrivate bool) fetch.Config {
	h := a.cfg.Harvest
	return fetch.Config{
		UserAgent:    a.userAgent(),
		Contact:      h.Contact,
		Timeout:      h.Timeout,
		Pace:         h.Pace,
		StartPace:    h.StartPace,
		AllowPrivate: allowPrivate,

		ConnectTimeout: h.ConnectTimeout, HeaderTimeout: h.HeaderTimeout, MaxBody: h.MaxBody,
		MaxPace: h.MaxPace, MaxRetries: h.MaxRetries, MaxRedirects: h.MaxRedirects,
		BackoffBase: h.BackoffBase, BackoffMax: h.BackoffMax, MaxRetryAfter: h.MaxRetryAfter,
		BodyStall: h.BodyStall, MinBodyRate: h.MinBodyRate,
	}
}

func (a *app) userAgent() string {
	return fetch.UserAgent(a.cfg.Harvest.UserAgent, a.cfg.Harvest.Contact)
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
			rep, err := a.harvesters(true, nil, nil).prober().Probe(cmd.Context(), typ, args[0])
			if rep.Fallback != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s; probing as a website\n", rep.Fallback)
			}
			if err != nil {
				return fmt.Errorf("probe %s: %w", weburl.Redact(args[0]), err)
			}
			printProbe(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", probe.Any, "oai-pmh or web (default: try both)")
	return cmd
}

// printProbe prints a probe report with how each sample's license reads.
func printProbe(w io.Writer, rep probe.Report) {
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
