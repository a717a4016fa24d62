package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orchard-oer/orchard/auth"
	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/web"
	"github.com/orchard-oer/orchard/workers"
)

// sourceFlags are the settings of a source on the command line.
type sourceFlags struct {
	harvest harvester.Source
	src     web.Source // the registry's own settings: schedule, time zone, paused
	pace    string
	full    string
}

// registerHarvestFlags adds the flags that say what to harvest, shared by `source add|update`
// and `harvest once`; typeUsage says what happens without --type.
func registerHarvestFlags(fs *pflag.FlagSet, src *harvester.Source, pace *string, typ, typeUsage string) {
	fs.StringVar(&src.Type, "type", typ, typeUsage)
	fs.StringVar(&src.URL, "url", "", "OAI-PMH base URL, sitemap URL or start page")
	fs.StringSliceVar(&src.MetadataPrefixes, "metadata-prefix", nil, "OAI-PMH metadata prefixes (default oai_dc)")
	fs.StringSliceVar(&src.Sets, "set", nil, "OAI-PMH sets")
	fs.StringVar(&src.Mode, "mode", "", "web: sitemap, urls or crawl")
	fs.StringSliceVar(&src.URLs, "page", nil, "web mode urls: page URLs")
	fs.IntVar(&src.MaxPages, "max-pages", 0, "most pages per harvest: web pages, or OAI-PMH list pages (default harvest.max_pages)")
	fs.IntVar(&src.MaxDepth, "max-depth", 0, "web crawl: most links from the start page")
	fs.StringVar(&src.PathPrefix, "path-prefix", "", "web crawl: stay below this path")
	fs.StringVar(pace, "pace", "", "least time between two requests to the host (e.g. 2s)")
}

func (f *sourceFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	registerHarvestFlags(fs, &f.harvest, &f.pace, "", "oai-pmh or web (default: detected from the URL)")
	fs.StringVar(&f.src.Schedule, "schedule", "", `cron ("30 2 * * *"), "@daily" or "@every 6h"; empty: manual runs only`)
	fs.StringVar(&f.src.TimeZone, "timezone", "", "IANA time zone of the schedule (default UTC)")
	fs.BoolVar(&f.src.Paused, "paused", false, "keep the schedule but do not run it")
	fs.StringVar(&f.full, "full-every", "", "make a scheduled run a full one this often when the source drops records unannounced (default workers.full_every; negative: never)")
	fs.StringVar(&f.src.Title, "title", "", "the name learners see (default: the source's name)")
	fs.StringVar(&f.src.Description, "description", "", "a sentence for learners about what the source offers")
}

// apply copies the flags that were set onto src.
func (f *sourceFlags) apply(cmd *cobra.Command, src *web.Source) error {
	set := func(name string) bool { return cmd.Flags().Changed(name) }
	if set("type") {
		src.Type = f.harvest.Type
	}
	if set("url") {
		src.URL = f.harvest.URL
	}
	if set("metadata-prefix") {
		src.MetadataPrefixes = f.harvest.MetadataPrefixes
	}
	if set("set") {
		src.Sets = f.harvest.Sets
	}
	if set("mode") {
		src.Mode = f.harvest.Mode
	}
	if set("page") {
		src.URLs = f.harvest.URLs
	}
	if set("max-pages") {
		src.MaxPages = f.harvest.MaxPages
	}
	if set("max-depth") {
		src.MaxDepth = f.harvest.MaxDepth
	}
	if set("path-prefix") {
		src.PathPrefix = f.harvest.PathPrefix
	}
	if set("schedule") {
		src.Schedule = f.src.Schedule
	}
	if set("timezone") {
		src.TimeZone = f.src.TimeZone
	}
	if set("paused") {
		src.Paused = f.src.Paused
	}
	if set("title") {
		src.Title = f.src.Title
	}
	if set("description") {
		src.Description = f.src.Description
	}
	if set("pace") {
		d, err := time.ParseDuration(f.pace)
		if err != nil {
			return fmt.Errorf("--pace: %w", err)
		}
		src.Pace = d.String()
	}
	if set("full-every") {
		d, err := time.ParseDuration(f.full)
		if err != nil {
			return fmt.Errorf("--full-every: %w", err)
		}
		src.FullEvery = d.String()
	}
	return nil
}

