// Command meridian-bench measures Meridian's performance targets and prints
// a Markdown table (see docs/BENCHMARKS.md):
//
//	go run ./bench/cmd/meridian-bench -scenario all -duration 10s
//
// Scenarios: append (event-store appends/s on SQLite and PostgreSQL),
// latency (command → read-model visibility at a steady command rate, SQLite
// + embedded NATS and PostgreSQL + external NATS), outbox (outbox relay
// versus raw asynchronous JetStream publishing), search (the in-memory search
// index against Bleve, SQLite FTS5 and PostgreSQL full-text search on -n
// generated postings; not part of "all", it takes several minutes at the
// default 1,000,000: run it with -scenario search), search-quality (the
// relevance suite of internal/search run on the same engines over the real
// postings: queries passed per engine and per query; not part of "all"),
// market (the market model built from -n generated postings' events, the
// full report over it, and salary percentile queries against PostgreSQL's
// percentile_cont over the same rows; not part of "all"), ws (-conns idle
// WebSocket connections held on Meridian's /ws, the server's memory per
// connection, and one event fanned out to -subscribers, against the
// centrifuge library over the same WebSocket library; not part of "all").
// PostgreSQL and external NATS figures are reported as skipped when those
// servers are unreachable.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/bench/marketbench"
	"github.com/meridianhq/meridian/bench/searchbench"
	"github.com/meridianhq/meridian/bench/wsbench"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/market/report"
	"github.com/meridianhq/meridian/internal/store"
)

