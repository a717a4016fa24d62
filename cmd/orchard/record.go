package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func newRecordCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Librarians' decisions about catalog entries",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "split ID",
		Short: "Split an entry several sources offer into one entry per source's record",
		Long: "Split an entry that merged records of different resources: each source's record\n" +
			"becomes an entry of its own, now and at every later harvest. ID names the entry or\n" +
			"any record merged into it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res struct {
				Records []string `json:"records"`
			}
			if err := a.api(cmd.Context(), http.MethodPost, "/api/admin/records/"+url.PathEscape(args[0])+"/split", nil, &res); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "split into %d entries: %s\n", len(res.Records), strings.Join(res.Records, " "))
			return nil
		},
	})
	return cmd
}
