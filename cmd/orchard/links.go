package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/workers"
)

func newLinksCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "links",
		Short: "What the link checker found on records' landing pages",
	}
	var asJSON bool
	broken := &cobra.Command{
		Use:   "broken",
		Short: "List records hidden from learners because their pages stopped answering",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var links []workers.LinkState
			if err := a.api(cmd.Context(), http.MethodGet, "/api/admin/links/broken", nil, &links); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for _, l := range links {
					if err := enc.Encode(l); err != nil {
						return err
					}
				}
				return nil
			}
			if len(links) == 0 {
				_, err := fmt.Fprintln(out, "No broken links.")
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RECORD\tSOURCE\tFAILURE\tSTATUS\tFIRST FAILURE\tLAST FAILURE\tFAILURES\tURL")
			for _, l := range links {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", l.ID, l.Source, l.Kind, l.Status,
					l.FirstFailure.Local().Format("2006-01-02 15:04"), l.LastFailure.Local().Format("2006-01-02 15:04"), l.Failures, l.URL)
			}
			return tw.Flush()
		},
	}
	broken.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	cmd.AddCommand(broken)
	return cmd
}
