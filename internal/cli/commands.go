package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/demo"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/node"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

func newMigrateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate [up|status]",
		Short: "Apply database migrations (up, the default) or list them (status)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			action := "up"
			if len(args) == 1 {
				action = args[0]
			}
			if action != "up" && action != "status" {
				return usageError{fmt.Errorf("migrate takes up or status, not %q", action)}
			}
			cfg, err := g.load()
			if err != nil {
				return err
			}
			rt, err := node.OpenStore(cmd.Context(), cfg, g.logger(cfg)) // opening applies pending migrations
			if err != nil {
				return err
			}
			defer rt.Close()
			ms, err := rt.DB.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "VERSION\tNAME\tAPPLIED (%s)\n", rt.DB.Dialect())
			for _, m := range ms {
				at := m.AppliedAt
				if at == "" {
					at = "pending"
				}
				fmt.Fprintf(tw, "%04d\t%s\t%s\n", m.Version, m.Name, at)
			}
			return tw.Flush()
		},
	}
	return cmd
}

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Load the demo data set into the store (running server or not)",
		Long: `Loads the demo data set: organizations and published postings built from
real Hacker News "Who is hiring?" posts (January–April 2026), plus a few
fictional developer profiles and applications. It writes through the event
store, so a running server picks the events up through its outbox. Loading
twice does nothing the second time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			log := g.logger(cfg)
			rt, err := node.OpenStore(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer rt.Close()
			sum, err := demo.Load(cmd.Context(), app.New(rt.DB, nil, log), log)
			if err != nil {
				return err
			}
			if err := rt.CatchUp(cmd.Context()); err != nil {
				return err
			}
			b, _ := json.MarshalIndent(sum, "", "  ")
			fmt.Fprintln(g.stdout, string(b))
			return nil
		},
	}
}

func newProjectionsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "projections", Short: "Manage read-model projections"}
	cmd.AddCommand(&cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the SQL read models and saved-search alerts from event position 0",
		Long: `Deletes the SQL read models and applies every event again, in one
transaction, then does the same for the saved-search alerts: readers keep
seeing the old rows until each commits. Safe while a server runs on the same
store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			rt, err := node.OpenStore(cmd.Context(), cfg, g.logger(cfg))
			if err != nil {
				return err
			}
			defer rt.Close()
			for _, h := range []projection.Handler{readmodel.Projection{}, alerts.New(rt.DB, g.logger(cfg))} {
				n, err := projection.Rebuild(cmd.Context(), rt.DB, h)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "rebuilt %s from %d events\n", h.Name(), n)
			}
			return nil
		},
	})
	return cmd
}

func newConfigCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration (secrets redacted)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil && meridian.ErrorCode(err) != meridian.EInvalid {
				return err
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			red := cfg.Redacted()
			settings := config.Settings()
			sort.Slice(settings, func(i, j int) bool { return settings[i].YAML < settings[j].YAML })
			for _, s := range settings {
				fmt.Fprintf(tw, "%s\t%s\t(%s)\n", s.YAML, red[s.YAML], s.Env)
			}
			if ferr := tw.Flush(); ferr != nil {
				return ferr
			}
			if err != nil {
				return err // print the settings, then say what is wrong with them
			}
			return nil
		},
	}
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			goVersion := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				goVersion = bi.GoVersion
			}
			fmt.Fprintf(g.stdout, "meridian %s (%s)\n", Version, goVersion)
		},
	}
}

func newOpenAPICmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Print the REST API's OpenAPI 3.1 document",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s := rest.New(rest.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			b, err := json.MarshalIndent(s.OpenAPI(), "", "  ")
			if err != nil {
				return err
			}
			b = append(b, '\n')
			if out == "" {
				_, err = g.stdout.Write(b)
				return err
			}
			return os.WriteFile(out, b, 0o644)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to this file instead of standard output")
	return cmd
}
