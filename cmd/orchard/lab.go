package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/lab"
	"github.com/orchard-oer/orchard/web"
)

// The lab's commands for facilitators: they call a running Orchard's API with a librarian's
// token.

func newLabCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Exercise sets and classes of the curation lab",
	}
	cmd.AddCommand(newLabCreateCmd(a), newLabListCmd(a), newLabShowCmd(a), newLabExportCmd(a), newLabImportCmd(a), newLabResultsCmd(a))
	return cmd
}

func newLabCreateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "create SET",
		Short: "Open a class for an exercise set (\"starter\" for the one Orchard ships) and print its code",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var c lab.Class
			if err := a.api(cmd.Context(), http.MethodPost, "/api/lab/sets/"+url.PathEscape(args[0])+"/classes", nil, &c); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "class %s: %s, %d questions\n", c.Code, c.Title, len(c.Items))
			for _, s := range c.Skipped {
				fmt.Fprintf(w, "left out: %s\n", s)
			}
			fmt.Fprintf(w, "learners join at %s/lab with the code %s\n", strings.TrimRight(a.cfg.Server, "/"), c.Code)
			return nil
		},
	}
}

func newLabListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List exercise sets and classes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var sets struct{ Sets []lab.Set }
			var classes struct{ Classes []lab.Class }
			if err := a.api(cmd.Context(), http.MethodGet, "/api/lab/sets", nil, &sets); err != nil {
				return err
			}
			if err := a.api(cmd.Context(), http.MethodGet, "/api/lab/classes", nil, &classes); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SET\tQUESTIONS\tBY\tTITLE")
			for _, s := range sets.Sets {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.ID, len(s.Questions), s.By, s.Title)
			}
			fmt.Fprintln(tw, "\nCLASS\tSET\tLEARNERS\tSTATE\tTITLE")
			for _, c := range classes.Classes {
				state := "open"
				if c.Closed {
					state = "closed"
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", c.Code, c.Set, c.Learners, state, c.Title)
			}
			return tw.Flush()
		},
	}
}

func newLabShowCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show SET|CLASS",
		Short: "Show an exercise set, or a class's questions with the records it picked",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if code, err := lab.NormalizeCode(args[0]); err == nil {
				var res web.LabResults
				if err := a.api(cmd.Context(), http.MethodGet, "/api/lab/classes/"+code+"/results", nil, &res); err != nil {
					return err
				}
				c := res.Class
				fmt.Fprintf(w, "class %s (set %s): %s; %d learners; closed: %v\n", c.Code, c.Set, c.Title, c.Learners, c.Closed)
				for _, it := range c.Items {
					fmt.Fprintf(w, "%d. [%s] %s\n", it.N, it.Question.Kind, it.Prompt)
					for _, f := range it.Facts {
						fmt.Fprintf(w, "   %s  %s  (%s)\n", f.ID, f.Title, f.License)
					}
				}
				return nil
			}
			b, err := a.setYAML(cmd, args[0])
			if err != nil {
				return err
			}
			return writeOut(cmd, "", b)
		},
	}
}

func newLabExportCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export SET",
		Short: "Write an exercise set as YAML to share with other institutions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := a.setYAML(cmd, args[0])
			if err != nil {
				return err
			}
			return writeOut(cmd, out, b)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: standard output)")
	return cmd
}

// setYAML fetches a set in the YAML form it is shared in.
func (a *app) setYAML(cmd *cobra.Command, id string) ([]byte, error) {
	return a.apiRaw(cmd.Context(), http.MethodGet, "/api/lab/sets/"+url.PathEscape(id)+"/export", "", nil)
}

// writeOut writes b to the file named, or to the command's output when none is.
func writeOut(cmd *cobra.Command, file string, b []byte) error {
	if file == "" {
		_, err := cmd.OutOrStdout().Write(b)
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

func newLabImportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Import an exercise set from YAML (\"-\" for standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var b []byte
			var err error
			if args[0] == "-" {
				var buf bytes.Buffer
				_, err = buf.ReadFrom(cmd.InOrStdin())
				b = buf.Bytes()
			} else {
				b, err = os.ReadFile(args[0])
			}
			if err != nil {
				return fmt.Errorf("read set: %w", err)
			}
			// Checked here first, so that a broken file is named before anything is sent.
			if _, err := lab.ParseYAML(b); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			raw, err := a.apiRaw(cmd.Context(), http.MethodPost, "/api/lab/sets/import", "application/yaml", bytes.NewReader(b))
			if err != nil {
				return err
			}
			var set lab.Set
			if err := json.Unmarshal(raw, &set); err != nil {
				return fmt.Errorf("read imported set: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported set %s: %s, %d questions\n", set.ID, set.Title, len(set.Questions))
			return nil
		},
	}
}

func newLabResultsCmd(a *app) *cobra.Command {
	var asCSV bool
	var out string
	cmd := &cobra.Command{
		Use:   "results CLASS",
		Short: "Print a class's table: a row per learner, a column per question",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "/api/lab/classes/" + url.PathEscape(args[0]) + "/results"
			if asCSV {
				b, err := a.apiRaw(cmd.Context(), http.MethodGet, path+"?format=csv", "", nil)
				if err != nil {
					return err
				}
				return writeOut(cmd, out, b)
			}
			var res web.LabResults
			if err := a.api(cmd.Context(), http.MethodGet, path, nil, &res); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprint(tw, "LEARNER")
			for _, it := range res.Class.Items {
				fmt.Fprintf(tw, "\tQ%d", it.N)
			}
			fmt.Fprintln(tw, "\tRIGHT")
			for _, l := range res.Learners {
				fmt.Fprint(tw, l.Name)
				for _, it := range res.Class.Items {
					cell := "-"
					if a, ok := l.Answers[fmt.Sprint(it.N)]; ok {
						cell = "✗"
						if a.Result.Correct {
							cell = "✓"
						}
					}
					fmt.Fprintf(tw, "\t%s", cell)
				}
				fmt.Fprintf(tw, "\t%d/%d\n", l.Correct, len(res.Class.Items))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asCSV, "csv", false, "write CSV for a spreadsheet")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write the CSV to (default: standard output)")
	return cmd
}
