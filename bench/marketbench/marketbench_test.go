package marketbench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/market"
)

// TestSmallRun runs the scenario on 5,000 postings: the model builds,
// every figure answers, and PostgreSQL's percentile_cont gives the same
// answers to the 25 queries (PostgreSQL is required under CI=true).
func TestSmallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	pg := bench.PostgresBase()
	if c, err := pgx.Connect(ctx, pg); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s: %v", pg, err)
		}
		t.Logf("PostgreSQL unreachable (%v): comparing without it", err)
		pg = ""
	} else {
		c.Close(ctx)
	}
	reports := 0
	res, err := Run(ctx, Config{N: 5000, Seed: 3, Reps: 1, PostgresURL: pg,
		Report: func(context.Context, *market.Model, string, time.Time) error { reports++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events < 10000 || len(res.Figures) != 8 || reports != 1 || len(res.Meridian) != len(res.Queries) {
		t.Fatalf("result: %d events, %d figures, %d reports, %d of %d queries", res.Events, len(res.Figures), reports, len(res.Meridian), len(res.Queries))
	}
	if pg != "" {
		if res.PGErr != nil || len(res.Postgres) != len(res.Queries) || len(res.Mismatches) > 0 {
			t.Fatalf("PostgreSQL comparison: %v, %d answers, mismatches %v", res.PGErr, len(res.Postgres), res.Mismatches)
		}
	}
	if rows := res.Rows(); len(rows) < 10 {
		t.Errorf("%d rows", len(rows))
	}
}
