package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orchard-oer/orchard/normalizer/attribution"
	"github.com/spf13/cobra"
)

// errNotOK makes a failed grade exit with status 1 after the verdict has been printed.
var errNotOK = errors.New("the attribution is not correct")

func newAttributionCheckCmd() *cobra.Command {
	var want attribution.Expected
	var author string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check [--json] --title T --author A --url U --license ID [--adapted] -- TEXT",
		Short: "Grade an attribution (text, HTML or Markdown) against the work it credits",
		Long: "Check that an attribution names the title, the author, the source and the license (with a\n" +
			"link to it), and for an adaptation says that the work was changed. TEXT may be plain text,\n" +
			"HTML or Markdown; \"-\" reads it from standard input. Exit status 0 when the attribution is\n" +
			"correct, 1 when it is not. Several authors are separated by \";\".",
		Example: "  orchard attribution check --title 'Photosynthesis' --author 'Ada Lovelace' \\\n" +
			"    --url https://example.org/w --license CC-BY-4.0 -- \\\n" +
			"    '\"Photosynthesis\" by Ada Lovelace, https://example.org/w, CC BY 4.0 https://creativecommons.org/licenses/by/4.0/'",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := strings.Join(args, " ")
			if text == "-" {
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), attribution.MaxSize+1))
				if err != nil {
					return fmt.Errorf("attribution check: read standard input: %w", err)
				}
				text = string(b)
			}
			for _, a := range strings.Split(author, ";") {
				if a = strings.TrimSpace(a); a != "" {
					want.Authors = append(want.Authors, a)
				}
			}
			res, err := attribution.Check(want, text)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(res.Verdict()); err != nil {
					return fmt.Errorf("attribution check: write result: %w", err)
				}
			} else {
				printVerdict(out, res)
			}
			if !res.OK {
				return fmt.Errorf("attribution check: %w", errNotOK)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print one JSON object")
	fl.StringVar(&want.Title, "title", "", "title of the work")
	fl.StringVar(&author, "author", "", "author(s) of the work, separated by \";\"")
	fl.StringVar(&want.SourceURL, "url", "", "where the work can be found")
	fl.StringVar(&want.License, "license", "", "the work's license id, e.g. CC-BY-SA-4.0")
	fl.BoolVar(&want.Adapted, "adapted", false, "the work was adapted, so a modification notice is due")
	return cmd
}

func printVerdict(w io.Writer, r attribution.Result) {
	if r.OK {
		fmt.Fprintf(w, "Correct attribution (%s).\n", r.Format)
	} else {
		fmt.Fprintf(w, "Not correct yet (%s).\n", r.Format)
	}
	for _, el := range r.Elements() {
		fmt.Fprintf(w, "  %-8s %s", el.Name, el.State())
		if el.Problem != "" {
			fmt.Fprintf(w, ": %s", el.Problem)
		}
		fmt.Fprintln(w)
	}
	for _, p := range r.General {
		fmt.Fprintf(w, "  %s\n", p)
	}
}
