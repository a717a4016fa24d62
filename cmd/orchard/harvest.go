package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/normalizer"
	"github.com/orchard-oer/orchard/weburl"
)

// harvestSummary counts what a one-off harvest produced.
type harvestSummary struct {
	records, deleted, quarantined, invalid int
	byLicense                              map[string]int
	samples                                []string
}

func (s *harvestSummary) sample(msg string) {
	if len(s.samples) < 5 {
		s.samples = append(s.samples, msg)
	}
}

func (s *harvestSummary) print(w io.Writer, elapsed time.Duration, p harvester.Progress) {
	fmt.Fprintf(w, "harvested %d records, %d deleted, %d quarantined, %d invalid in %s (%d pages, %d requests, %d refusals)\n",
		s.records, s.deleted, s.quarantined, s.invalid, elapsed.Round(time.Millisecond), p.Pages, p.Requests, p.Refusals)
	ids := make([]string, 0, len(s.byLicense))
	for id := range s.byLicense {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return s.byLicense[ids[i]] > s.byLicense[ids[j]] || s.byLicense[ids[i]] == s.byLicense[ids[j]] && ids[i] < ids[j]
	})
	for _, id := range ids {
		name := id
		if name == "" {
			name = "(unknown)"
		}
		fmt.Fprintf(w, "  %-28s %d\n", name, s.byLicense[id])
	}
	for _, m := range s.samples {
		fmt.Fprintf(w, "  skipped: %s\n", m)
	}
}

// deletion is the JSON line of a deleted record.
type deletion struct {
	ID       string `json:"id"`
	OriginID string `json:"origin_id"`
	Deleted  bool   `json:"deleted"`
}

func newHarvestCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "harvest",
		Short: "Harvest sources: once without a server, or through a running Orchard",
	}
	cmd.AddCommand(newHarvestOnceCmd(a))
	addHarvestCmds(a, cmd)
	return cmd
}

func newHarvestOnceCmd(a *app) *cobra.Command {
	var src harvester.Source
	var output, pace string
	cmd := &cobra.Command{
		Use:   "once --url URL",
		Short: "Harvest one source now, without a server, as JSON Lines",
		Long: "Harvest one source without any server and write one JSON record per line (deleted\n" +
			"records as {\"id\", \"origin_id\", \"deleted\": true}), then a summary on stderr. It runs with\n" +
			"the operator's rights, so it may fetch loopback and private addresses.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if src.URL == "" {
				return fmt.Errorf("harvest once: --url is required")
			}
			u, err := weburl.Parse(src.URL)
			if err != nil {
				return fmt.Errorf("harvest once: --url %q is not an http(s) URL", src.URL)
			}
			if src.Name == "" {
				src.Name = u.Hostname()
			}
			if pace != "" {
				if src.Pace, err = time.ParseDuration(pace); err != nil {
					return fmt.Errorf("harvest once: --pace: %w", err)
				}
				// The operator's pace replaces the configured one, which a source may only raise.
				a.cfg.Harvest.Pace = src.Pace
			}
			hs := a.harvesters(true, nil, nil).byType()
			h, ok := hs[src.Type]
			if !ok {
				return fmt.Errorf("harvest once: --type %q is not oai-pmh or web", src.Type)
			}
			out, closeOut, err := openOutput(cmd, output)
			if err != nil {
				return fmt.Errorf("harvest once: %w", err)
			}
			err = harvestOnce(cmd.Context(), h, src, out, cmd.ErrOrStderr(), isTerminal(cmd.ErrOrStderr()))
			return errors.Join(err, closeOut())
		},
	}
	f := cmd.Flags()
	registerHarvestFlags(f, &src, &pace, harvester.TypeOAIPMH, "oai-pmh or web")
	f.StringVar(&src.Name, "source", "", "source name used in record ids (default: the URL's host)")
	f.StringVar(&src.From, "from", "", "OAI-PMH: records changed on or after this date")
	f.StringVar(&src.Until, "until", "", "OAI-PMH: records changed on or before this date")
	f.StringVarP(&output, "output", "o", "", "write records to FILE instead of stdout")
	return cmd
}

func harvestOnce(ctx context.Context, h harvester.Harvester, src harvester.Source, out, errOut io.Writer, progress bool) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	sum := &harvestSummary{byLicense: map[string]int{}}
	start := time.Now()
	var last harvester.Progress
	err := h.Harvest(ctx, src, nil, true, func(_ context.Context, p harvester.Page) error {
		last = p.Progress
		for _, w := range p.Warnings {
			if progress {
				fmt.Fprintln(errOut)
			}
			fmt.Fprintf(errOut, "warning: %s\n", w)
		}
		for _, q := range p.Quarantined {
			sum.quarantined++
			sum.sample(fmt.Sprintf("%s: %s", q.OriginID, q.Reason))
		}
		for _, raw := range p.Records {
			rec, err := normalizer.Record(src.Name, raw)
			switch {
			case err != nil && !rec.Deleted:
				sum.invalid++
				sum.sample(fmt.Sprintf("%s: %v", raw.OriginID, err))
				continue
			case rec.Deleted:
				sum.deleted++
				err = enc.Encode(deletion{ID: rec.ID, OriginID: rec.OriginID, Deleted: true})
			default:
				sum.records++
				sum.byLicense[rec.License.ID]++
				err = enc.Encode(rec)
			}
			if err != nil {
				return fmt.Errorf("write record: %w", err)
			}
		}
		if progress {
			rate := float64(sum.records+sum.deleted) / time.Since(start).Seconds()
			fmt.Fprintf(errOut, "\r%d pages, %d records, %.0f records/s, %d refusals ", p.Progress.Pages, sum.records+sum.deleted, rate, p.Progress.Refusals)
		}
		return nil
	})
	if progress {
		fmt.Fprintln(errOut)
	}
	if err != nil {
		return fmt.Errorf("harvest %s: %w", weburl.Redact(src.URL), err)
	}
	sum.print(errOut, time.Since(start), last)
	return nil
}

// isTerminal reports whether w is a character device, where a progress line makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
