package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/orchard-oer/orchard/workers"
)

func newBackupCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write sources, schedules, checkpoints, runs, tokens, decisions and toolkits to FILE",
		Long: "Write every key Orchard keeps in NATS (sources, schedules, checkpoints, runs, tokens,\n" +
			"sessions, librarians' decisions, toolkits) to FILE, readable by its owner only. The\n" +
			"search index is not in it: keep an `orchard export` beside it, or re-harvest after a\n" +
			"restore. Works beside a running `orchard serve` (through nats.listen) and on a cluster.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sys, err := a.openSystem(cmd.Context())
			if err != nil {
				return err
			}
			defer sys.Close()
			// Written beside FILE and renamed, so that FILE is never a cut-off backup.
			tmp, err := os.CreateTemp(filepath.Dir(args[0]), "."+filepath.Base(args[0])+".*")
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			defer os.Remove(tmp.Name())
			stats, err := sys.Backup(cmd.Context(), tmp)
			if err := errors.Join(err, tmp.Sync(), tmp.Close()); err != nil {
				return fmt.Errorf("backup to %s: %w", args[0], err)
			}
			if err := os.Rename(tmp.Name(), args[0]); err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			printBackupStats(cmd.ErrOrStderr(), "backed up", stats)
			return nil
		},
	}
}

func newRestoreCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Load a backup into the embedded NATS store of data_dir; Orchard must be stopped",
		Long: "Load a file written by `orchard backup` into the embedded NATS store under data_dir,\n" +
			"best a fresh one. Keys in the backup replace those of the same name; others stay.\n" +
			"Orchard must be stopped: a store that a running server holds is refused. The search\n" +
			"index is not restored: `orchard import` an export, or run `orchard harvest run\n" +
			"SOURCE --full` for each source once the server runs.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.cfg.NATS.URL != "" {
				return errors.New("restore: nats.url is set; restore loads the embedded store of data_dir, and a cluster is restored from stream snapshots (docs/operations.md)")
			}
			in, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			defer in.Close()
			sys, err := a.openWorkers(cmd.Context(), a.workersConfig("orchard cli", ""))
			if errors.Is(err, workers.ErrStoreInUse) {
				return fmt.Errorf("restore: data_dir %s is held by a running Orchard; stop it first, a restore never writes under a live server: %w", a.cfg.DataDir, workers.ErrStoreInUse)
			}
			if err != nil {
				return err
			}
			defer sys.Close()
			stats, err := sys.Restore(cmd.Context(), in)
			if err != nil {
				return fmt.Errorf("restore from %s: %w", args[0], err)
			}
			printBackupStats(cmd.ErrOrStderr(), "restored", stats)
			fmt.Fprintln(cmd.ErrOrStderr(), "the search index is not in a backup: `orchard import` an export, or run `orchard harvest run SOURCE --full` once Orchard runs")
			return nil
		},
	}
}

func printBackupStats(w io.Writer, verb string, s workers.BackupStats) {
	fmt.Fprintf(w, "%s %d keys\n", verb, s.Entries)
	for _, b := range slices.Sorted(maps.Keys(s.Buckets)) {
		fmt.Fprintf(w, "  %-28s %d\n", b, s.Buckets[b])
	}
}
