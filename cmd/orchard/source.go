package main

import "github.com/spf13/cobra"

func newSourceCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "source",
		Short: "Manage harvest sources",
	}
	cmd.AddCommand(newProbeCmd(a))
	addSourceCmds(a, cmd)
	return cmd
}