func addSourceCmds(a *app, parent *cobra.Command) {
	var add sourceFlags
	addCmd := &cobra.Command{
		Use:   "add NAME --url URL",
		Short: "Add a source to a running Orchard",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A given type is checked against the URL; without one the server detects it.
			src := web.Source{Name: args[0], Detect: true}
			if err := add.apply(cmd, &src); err != nil {
				return err
			}
			var out web.Source
			if err := a.api(cmd.Context(), http.MethodPost, "/api/admin/sources", src, &out); err != nil {
				return err
			}
			if out.Detected != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "detected: %s\n", out.Detected)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added %s (%s %s)\n", out.Name, out.Type, out.URL)
			return nil
		},
	}
	add.register(addCmd)

	var upd sourceFlags
	updCmd := &cobra.Command{
		Use:   "update NAME [flags]",
		Short: "Change a source's settings; flags not given stay as they are",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "/api/admin/sources/" + url.PathEscape(args[0])
			// The flags hold whole values, so an edit that met another one can be applied
			// again to the newer source.
			for range 3 {
				var src web.Source
				if err := a.api(cmd.Context(), http.MethodGet, path, nil, &src); err != nil {
					return err
				}
				if err := upd.apply(cmd, &src); err != nil {
					return err
				}
				err := a.apiAt(cmd.Context(), http.MethodPut, path, src.Revision, src, &src)
				if errors.Is(err, errStale) {
					continue
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "updated %s\n", src.Name)
				return nil
			}
			return fmt.Errorf("update %s: %w (three times; try again)", args[0], errStale)
		},
	}
	upd.register(updCmd)

	parent.AddCommand(addCmd, updCmd, newRemoveCmd(a), newSweepCmd(a),
		&cobra.Command{
			Use:   "list",
			Short: "List sources with their last run",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return a.printStatus(cmd.Context(), cmd.OutOrStdout())
			},
		},
		&cobra.Command{
			Use:   "show NAME",
			Short: "Show one source as JSON",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var src json.RawMessage
				if err := a.api(cmd.Context(), http.MethodGet, "/api/admin/sources/"+url.PathEscape(args[0]), nil, &src); err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), src)
			},
		},
	)
}

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// printStatus prints every source with its last and current run.
func (a *app) printStatus(ctx context.Context, w io.Writer) error {
	var st web.Status
	if err := a.api(ctx, http.MethodGet, "/api/admin/status", nil, &st); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tTYPE\tSCHEDULE\tLAST RUN\tSTATUS\tRECORDS\tNEXT")
	for _, s := range st.Sources {
		last, status, records := "-", "never run", "-"
		if r := s.Last; r != nil {
			last, status, records = r.Started.Local().Format("2006-01-02 15:04"), string(r.Status), fmt.Sprint(r.Upserted)
		}
		if s.Active != nil {
			status = string(s.Active.Status)
		}
		next := "-"
		if !s.Next.IsZero() {
			next = s.Next.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Source.Name, s.Source.Type, orDefault(s.Source.Schedule, "manual"), last, status, records, next)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d records in the catalog, %d dead-lettered jobs\n", st.Catalog.Records, st.DeadLetters)
	return err
}

func addHarvestCmds(a *app, parent *cobra.Command) {
	var full, wait bool
	runCmd := &cobra.Command{
		Use:   "run SOURCE",
		Short: "Start a harvest of a source on a running Orchard",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := url.PathEscape(args[0])
			var started struct {
				RunID string `json:"run_id"`
			}
			if err := a.api(cmd.Context(), http.MethodPost, fmt.Sprintf("/api/admin/sources/%s/run?full=%t", name, full), nil, &started); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "run %s queued\n", started.RunID)
			if !wait {
				return nil
			}
			return a.waitRun(cmd.Context(), cmd.ErrOrStderr(), args[0], started.RunID)
		},
	}
	runCmd.Flags().BoolVar(&full, "full", false, "harvest everything, not only what changed since the last run")
	runCmd.Flags().BoolVar(&wait, "wait", false, "follow the run's progress until it ends")

	parent.AddCommand(runCmd,
		&cobra.Command{
			Use:   "status",
			Short: "Show every source's last and current run",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return a.printStatus(cmd.Context(), cmd.OutOrStdout())
			},
		},
		&cobra.Command{
			Use:   "cancel SOURCE",
			Short: "Stop a source's running harvest",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				if err := a.api(cmd.Context(), http.MethodPost, "/api/admin/sources/"+url.PathEscape(args[0])+"/cancel", nil, nil); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "cancel asked for %s\n", args[0])
				return nil
			},
		},
		newHistoryCmd(a),
	)
}

