package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/spf13/cobra"
)

// newLicenseCmd groups the license knowledge-base commands; none needs the configuration.
func newLicenseCmd(_ *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "license",
		Short: "Read, explain and combine licenses",
	}
	cmd.AddCommand(newLicenseParseCmd(), newLicenseExplainCmd(), newLicenseCompatCmd())
	return cmd
}

// parsedLicense is the JSON line `orchard license parse --json` prints; its keys are a contract.
type parsedLicense struct {
	Input        string   `json:"input"`
	ID           string   `json:"id"`
	URL          string   `json:"url"`
	Label        string   `json:"label"`
	Version      string   `json:"version"`
	Jurisdiction string   `json:"jurisdiction"`
	Commercial   bool     `json:"commercial"`
	Derivatives  bool     `json:"derivatives"`
	ShareAlike   bool     `json:"share_alike"`
	Attribution  bool     `json:"attribution"`
	Open         bool     `json:"open"`
	Warnings     []string `json:"warnings"`
}

func newLicenseParseCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "parse [--json] TEXT...",
		Short: "Read license statements: URLs, badges, SPDX ids, free text, HTML",
		Long: "Read each argument as one rights statement and print its license id, canonical URL,\n" +
			"short label and what it permits. Unknown statements print an empty id and a warning.",
		Example: "  orchard license parse https://creativecommons.org/licenses/by-sa/3.0/de/deed.en 'CC BY-NC 4.0'\n" +
			"  orchard license parse --json 'Namensnennung 4.0 International'",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				for _, in := range args {
					if err := enc.Encode(toParsed(license.Parse(in))); err != nil {
						return fmt.Errorf("write result: %w", err)
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "INPUT\tID\tLABEL\tURL\tCOMMERCIAL\tDERIVATIVES\tSHARE_ALIKE\tATTRIBUTION\tOPEN")
			var notes []string
			for _, in := range args {
				p := toParsed(license.Parse(in))
				id := p.ID
				if id == "" {
					id = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", shortInput(in, 48), id, orDash(p.Label), orDash(p.URL),
					flagWord(p.Commercial), flagWord(p.Derivatives), flagWord(p.ShareAlike), flagWord(p.Attribution), flagWord(p.Open))
				for _, w := range p.Warnings {
					notes = append(notes, shortInput(in, 48)+": "+w)
				}
			}
			if err := tw.Flush(); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
			for _, n := range notes {
				fmt.Fprintln(out, "warning:", n)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per input")
	return cmd
}

func toParsed(r license.Reading) parsedLicense {
	t := r.Tool
	p := parsedLicense{Input: r.Input, ID: t.ID, URL: t.URL, Label: t.Label, Version: t.Version,
		Jurisdiction: t.Jurisdiction, Commercial: t.Commercial, Derivatives: t.Derivatives,
		ShareAlike: t.ShareAlike, Attribution: t.Attribution, Open: t.Open, Warnings: r.Warnings}
	if p.Warnings == nil {
		p.Warnings = []string{}
	}
	if r.Access {
		p.Warnings = append(p.Warnings, "an access term, not a license")
	}
	return p
}

func newLicenseExplainCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "explain ID",
		Short:   "Explain in plain language what a license allows",
		Example: "  orchard license explain CC-BY-NC-SA-4.0",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if _, ok := license.Lookup(id); !ok {
				id = license.Parse(id).Tool.ID
			}
			e, ok := license.Explain(id)
			if !ok {
				return fmt.Errorf("explain %q: not a known license", args[0])
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s — %s\n%s\n", e.ID, e.Title, e.Summary)
			if t, _ := license.Lookup(e.ID); t.URL != "" {
				fmt.Fprintln(out, t.URL)
			}
			explainList(out, "You may", e.May)
			explainList(out, "You must", e.Must)
			explainList(out, "You must not", e.MustNot)
			explainList(out, "Notes", e.Notes)
			return nil
		},
	}
}

func explainList(w io.Writer, heading string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", heading)
	for _, it := range items {
		fmt.Fprintf(w, "  - %s\n", it)
	}
}

func newLicenseCompatCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "compat ID ID...",
		Short:   "Tell whether works under these licenses can be remixed together, and under what",
		Example: "  orchard license compat CC-BY-4.0 CC-BY-SA-4.0",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := license.Compatible(args...)
			out := cmd.OutOrStdout()
			switch {
			case !c.Decidable:
				fmt.Fprintln(out, "Cannot decide.")
			case c.Possible:
				fmt.Fprintln(out, "Compatible: an adaptation may be shared.")
			default:
				fmt.Fprintln(out, "Not compatible: an adaptation may not be shared.")
			}
			fmt.Fprintln(out, c.Reason)
			if len(c.Licenses) > 0 {
				fmt.Fprintln(out, "The adaptation may carry:", strings.Join(c.Licenses, ", "))
			}
			return nil
		},
	}
}

func newAttributionCmd(_ *app) *cobra.Command {
	var w license.Work
	var lic, format string
	cmd := &cobra.Command{
		Use:   "attribution --license LICENSE [--title T] [--author A] [--url URL] [--change adapted] [--format text|html|markdown]",
		Short: "Write an attribution (title, author, source, license) for reusing a work",
		Example: "  orchard attribution --title 'Photosynthesis' --author 'Ada' --url https://example.org/w \\\n" +
			"    --license https://creativecommons.org/licenses/by-sa/4.0/ --format html",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(lic) == "" {
				return fmt.Errorf("attribution: --license is required")
			}
			t, ok := license.Lookup(lic)
			if !ok {
				r := license.Parse(lic)
				if r.Tool.ID == "" {
					return fmt.Errorf("attribution: license %q not recognised: %s", lic, strings.Join(r.Warnings, "; "))
				}
				t = r.Tool
			}
			f := license.Format(strings.ToLower(format))
			switch f {
			case license.FormatText, license.FormatHTML, license.FormatMarkdown:
			default:
				return fmt.Errorf("attribution: --format %q is not text, html or markdown", format)
			}
			fmt.Fprintln(cmd.OutOrStdout(), license.Attribute(w, t, f))
			return nil
		},
	}
	cmd.AddCommand(newAttributionCheckCmd())
	fl := cmd.Flags()
	fl.StringVar(&w.Title, "title", "", "title of the work")
	fl.StringVar(&w.Author, "author", "", "author or creator")
	fl.StringVar(&w.AuthorURL, "author-url", "", "link to the author")
	fl.StringVar(&w.SourceURL, "url", "", "where the work can be found")
	fl.StringVar(&lic, "license", "", "license id, URL or any statement Orchard can read")
	fl.StringVar(&format, "format", "text", "text, html or markdown")
	fl.StringVar(&w.Change, "change", "", "how you modified the work (adapted, translated): writes a modification notice")
	return cmd
}

func shortInput(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func flagWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
