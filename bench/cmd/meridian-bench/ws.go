package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/bench/wsbench"
)

// wsFlags are the ws scenario's flags.
type wsFlags struct {
	conns, subscribers, rounds int
	gap, settle                time.Duration
	idleCentrifuge             bool
	profileDir                 string
}

// runWS runs the ws scenario: idle connections held by one node and
// fan-out latency against centrifuge (bench/wsbench).
func runWS(ctx context.Context, f wsFlags, add func(bench.Row)) *wsbench.Result {
	r, err := wsbench.Run(ctx, wsbench.Config{Conns: f.conns, IdleCentrifuge: f.idleCentrifuge, Subscribers: f.subscribers,
		Rounds: f.rounds, Warmup: 2, Gap: f.gap, Settle: f.settle, ProfileDir: f.profileDir, Log: os.Stderr})
	if err != nil {
		add(bench.Row{Scenario: "ws", Setup: fmt.Sprintf("%s connections, fan-out to %s", bench.Thousands(float64(f.conns)), bench.Thousands(float64(f.subscribers))),
			Figure: "error: " + err.Error(), Target: "—", Verdict: "MISS"})
	}
	if r != nil {
		for _, row := range r.Rows() {
			add(row)
		}
	}
	return r
}

func writeWS(w io.Writer, r *wsbench.Result) {
	if r != nil && r.Fanout != nil {
		fmt.Fprintln(w)
		r.WriteMarkdown(w)
	}
}
