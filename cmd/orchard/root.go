package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// app is what every command gets: the effective configuration and a logger.
type app struct {
	cfg     *Config
	cfgFile string // the file that was read, "" when none
	log     *slog.Logger
}

func newRootCmd() *cobra.Command {
	a := &app{}
	var configFile string
	root := &cobra.Command{
		Use:           "orchard",
		Short:         "Harvest open educational resources and search them by what their license allows",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cfg, used, err := loadConfig(configFile, cmd.Flags())
			if err != nil {
				return err
			}
			a.cfg, a.cfgFile = cfg, used
			a.log, err = newLogger(cmd.ErrOrStderr(), cfg.Log)
			return err
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&configFile, "config", "", "configuration file (default: orchard.yaml in ., $XDG_CONFIG_HOME/orchard, /etc/orchard)")
	addConfigFlags(pf)

	root.AddCommand(
		newConfigCmd(a),
		newImportCmd(a),
		newExportCmd(a),
		newSearchCmd(a),
		newHarvestCmd(a),
		newSourceCmd(a),
		newServeCmd(a),
		newWorkerCmd(a),
		newTokenCmd(a),
		newLicenseCmd(a),
		newAttributionCmd(a),
		newBackupCmd(a),
		newRestoreCmd(a),
		newLabCmd(a),
		newLinksCmd(a),
		newRecordCmd(a),
	)
	return root
}

func newLogger(w io.Writer, c LogConfig) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("config log.level: %q is not one of debug, info, warn, error", c.Level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.Format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("config log.format: %q is not text or json", c.Format)
}

func newConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the configuration",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration, secrets masked",
		Long: "Print the configuration after defaults, the configuration file, ORCHARD_* environment\n" +
			"variables and flags are applied, in that order of precedence (flags win).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if a.cfgFile != "" {
				fmt.Fprintf(out, "# from %s\n", a.cfgFile)
			} else {
				fmt.Fprintln(out, "# no configuration file; defaults, environment and flags")
			}
			enc := yaml.NewEncoder(out)
			enc.SetIndent(2)
			if err := enc.Encode(masked(a.cfg)); err != nil {
				return fmt.Errorf("print config: %w", err)
			}
			return enc.Close()
		},
	})
	return cmd
}
