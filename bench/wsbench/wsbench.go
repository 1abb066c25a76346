// Package wsbench measures Meridian's live connections over WebSocket:
// how many idle connections one node holds and what each costs in
// memory, and how fast one event fans out to many subscribers, against
// the centrifuge library doing the same fan-out over the same WebSocket
// library (github.com/coder/websocket).
//
// Servers run in child processes (this binary run again, see
// ServeIfChild), so that their memory, RSS included, is theirs alone;
// the clients run in other child processes (client workers, at most
// 15,000 connections each), spread over loopback source addresses
// 127.0.0.1, 127.0.0.2, ... (20,000 connections each). A publish is stamped with
// CLOCK_MONOTONIC by the server just before it hands the message to its
// hub, inside the message; each client subtracts it from the same clock
// read as soon as the frame is read. Client and server share the
// machine's CPUs, so the latencies include the clients' own work.
package wsbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/meridianhq/meridian/bench"
)

// Config configures Run.
type Config struct {
	// Conns idle connections are held on Meridian (0: skip).
	Conns int
	// IdleCentrifuge also holds Conns on centrifuge, for comparison.
	IdleCentrifuge bool
	// Subscribers receive each fan-out publish, on each server (0: skip).
	Subscribers int
	// Rounds publishes per server are measured, after Warmup ones.
	Rounds, Warmup int
	// Gap is the pause after each publish is fully delivered.
	Gap time.Duration
	// Settle is the wait after the last connection before memory is read.
	Settle time.Duration
	// ProfileDir, if set, receives pprof profiles of the servers: heap
	// and goroutines with the idle connections, CPU during the fan-out.
	ProfileDir string
	Log        io.Writer
}

func (c *Config) defaults() {
	if c.Rounds <= 0 {
		c.Rounds = 20
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if c.Gap <= 0 {
		c.Gap = 200 * time.Millisecond
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Result is what Run measured.
type Result struct {
	Idle   []IdleResult
	Fanout *FanoutResult
}

// IdleResult is one server holding idle connections.
type IdleResult struct {
	Server string
	// Conns were held, of Requested: fewer when the open-file limit
	// (Limit says why) allows no more in one process.
	Conns, Requested int
	Limit            string
	Connect          time.Duration // time to open and subscribe them all
	// Before: the server with no connection; After: with Conns, after
	// Settle and a GC.
	Before, After Stats
	// Load is what other processes took meanwhile.
	Load bench.Load
}

// Per returns the growth of a measure per connection, in bytes.
func (r IdleResult) Per(f func(Stats) uint64) float64 {
	return (float64(f(r.After)) - float64(f(r.Before))) / float64(r.Conns)
}

// FanoutResult is the fan-out comparison: per server, every delivery's
// latency per measured round (publish stamp → client read).
type FanoutResult struct {
	Subscribers, Rounds int
	Servers             []string // Meridian, Centrifuge, Floor
	Latency             map[string][][]time.Duration
	Missing             map[string]int // deliveries not made within 10 s
	Elapsed             time.Duration
	Load                bench.Load // taken by other processes over the rounds
}

// All is every delivery of a server, over all measured rounds.
func (r *FanoutResult) All(server string) bench.Latencies {
	var all []time.Duration
	for _, l := range r.Latency[server] {
		all = append(all, l...)
	}
	return bench.Summarize(all)
}

// PerRound summarises each measured round of a server.
func (r *FanoutResult) PerRound(server string) []bench.Latencies {
	var out []bench.Latencies
	for _, l := range r.Latency[server] {
		out = append(out, bench.Summarize(append([]time.Duration(nil), l...)))
	}
	return out
}

// MedianRoundP99 is the median over the measured rounds of each round's
// p99: less swayed than the p99 of all deliveries by one round that a
// noisy machine slowed down.
func (r *FanoutResult) MedianRoundP99(server string) time.Duration {
	var p99 []time.Duration
	for _, l := range r.PerRound(server) {
		p99 = append(p99, l.P99)
	}
	return bench.Summarize(p99).P50
}

// Run runs the idle and fan-out measurements.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg.defaults()
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o750); err != nil {
			return nil, err
		}
	}
	res := &Result{}
	if cfg.Conns > 0 {
		kinds := []string{Meridian}
		if cfg.IdleCentrifuge {
			kinds = append(kinds, Centrifuge)
		}
		for _, k := range kinds {
			r, err := runIdle(ctx, cfg, k)
			if err != nil {
				return res, fmt.Errorf("%s, %d idle connections: %w", k, cfg.Conns, err)
			}
			res.Idle = append(res.Idle, r)
		}
	}
	if cfg.Subscribers > 0 {
		r, err := runFanout(ctx, cfg)
		if err != nil {
			return res, fmt.Errorf("fan-out to %d subscribers: %w", cfg.Subscribers, err)
		}
		res.Fanout = r
	}
	return res, nil
}

// fdMargin is the open files a server needs besides its connections.
const fdMargin = 256