func main() {
	wsbench.ServeIfChild() // this binary re-executed as a ws server or client worker
	var (
		scenario   = flag.String("scenario", "all", "comma-separated: append, latency, outbox, search, search-quality, market, ws, or all (all but search, search-quality, market and ws)")
		duration   = flag.Duration("duration", 10*time.Second, "duration of each latency run")
		appendDur  = flag.Duration("append-duration", 1500*time.Millisecond, "duration of each append figure")
		rate       = flag.Int("rate", 1000, "commands per second in the latency scenario")
		workers    = flag.Int("workers", 16, "command goroutines in the latency scenario")
		messages   = flag.Int("messages", 50000, "messages per outbox figure (a quarter of it on PostgreSQL)")
		latNormal  = flag.Bool("latency-normal", false, "also run the latency scenario on SQLite with synchronous=NORMAL")
		observe    = flag.String("observe", "waitfor,poll", "latency observers: waitfor (Runner.WaitFor per command), poll (checkpoint poll, no nudge)")
		pgURL      = flag.String("postgres", bench.PostgresBase(), "PostgreSQL server for the PostgreSQL figures (a throw-away database is created); empty skips them")
		natsURL    = flag.String("nats", bench.DefaultNATSURL, "external NATS server; empty skips the external-broker figures")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
		out        = flag.String("out", "", "also write the Markdown table to this file")
		only       = flag.String("only", "", "run only the figures whose setup description contains this text")
		repeat     = flag.Int("repeat", 3, "runs of each append figure (the median is reported)")
		searchN    = flag.Int("n", 1_000_000, "search and market scenarios: generated postings")
		engines    = flag.String("engines", strings.Join(searchbench.EngineNames, ","), "search and search-quality scenarios: engines to compare, in this order: "+strings.Join(searchbench.EngineNames, ", "))
		searchReps = flag.Int("queries", 3, "search and market scenarios: timed passes over the query mix (search: after one warm-up pass; market: the best is kept) and market report runs")
		quietWait  = flag.Duration("quiet-wait", 5*time.Second, "before each figure, wait up to this long until other processes and CPU steal take < 15% of the machine (shared machines)")
	)
	var ws wsFlags
	flag.IntVar(&ws.conns, "conns", 50_000, "ws scenario: idle connections held on Meridian's /ws (0 skips)")
	flag.IntVar(&ws.subscribers, "subscribers", 10_000, "ws scenario: subscribers of the fan-out, on each server (0 skips)")
	flag.IntVar(&ws.rounds, "ws-rounds", 20, "ws scenario: measured fan-out publishes per server (after 2 warm-up ones)")
	flag.DurationVar(&ws.gap, "ws-gap", 200*time.Millisecond, "ws scenario: pause after each fan-out publish is delivered")
	flag.DurationVar(&ws.settle, "ws-settle", 5*time.Second, "ws scenario: wait after the last idle connection before reading the server's memory")
	flag.BoolVar(&ws.idleCentrifuge, "ws-idle-centrifuge", true, "ws scenario: also hold -conns idle connections on centrifuge, for comparison")
	flag.StringVar(&ws.profileDir, "ws-pprof", "", "ws scenario: write the servers' heap, goroutine and CPU profiles to this directory")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	want := map[string]bool{}
	for _, s := range strings.Split(*scenario, ",") {
		want[strings.TrimSpace(s)] = true
	}
	all := want["all"]
	pgOK, pgWhy := reachablePostgres(ctx, *pgURL)
	natsOK, natsWhy := reachableNATS(*natsURL)

	started := time.Now()
	var rows []bench.Row
	add := func(r bench.Row) {
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "%-8s %-60s %s [%s] other load %s\n", r.Scenario, r.Setup, r.Figure, r.Verdict, r.Load)
	}
	quiet := func() { bench.WaitQuiet(ctx, 0.15, *quietWait) }

	if all || want["append"] {
		sqliteFull := bench.Target{Dialect: store.SQLite}
		sqliteNormal := bench.Target{Dialect: store.SQLite, SQLiteSync: "normal"}
		pg := bench.Target{Dialect: store.Postgres, PostgresURL: *pgURL}
		type c struct {
			t       bench.Target
			kind    bench.Kind
			batch   int
			writers int
			target  float64
		}
		cases := []c{
			{sqliteFull, bench.Plain, 1, 1, 0},
			{sqliteFull, bench.Plain, 100, 1, 20000},
			{sqliteFull, bench.Plain, 500, 1, 20000},
			{sqliteFull, bench.Personal, 500, 1, 20000},
			{sqliteNormal, bench.Plain, 1, 1, 0},
			{sqliteNormal, bench.Plain, 100, 1, 20000},
			{sqliteNormal, bench.Plain, 500, 1, 20000},
			{sqliteNormal, bench.Personal, 500, 1, 20000},
			{pg, bench.Plain, 1, 1, 0},
			{pg, bench.Plain, 1, 8, 0},
			{pg, bench.Plain, 100, 1, 5000},
			{pg, bench.Plain, 500, 1, 5000},
			{pg, bench.Personal, 500, 1, 5000},
		}
		for _, k := range cases {
			setup := fmt.Sprintf("%s, %s", k.t.Name(), describeAppend(k.batch, k.kind, k.writers))
			if !strings.Contains(setup, *only) {
				continue
			}
			target, verdict := "—", "info"
			if k.target > 0 {
				target = "≥ " + bench.Thousands(k.target) + " events/s"
			}
			if k.t.Dialect == store.Postgres && !pgOK {
				add(bench.Row{Scenario: "append", Setup: setup, Figure: "—", Target: target, Verdict: "skipped: " + pgWhy})
				continue
			}
			var rates []float64
			var calls float64
			var load bench.Load
			var err error
			for i := 0; i < max(*repeat, 1) && err == nil; i++ {
				quiet()
				var r bench.AppendResult
				r, err = bench.RunAppend(ctx, bench.AppendSpec{Target: k.t, Kind: k.kind, Batch: k.batch, Writers: k.writers, Duration: *appendDur})
				load = load.Max(r.Load)
				rates = append(rates, r.Rate())
				calls += float64(r.Calls) / r.Elapsed.Seconds() / float64(max(*repeat, 1))
			}
			if err != nil {
				add(bench.Row{Scenario: "append", Setup: setup, Figure: "error: " + err.Error(), Target: target, Verdict: "MISS", Load: load.String()})
				continue
			}
			med, lo, hi := bench.Median(rates)
			if k.target > 0 {
				verdict = bench.Verdict(med >= k.target)
			}
			fig := fmt.Sprintf("%s events/s", bench.Thousands(med))
			if len(rates) > 1 {
				fig += fmt.Sprintf(" (median of %d; %s–%s)", len(rates), bench.Thousands(lo), bench.Thousands(hi))
			}
			add(bench.Row{Scenario: "append", Setup: setup, Target: target, Verdict: verdict, Figure: fig, Load: load.String()})
		}
	}

	if all || want["latency"] {
		stacks := []bench.StackSpec{
			{Target: bench.Target{Dialect: store.SQLite}},
			{Target: bench.Target{Dialect: store.Postgres, PostgresURL: *pgURL}, NATSURL: *natsURL},
		}
		if *latNormal {
			stacks = append(stacks[:1], append([]bench.StackSpec{{Target: bench.Target{Dialect: store.SQLite, SQLiteSync: "normal"}}}, stacks[1:]...)...)
		}
		for _, st := range stacks {
			for _, obs := range strings.Split(*observe, ",") {
				obs = strings.TrimSpace(obs)
				setup := fmt.Sprintf("%s, %d commands/s for %s, %d workers, observed by %s", st.Name(), *rate, *duration, *workers, observeName(obs))
				target := "p99 < 50 ms at " + bench.Thousands(float64(*rate)) + "/s"
				if !strings.Contains(setup, *only) {
					continue
				}
				if st.Target.Dialect == store.Postgres && !pgOK {
					add(bench.Row{Scenario: "latency", Setup: setup, Figure: "—", Target: target, Verdict: "skipped: " + pgWhy})
					continue
				}
				if st.NATSURL != "" && !natsOK {
					add(bench.Row{Scenario: "latency", Setup: setup, Figure: "—", Target: target, Verdict: "skipped: " + natsWhy})
					continue
				}
				quiet()
				r, err := bench.RunLatency(ctx, bench.LatencySpec{Stack: st, Rate: *rate, Duration: *duration, Workers: *workers, Observe: bench.Observe(obs)})
				load := r.Load.String()
				if err != nil {
					add(bench.Row{Scenario: "latency", Setup: setup, Figure: "error: " + err.Error(), Target: target, Verdict: "MISS"})
					continue
				}
				ok := r.Visible.P99 < 50*time.Millisecond && r.Achieved() >= 0.98*float64(*rate) && r.Failed == 0 && r.Unapplied == 0 && r.Dropped == 0
				fig := fmt.Sprintf("visible %s; achieved %.0f commands/s (%d of %d done, %d dropped >1 s behind schedule, %d failed, %d never visible, %d started >10 ms late); command (slot → return) %s",
					r.Visible, r.Achieved(), r.Completed, r.Issued, r.Dropped, r.Failed, r.Unapplied, r.Late, r.Command)
				if r.Published.N > 0 {
					fig += "; published (outbox cursor) " + r.Published.String()
				}
				if r.DBTransactions >= 0 {
					fig += fmt.Sprintf("; %s PostgreSQL transactions", bench.Thousands(float64(r.DBTransactions)))
				}
				if r.FirstErr != nil {
					fig += "; first error: " + r.FirstErr.Error()
				}
				add(bench.Row{Scenario: "latency", Setup: setup, Figure: fig, Target: target, Verdict: bench.Verdict(ok), Load: load})
			}
		}
	}

	if all || want["outbox"] {
		stacks := []bench.StackSpec{
			{Target: bench.Target{Dialect: store.SQLite}},
			{Target: bench.Target{Dialect: store.SQLite}, NATSURL: *natsURL},
			{Target: bench.Target{Dialect: store.Postgres, PostgresURL: *pgURL}, NATSURL: *natsURL},
		}
		for _, st := range stacks {
			n := *messages
			if st.Target.Dialect == store.Postgres {
				n = max(n/4, 1) // filling the PostgreSQL outbox is slow (see the append figures)
			}
			setup := fmt.Sprintf("%s, %s messages", st.Name(), bench.Thousands(float64(n)))
			if !strings.Contains(setup, *only) {
				continue
			}
			if st.Target.Dialect == store.Postgres && !pgOK {
				add(bench.Row{Scenario: "outbox", Setup: setup, Figure: "—", Target: "—", Verdict: "skipped: " + pgWhy})
				continue
			}
			if st.NATSURL != "" && !natsOK {
				add(bench.Row{Scenario: "outbox", Setup: setup, Figure: "—", Target: "—", Verdict: "skipped: " + natsWhy})
				continue
			}
			quiet()
			r, err := bench.RunOutbox(ctx, bench.OutboxSpec{Stack: st, Messages: n})
			load := r.Load.String()
			if err != nil {
				add(bench.Row{Scenario: "outbox", Setup: setup, Figure: "error: " + err.Error(), Target: "—", Verdict: "MISS"})
				continue
			}
			add(bench.Row{Scenario: "outbox", Setup: setup, Target: "— (ratio reported)", Verdict: "info", Load: load,
				Figure: fmt.Sprintf("relay %s msgs/s vs raw %s msgs/s = %.2f× raw (%d-byte messages)",
					bench.Thousands(r.RelayRate()), bench.Thousands(r.RawRate()), r.Ratio(), r.MsgBytes)})
		}
	}

	var searchReport *searchbench.Report
	if want["search"] {
		var names []string
		for _, e := range strings.Split(*engines, ",") {
			if e = strings.TrimSpace(e); e != "" && (e != "postgres" || *pgURL != "") {
				names = append(names, e)
			}
		}
		quiet()
		r, err := searchbench.Run(searchbench.Config{N: *searchN, Seed: 1, Engines: names, Reps: *searchReps, PostgresURL: *pgURL, Log: os.Stderr})
		if err != nil {
			add(bench.Row{Scenario: "search", Setup: fmt.Sprintf("%s postings", bench.Thousands(float64(*searchN))), Figure: "error: " + err.Error(), Target: "—", Verdict: "MISS"})
		} else {
			searchReport = r
			for _, row := range r.Rows() {
				add(row)
			}
		}
	}

	var marketResult *marketbench.Result
	if want["market"] {
		quiet()
		pg := *pgURL
		if !pgOK {
			pg = ""
			add(bench.Row{Scenario: "market", Setup: "PostgreSQL percentile_cont", Figure: "—", Target: "—", Verdict: "skipped: " + pgWhy})
		}
		r, err := marketbench.Run(ctx, marketbench.Config{N: *searchN, Seed: 1, Reps: *searchReps, PostgresURL: pg, Report: marketReport, Log: os.Stderr})
		if err != nil {
			add(bench.Row{Scenario: "market", Setup: fmt.Sprintf("%s postings", bench.Thousands(float64(*searchN))), Figure: "error: " + err.Error(), Target: "—", Verdict: "MISS"})
		} else {
			marketResult = r
			for _, row := range r.Rows() {
				add(row)
			}
		}
	}

	var wsResult *wsbench.Result
	if want["ws"] {
		quiet()
		wsResult = runWS(ctx, ws, add)
	}

	var quality []searchbench.QualityResult
	if want["search-quality"] {
		var names []string
		for _, e := range strings.Split(*engines, ",") {
			if e = strings.TrimSpace(e); e == "" {
				continue
			}
			if e == "postgres" && !pgOK {
				add(bench.Row{Scenario: "quality", Setup: "PostgreSQL FTS, relevance suite on the real postings", Figure: "—", Target: "—", Verdict: "skipped: " + pgWhy})
				continue
			}
			names = append(names, e)
		}
		es, err := searchbench.QualityEngines(names, searchbench.Config{PostgresURL: *pgURL})
		if err == nil {
			quality, err = searchbench.Quality(es)
		}
		if err != nil {
			add(bench.Row{Scenario: "quality", Setup: "relevance suite on the real postings", Figure: "error: " + err.Error(), Target: "—", Verdict: "MISS"})
		}
		for _, r := range quality {
			fig, verdict := r.QualityRow()
			add(bench.Row{Scenario: "quality", Setup: r.Name + ", relevance suite on the real postings", Figure: fig, Target: "— (compared)", Verdict: verdict})
		}
	}

	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	m := bench.ThisMachine()
	bench.WriteTable(w, m, fmt.Sprintf("Run: %s, %s total.", time.Now().Format("2006-01-02 15:04 MST"), time.Since(started).Round(time.Second)), rows)
	if searchReport != nil {
		fmt.Fprintln(w)
		searchReport.WriteMarkdown(w)
	}
	if len(quality) > 0 {
		fmt.Fprintln(w)
		searchbench.WriteQualityMarkdown(w, quality)
	}
	if marketResult != nil {
		fmt.Fprintln(w)
		marketResult.WriteMarkdown(w)
	}
	writeWS(w, wsResult)
}

