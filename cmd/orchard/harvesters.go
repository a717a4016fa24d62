package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/harvester/oaipmh"
	webharvest "github.com/orchard-oer/orchard/harvester/web"
	"github.com/orchard-oer/orchard/normalizer"
)

// harvesters builds one harvester per source type. allowPrivate lets them reach loopback and
// private addresses: the operator's own commands may, sources added through the server may not
// unless harvest.allow_private_networks says so.
func (a *app) harvesters(allowPrivate bool) map[string]harvester.Harvester {
	return map[string]harvester.Harvester{
		harvester.TypeOAIPMH: a.oaiHarvester(allowPrivate),
		harvester.TypeWeb:    a.webHarvester(allowPrivate),
	}
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

func (a *app) oaiHarvester(allowPrivate bool) *oaipmh.Harvester {
	return oaipmh.New(oaipmh.Config{Fetch: a.fetchConfig(allowPrivate)}, a.log)
}

func (a *app) webHarvester(allowPrivate bool) *webharvest.Harvester {
	h := a.cfg.Harvest
	return webharvest.New(webharvest.Config{
		UserAgent:    a.userAgent(),
		Pace:         h.Pace,
		Timeout:      h.Timeout,
		AllowPrivate: allowPrivate,
	}, a.log)
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
			out := cmd.OutOrStdout()
			ctx := cmd.Context()
			if typ == "" || typ == harvester.TypeOAIPMH {
				rep, err := a.oaiHarvester(true).Probe(ctx, args[0])
				if err == nil {
					if err := rep.WriteText(out); err != nil {
						return err
					}
					for _, s := range rep.Samples {
						printReading(out, s.OriginID, s.Rights)
					}
					return nil
				}
				if typ != "" {
					return fmt.Errorf("probe %s: %w", args[0], err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "not an OAI-PMH repository (%v); probing as a website\n", err)
			}
			if typ != "" && typ != harvester.TypeWeb {
				return fmt.Errorf("probe: --type %q is not oai-pmh or web", typ)
			}
			rep, err := a.webHarvester(true).Probe(ctx, args[0])
			if err != nil {
				return fmt.Errorf("probe %s: %w", args[0], err)
			}
			if err := rep.WriteText(out); err != nil {
				return err
			}
			for _, s := range rep.Samples {
				printReading(out, s.URL, s.Rights)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "oai-pmh or web (default: try both)")
	return cmd
}

// printReading says how the rights statements of one sample read as a license.
func printReading(w io.Writer, id string, rights []harvester.Rights) {
	rec, _ := normalizer.Record("probe", harvester.Record{OriginID: id, Titles: []string{id}, Rights: rights})
	l := rec.License
	verdict := "no license recognised"
	if l.ID != "" {
		verdict = fmt.Sprintf("%s (%s)", l.Label, l.ID)
	}
	if l.Conflict {
		verdict += ", statements conflict"
	}
	fmt.Fprintf(w, "license of %s: %s\n", id, verdict)
}
