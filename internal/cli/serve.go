package cli

import (
	"context"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/meridianhq/meridian/internal/config"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/node"
)

func newServeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run Meridian (embedded by default; cluster node with MERIDIAN_DATABASE_URL)",
		Long: `Runs the HTTP API, the outbox relay, the read-model projector and the
expiry scheduler until interrupted (Ctrl-C shuts down gracefully).

On the first start in embedded mode it loads the demo data set (real Hacker
News "Who is hiring?" postings from early 2026); --no-demo skips that.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			return serve(cmd.Context(), g, cfg)
		},
	}
}

// lockDataDir keeps a second serve process off the same embedded data
// directory (its relay and broker are single-process).
func lockDataDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "serve.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, meridian.Errorf(meridian.EConflict, "another meridian serve is using %s", dir)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func serve(ctx context.Context, g *globals, cfg config.Config) error {
	log := g.logger(cfg)
	if cfg.Embedded() {
		unlock, err := lockDataDir(cfg.DataDir)
		if err != nil {
			return err
		}
		defer unlock()
	}
	n, err := node.Start(ctx, node.Options{Config: cfg, Log: log, Stdout: g.stdout, DevAuth: cfg.DevAuth, Version: Version})
	if err != nil {
		return err
	}
	return n.Wait()
}
