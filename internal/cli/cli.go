// Package cli is Meridian's command line: serve, migrate, demo, projections,
// config and version. It is the only package that reads flags, MERIDIAN_*
// environment variables and the config file; everything below it receives
// plain structs.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Version is set at build time with -ldflags "-X github.com/meridianhq/meridian/internal/cli.Version=...".
var Version = "dev"

// Main runs the command line with args (without the program name) and
// returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "meridian:", userMessage(err))
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

type usageError struct{ error }

func userMessage(err error) string { return meridian.MessageOf(err) }

// env is the process environment (a variable so tests can replace it).
var env = os.Getenv

type globals struct {
	stdout, stderr io.Writer
	configFile     string
	flags          *pflag.FlagSet
}

func flagName(yamlKey string) string { return strings.ReplaceAll(yamlKey, "_", "-") }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "meridian",
		Short: "Meridian: remote-first hiring for backend engineers, and the market intelligence behind it",
		Long: `Meridian runs as one binary. With no configuration it is fully embedded
(SQLite, NATS JetStream and an in-memory cache under --data-dir); with
MERIDIAN_DATABASE_URL, MERIDIAN_NATS_URL and MERIDIAN_REDIS_URL the same
binary runs as stateless nodes on PostgreSQL, a NATS cluster and Redis.

Every setting can be given as a flag, as a MERIDIAN_* environment variable
or in a YAML file (--config); flags win over the environment, which wins
over the file.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	g.flags = pf
	pf.StringVar(&g.configFile, "config", "", "YAML config file (env MERIDIAN_CONFIG)")
	defaults := config.Defaults()
	for _, s := range config.Settings() {
		usage := s.Usage + " (env " + s.Env + ")"
		switch s.Kind.String() {
		case "bool":
			pf.Bool(flagName(s.YAML), false, usage)
		case "int":
			pf.Int(flagName(s.YAML), 0, usage)
			_ = pf.Lookup(flagName(s.YAML)).Value.Set(defaults.Get(s.Field))
			pf.Lookup(flagName(s.YAML)).DefValue = defaults.Get(s.Field)
		default:
			pf.String(flagName(s.YAML), s.Default, usage)
		}
	}
	root.AddCommand(
		newServeCmd(g),
		newMigrateCmd(g),
		newDemoCmd(g),
		newProjectionsCmd(g),
		newConfigCmd(g),
		newVersionCmd(g),
		newOpenAPICmd(g),
		newUsersCmd(g),
		newOrgsCmd(g),
		newKeysCmd(g),
		newImportCmd(g),
		newExportCmd(g),
		newSkillsCmd(g),
		newReportCmd(g),
	)
	return root
}

// load builds the effective configuration: defaults, then the file, then
// the environment, then flags that were set.
func (g *globals) load() (config.Config, error) {
	cfg := config.Defaults()
	file := g.configFile
	if file == "" {
		file = env("MERIDIAN_CONFIG")
	}
	if file != "" {
		if err := cfg.LoadFile(file); err != nil {
			return cfg, err
		}
	}
	for _, s := range config.Settings() {
		if v, ok := lookupEnv(s.Env); ok {
			if err := cfg.Set(s.Field, v); err != nil {
				return cfg, fmt.Errorf("%s: %w", s.Env, err)
			}
		}
		if f := g.flags.Lookup(flagName(s.YAML)); f != nil && f.Changed {
			if err := cfg.Set(s.Field, f.Value.String()); err != nil {
				return cfg, usageError{fmt.Errorf("--%s: %w", f.Name, err)}
			}
		}
	}
	return cfg, cfg.Validate()
}

func lookupEnv(name string) (string, bool) {
	v := env(name)
	return v, v != ""
}

func (g *globals) logger(cfg config.Config) *slog.Logger {
	level, _ := cfg.SlogLevel()
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(g.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(g.stderr, opts))
}
