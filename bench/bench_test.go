package bench_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/store"
)

// TestSmoke runs every scenario for a moment on SQLite and the embedded
// broker, so that the harness keeps compiling and working. The real runs
// are `go run ./bench/cmd/meridian-bench` (docs/BENCHMARKS.md).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke run of the benchmark harness skipped in -short mode")
	}
	ctx := context.Background()
	sqlite := bench.Target{Dialect: store.SQLite, SQLiteSync: "normal"}

	t.Run("append", func(t *testing.T) {
		for _, k := range []bench.Kind{bench.Plain, bench.Personal} {
			r, err := bench.RunAppend(ctx, bench.AppendSpec{Target: sqlite, Kind: k, Batch: 50, Duration: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if r.Events == 0 || r.Events%50 != 0 {
				t.Errorf("%s: appended %d events, want a positive multiple of 50", k, r.Events)
			}
		}
	})
	t.Run("latency", func(t *testing.T) {
		for _, o := range []bench.Observe{bench.ObserveWaitFor, bench.ObservePoll} {
			r, err := bench.RunLatency(ctx, bench.LatencySpec{Stack: bench.StackSpec{Target: sqlite}, Rate: 100, Duration: 300 * time.Millisecond, Workers: 4, Jobs: 8, Observe: o})
			if err != nil {
				t.Fatal(err)
			}
			if r.Failed != 0 || r.Unapplied != 0 || r.Visible.N != r.Completed || r.Completed != 30 {
				t.Errorf("%s: %+v, want 30 commands, all visible", o, r)
			}
		}
	})
	t.Run("outbox", func(t *testing.T) {
		r, err := bench.RunOutbox(ctx, bench.OutboxSpec{Stack: bench.StackSpec{Target: sqlite}, Messages: 1200})
		if err != nil {
			t.Fatal(err)
		}
		if r.RawRate() <= 0 || r.RelayRate() <= 0 || r.MsgBytes < 500 {
			t.Errorf("outbox: %+v", r)
		}
	})
}

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := bench.Summarize(d)
	if l.P50 != 50*time.Millisecond || l.P90 != 90*time.Millisecond || l.P99 != 99*time.Millisecond || l.Max != 100*time.Millisecond || l.N != 100 {
		t.Errorf("Summarize = %+v", l)
	}
	if med, lo, hi := bench.Median([]float64{3, 1, 2, 10}); med != 2.5 || lo != 1 || hi != 10 {
		t.Errorf("Median = %v %v %v", med, lo, hi)
	}
}

func TestJobPayloadSize(t *testing.T) {
	for i := 0; i < 50; i++ {
		if n := len(bench.JobPayload(i)); n < 400 || n > 650 {
			t.Errorf("JobPayload(%d) is %d bytes, want about 500", i, n)
		}
	}
	if s := bench.Thousands(1234567); s != "1,234,567" {
		t.Errorf("Thousands = %q", s)
	}
	if !strings.Contains(bench.ThisMachine().Go, "go") {
		t.Error("ThisMachine: no Go version")
	}
}
