package wsbench

import (
	"fmt"
	"io"
	"time"

	"github.com/meridianhq/meridian/bench"
)

const (
	mib = 1 << 20
	gib = 1 << 30
)

// IdleTarget is the target: connections held under MemTarget.
const (
	IdleTarget   = 50_000
	MemTarget    = gib
	FanoutTarget = 100 * time.Millisecond // Meridian's p99
)

func kib(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }

func mibs(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/mib) }

func serverName(k string) string {
	switch k {
	case Centrifuge:
		return "centrifuge v0.40.1 (coder/websocket transport)"
	case Floor:
		return "floor (the same frames written straight to the sockets, no library or hub)"
	}
	return "Meridian /ws"
}

// Rows are the report's table rows.
func (r *Result) Rows() []bench.Row {
	var rows []bench.Row
	for _, i := range r.Idle {
		heapStack := i.After.HeapInuse + i.After.StackInuse
		fig := fmt.Sprintf("server RSS %s (peak %s), Go heap in use %s + stacks %s = %s; per connection: RSS %s, heap %s + stacks %s = %s, %.1f goroutines; %s to connect",
			mibs(i.After.RSS), mibs(i.After.RSSPeak), mibs(i.After.HeapInuse), mibs(i.After.StackInuse), mibs(heapStack),
			kib(i.Per(func(s Stats) uint64 { return s.RSS })), kib(i.Per(func(s Stats) uint64 { return s.HeapInuse })),
			kib(i.Per(func(s Stats) uint64 { return s.StackInuse })), kib(i.Per(func(s Stats) uint64 { return s.HeapInuse + s.StackInuse })),
			float64(i.After.Goroutines-i.Before.Goroutines)/float64(i.Conns), i.Connect.Round(100*time.Millisecond))
		// What Requested connections would take at the measured cost per
		// connection, when the open-file limit stopped short of them.
		projected := float64(i.Before.RSS) + i.Per(func(s Stats) uint64 { return s.RSS })*float64(i.Requested)
		if i.Conns < i.Requested {
			fig += fmt.Sprintf("; %s connections would need RSS ≈ %.2f GiB at this cost (not measured: %s)", bench.Thousands(float64(i.Requested)), projected/gib, i.Limit)
		}
		row := bench.Row{Scenario: "ws", Setup: fmt.Sprintf("%s, %s idle connections subscribed to jobs.new, server in its own process", serverName(i.Server), bench.Thousands(float64(i.Conns))),
			Figure: fig, Target: "—", Verdict: "info", Load: i.Load.String()}
		if i.Server == Meridian {
			row.Target = fmt.Sprintf("≥ %s connections, RSS < 1 GiB", bench.Thousands(IdleTarget))
			held := i.After.RSS > 0 && i.After.RSS < MemTarget && i.After.RSSPeak < MemTarget
			switch {
			case i.Conns >= IdleTarget:
				row.Verdict = bench.Verdict(held)
			case !held || projected >= MemTarget:
				row.Verdict = "MISS" // already over, or over at the measured cost per connection
			default:
				row.Verdict = "skipped: fewer connections than the target could be opened (" + i.Limit + ")"
			}
		}
		rows = append(rows, row)
	}
	if f := r.Fanout; f != nil {
		for _, k := range f.Servers {
			all := f.All(k)
			row := bench.Row{Scenario: "ws", Setup: fmt.Sprintf("%s, one jobs.new event to %s subscribers, %d rounds", serverName(k), bench.Thousands(float64(f.Subscribers)), f.Rounds),
				Figure: fmt.Sprintf("delivery %s; median round's p99 %s ms; %d missing", all, ms(f.MedianRoundP99(k)), f.Missing[k]), Target: "—", Verdict: "info", Load: f.Load.String()}
			if k == Meridian {
				row.Target = "p99 < 100 ms"
				row.Verdict = bench.Verdict(all.N > 0 && all.P99 < FanoutTarget && f.Missing[k] == 0)
			}
			rows = append(rows, row)
		}
		m := f.All(Meridian)
		for _, k := range f.Servers[1:] {
			if c := f.All(k); c.P50 > 0 && c.P99 > 0 && c.Max > 0 {
				rows = append(rows, bench.Row{Scenario: "ws", Setup: "fan-out ratio Meridian / " + k + ", same run, rounds interleaved",
					Figure: fmt.Sprintf("p50 %.2f×, p99 %.2f×, max %.2f×", ratio(m.P50, c.P50), ratio(m.P99, c.P99), ratio(m.Max, c.Max)), Target: "— (compared)", Verdict: "info", Load: f.Load.String()})
			}
		}
	}
	return rows
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// WriteMarkdown writes the per-round fan-out latencies.
func (r *Result) WriteMarkdown(w io.Writer) {
	f := r.Fanout
	if f == nil {
		return
	}
	fmt.Fprintf(w, "Fan-out to %s subscribers per server, per round (ms; each server publishes first in turn):\n\n", bench.Thousands(float64(f.Subscribers)))
	head, rule := "| round |", "| --- |"
	for _, k := range f.Servers {
		head += " " + k + " p50 | p99 | max |"
		rule += " --- | --- | --- |"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for i := range f.Rounds {
		line := fmt.Sprintf("| %d |", i+1)
		for _, k := range f.Servers {
			if r := f.PerRound(k); i < len(r) {
				line += fmt.Sprintf(" %s | %s | %s |", ms(r[i].P50), ms(r[i].P99), ms(r[i].Max))
			} else {
				line += " — | — | — |"
			}
		}
		fmt.Fprintln(w, line)
	}
	line := "| all |"
	for _, k := range f.Servers {
		a := f.All(k)
		line += fmt.Sprintf(" %s | %s | %s |", ms(a.P50), ms(a.P99), ms(a.Max))
	}
	fmt.Fprintln(w, line)
}