func runIdle(ctx context.Context, cfg Config, kind string) (IdleResult, error) {
	r := IdleResult{Server: kind, Requested: cfg.Conns, Conns: cfg.Conns}
	if err := raiseNoFile(uint64(cfg.Conns) + fdMargin); err != nil { // #nosec G115 -- a positive count
		// The server process cannot hold them all: measure as many as it
		// can, and say so.
		hard := int(min(noFileMax(), 1<<30)) // #nosec G115 -- bounded
		if hard <= 2*fdMargin {
			return r, err
		}
		r.Conns, r.Limit = hard-fdMargin, err.Error()
		fmt.Fprintf(cfg.Log, "ws: %v: holding %d connections instead\n", err, r.Conns)
	}
	load := startLoad()
	srv, err := startServer(ctx, kind)
	if err != nil {
		return r, err
	}
	defer srv.stop()
	load.note(srv.child)
	if r.Before, err = srv.stats(ctx); err != nil {
		return r, err
	}
	fmt.Fprintf(cfg.Log, "ws: %s: opening %d connections\n", kind, r.Conns)
	start := time.Now()
	ws, err := startWorkers(ctx, kind, srv.wsURL(), 0, r.Conns, r.Conns, 0)
	if err != nil {
		return r, err
	}
	defer func() {
		for _, w := range ws {
			w.stop()
		}
	}()
	r.Connect = time.Since(start)
	for _, w := range ws {
		load.note(w.child)
	}
	fmt.Fprintf(cfg.Log, "ws: %s: %d connections in %s; settling %s\n", kind, r.Conns, r.Connect.Round(time.Millisecond), cfg.Settle)
	select {
	case <-time.After(cfg.Settle):
	case <-ctx.Done():
		return r, ctx.Err()
	}
	if r.After, err = srv.stats(ctx); err != nil {
		return r, err
	}
	r.Load = load.done()
	if r.After.Subscribers != r.Conns {
		return r, fmt.Errorf("the server counts %d subscribers of %d connections", r.After.Subscribers, r.Conns)
	}
	if cfg.ProfileDir != "" {
		for _, p := range []string{"heap", "goroutine"} {
			if err := srv.profile(ctx, p+"?gc=1", filepath.Join(cfg.ProfileDir, fmt.Sprintf("%s-idle-%s.pprof", kind, p))); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

func runFanout(ctx context.Context, cfg Config) (*FanoutResult, error) {
	kinds := []string{Meridian, Centrifuge, Floor}
	total := cfg.Warmup + cfg.Rounds
	res := &FanoutResult{Subscribers: cfg.Subscribers, Rounds: cfg.Rounds, Servers: kinds, Latency: map[string][][]time.Duration{}, Missing: map[string]int{}}
	if err := raiseNoFile(uint64(cfg.Subscribers) + fdMargin); err != nil { // #nosec G115 -- a positive count
		return nil, err
	}
	srvs := map[string]*serverProc{}
	workers := map[string][]*workerProc{}
	defer func() {
		for _, k := range kinds {
			for _, w := range workers[k] {
				w.stop()
			}
			if srvs[k] != nil {
				srvs[k].stop()
			}
		}
	}()
	for i, k := range kinds {
		srv, err := startServer(ctx, k)
		if err != nil {
			return nil, err
		}
		srvs[k] = srv
		fmt.Fprintf(cfg.Log, "ws: fan-out: connecting %d subscribers to %s\n", cfg.Subscribers, k)
		if workers[k], err = startWorkers(ctx, k, srv.wsURL(), i*cfg.Subscribers, cfg.Subscribers, len(kinds)*cfg.Subscribers, total); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		st, err := srv.stats(ctx)
		if err != nil {
			return nil, err
		}
		if st.Subscribers != cfg.Subscribers {
			return nil, fmt.Errorf("%s counts %d subscribers of %d", k, st.Subscribers, cfg.Subscribers)
		}
	}
	if cfg.ProfileDir != "" {
		// CPU profiles of the servers over the measured rounds.
		secs := int((time.Duration(cfg.Rounds*len(kinds)) * (cfg.Gap + 100*time.Millisecond)).Seconds()) + 1
		for _, k := range kinds {
			srv, file := srvs[k], filepath.Join(cfg.ProfileDir, k+"-fanout-cpu.pprof")
			go func() { _ = srv.profile(context.WithoutCancel(ctx), fmt.Sprintf("profile?seconds=%d", secs), file) }()
		}
	}
	start := time.Now()
	var load *loadMeter
	for round := range total {
		if round == cfg.Warmup {
			start = time.Now()
			load = startLoad()
			for _, k := range kinds {
				load.cpu[srvs[k].cmd.Process.Pid] = bench.ProcCPU(srvs[k].cmd.Process.Pid)
				for _, w := range workers[k] {
					load.cpu[w.cmd.Process.Pid] = bench.ProcCPU(w.cmd.Process.Pid)
				}
			}
		}
		// Each server goes first in turn.
		order := append(slices.Clone(kinds[round%len(kinds):]), kinds[:round%len(kinds)]...)
		for _, k := range order {
			if err := srvs[k].publish(ctx, round); err != nil {
				return nil, fmt.Errorf("%s: publish: %w", k, err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for _, w := range workers[k] {
				if err := w.waitRound(ctx, round, time.Until(deadline)); err != nil && ctx.Err() != nil {
					return nil, err
				} // else: a late round, counted as missing deliveries
			}
			time.Sleep(cfg.Gap)
		}
	}
	res.Elapsed = time.Since(start)
	if load != nil {
		res.Load = load.done()
	}
	for _, k := range kinds {
		lat := make([][]time.Duration, cfg.Rounds)
		for _, w := range workers[k] {
			l, err := w.report(ctx)
			if err != nil {
				return nil, fmt.Errorf("%s clients: %w", k, err)
			}
			for round := cfg.Warmup; round < total && round < len(l); round++ {
				for _, v := range l[round] {
					if v >= 0 {
						lat[round-cfg.Warmup] = append(lat[round-cfg.Warmup], time.Duration(v))
					} else {
						res.Missing[k]++
					}
				}
			}
		}
		res.Latency[k] = lat
	}
	return res, nil
}