func newHistoryCmd(a *app) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history SOURCE",
		Short: "List a source's past runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var runs []web.Run
			q := url.Values{"source": {args[0]}, "limit": {fmt.Sprint(limit)}}
			if err := a.api(cmd.Context(), http.MethodGet, "/api/admin/runs?"+q.Encode(), nil, &runs); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTARTED\tTOOK\tSTATUS\tPAGES\tUPSERTED\tDELETED\tQUARANTINED\tERROR")
			for _, r := range runs {
				took := "-"
				if !r.Ended.IsZero() {
					took = r.Ended.Sub(r.Started).Round(time.Second).String()
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Started.Local().Format("2006-01-02 15:04:05"), took,
					r.Status, r.Pages, r.Upserted, r.Deleted, r.Quarantined, clip(r.Error, 60))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "most runs to list")
	return cmd
}

// waitRun follows a run's progress events until the run ends, drawing a progress line.
func (a *app) waitRun(ctx context.Context, w io.Writer, source, runID string) error {
	term := isTerminal(w)
	events := make(chan web.Progress)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { errc <- a.followProgress(ctx, source, events) }()
	for {
		select {
		case p := <-events:
			if p.RunID != "" && p.RunID != runID {
				continue
			}
			if term {
				fmt.Fprintf(w, "\r%s", progressLine(p))
			}
			if p.Status.Final() {
				if term {
					fmt.Fprintln(w)
				}
				return a.reportRun(ctx, w, runID)
			}
		case err := <-errc:
			if errors.Is(err, errNoProgress) {
				return a.pollRun(ctx, w, runID)
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return a.reportRun(ctx, w, runID)
		}
	}
}

func progressLine(p web.Progress) string {
	line := fmt.Sprintf("%d records, %d pages, %.0f records/s", p.Records, p.Pages, p.Rate)
	if p.Expected > 0 {
		pct := 100 * float64(p.Records) / float64(p.Expected)
		const width = 24
		n := min(width, int(pct/100*width))
		line = fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("#", n), strings.Repeat(".", width-n), pct, line)
		if p.ETA != "" {
			line += ", ETA " + p.ETA
		}
	}
	return line + "   "
}

// pollRun waits for a run whose source has no progress to follow, asking every half second.
func (a *app) pollRun(ctx context.Context, w io.Writer, runID string) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		r, err := a.getRun(ctx, runID)
		if err != nil {
			return err
		}
		if r.Status.Final() {
			return report(w, r)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (a *app) reportRun(ctx context.Context, w io.Writer, runID string) error {
	r, err := a.getRun(ctx, runID)
	if err != nil {
		return err
	}
	return report(w, r)
}

func (a *app) getRun(ctx context.Context, runID string) (web.Run, error) {
	var r web.Run
	err := a.api(ctx, http.MethodGet, "/api/admin/runs/"+url.PathEscape(runID), nil, &r)
	return r, err
}

// report prints a run's outcome, an error unless it succeeded.
func report(w io.Writer, r web.Run) error {
	fmt.Fprintf(w, "run %s %s: %d pages, %d upserted, %d deleted, %d quarantined, %d unknown and %d conflicting licenses\n",
		r.ID, r.Status, r.Pages, r.Upserted, r.Deleted, r.Quarantined, r.Unknown, r.Conflicting)
	if r.Status != workers.StatusSucceeded {
		return fmt.Errorf("run %s %s: %s", r.ID, r.Status, r.Error)
	}
	return nil
}

func newTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage admin and librarian tokens",
	}
	var role, name string
	create := &cobra.Command{
		Use:   "create --role admin|librarian",
		Short: "Create a token; it is printed once and stored only as a hash",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := auth.ParseRole(role)
			if err != nil {
				return err
			}
			sys, err := a.openSystem(cmd.Context())
			if err != nil {
				return err
			}
			defer sys.Close()
			store, err := sys.Docs(cmd.Context(), auth.Bucket)
			if err != nil {
				return err
			}
			plain, err := auth.Create(cmd.Context(), store, r, name)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), plain)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "admin or librarian")
	create.Flags().StringVar(&name, "name", "", "who the token is for")
	cmd.AddCommand(create)
	return cmd
}
