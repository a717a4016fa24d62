package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"
)

func newRemoveCmd(a *app) *cobra.Command {
	var keep, wait bool
	cmd := &cobra.Command{
		Use:   "remove NAME [--keep-records]",
		Short: "Remove a source and its records (or only the source, with --keep-records)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var started struct {
				RunID string `json:"run_id"`
			}
			path := fmt.Sprintf("/api/admin/sources/%s?keep_records=%t", url.PathEscape(args[0]), keep)
			if err := a.api(cmd.Context(), http.MethodDelete, path, nil, &started); err != nil {
				return err
			}
			if started.RunID == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s; its records stay in the catalog\n", args[0])
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removing %s with its records: run %s\n", args[0], started.RunID)
			if !wait {
				return nil
			}
			return a.waitRun(cmd.Context(), cmd.ErrOrStderr(), args[0], started.RunID)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep-records", false, "remove only the source; its records stay in the catalog")
	cmd.Flags().BoolVar(&wait, "wait", false, "follow the removal of the records until it ends")
	return cmd
}

func newSweepCmd(a *app) *cobra.Command {
	var confirm, keep bool
	cmd := &cobra.Command{
		Use:   "sweep NAME --confirm|--keep",
		Short: "Remove (--confirm) or keep (--keep) the records a source's last full run did not see, when that sweep waits",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if confirm == keep {
				return errors.New("give either --confirm (remove the records) or --keep (keep them)")
			}
			var out struct {
				RunID string `json:"run_id"`
			}
			path := fmt.Sprintf("/api/admin/sources/%s/sweep?confirm=%t", url.PathEscape(args[0]), confirm)
			if err := a.api(cmd.Context(), http.MethodPost, path, nil, &out); err != nil {
				return err
			}
			if keep {
				fmt.Fprintf(cmd.OutOrStdout(), "kept the records of %s that its last full run did not see\n", args[0])
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removing the records of %s that its last full run did not see: run %s\n", args[0], out.RunID)
			return nil
		},
	}
	cmd.Flags().BoolVar(&confirm, "confirm", false, "remove the records the run did not see")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep them")
	return cmd
}