func describeAppend(batch int, kind bench.Kind, writers int) string {
	var s string
	if batch == 1 {
		s = "single (1 event per Append)"
	} else {
		s = fmt.Sprintf("batched (%d events per AppendBatch, 1 per stream)", batch)
	}
	if kind == bench.Personal {
		s += ", personal part sealed"
	} else {
		s += ", ~500-byte payload"
	}
	if writers > 1 {
		s += fmt.Sprintf(", %d concurrent writers", writers)
	}
	return s
}

func observeName(o string) string {
	switch bench.Observe(o) {
	case bench.ObservePoll:
		return "1 ms checkpoint poll"
	default:
		return "Runner.WaitFor"
	}
}

func reachablePostgres(ctx context.Context, u string) (bool, string) {
	if u == "" {
		return false, "no PostgreSQL URL"
	}
	db, _, cleanup, err := bench.OpenDB(ctx, bench.Target{Dialect: store.Postgres, PostgresURL: u})
	if err != nil {
		return false, "PostgreSQL unreachable (" + store.RedactURL(u) + ")"
	}
	_ = db
	cleanup()
	return true, ""
}

func reachableNATS(u string) (bool, string) {
	if u == "" {
		return false, "no NATS URL"
	}
	nc, err := nats.Connect(u, nats.Timeout(3*time.Second))
	if err != nil {
		return false, "NATS unreachable at " + u
	}
	nc.Close()
	return true, ""
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "meridian-bench:", err)
	os.Exit(1)
}

// marketReport writes the full market report, as meridian report does.
func marketReport(ctx context.Context, m *market.Model, dir string, now time.Time) error {
	r, err := report.Build(ctx, m, report.Extra{}, report.Options{Currency: "USD", Now: now})
	if err != nil {
		return err
	}
	return r.Write(dir)
}
