// Package marketbench measures the market model at scale: how fast it is
// built from the event stream, how long the full report takes over it,
// and how its salary percentiles compare with PostgreSQL's
// percentile_cont over the same rows, in the same run. The postings are
// searchbench's generated corpus (real postings recombined).
package marketbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/bench/searchbench"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/skills"
)

// Config configures Run.
type Config struct {
	N    int
	Seed int64
	// Reps: timed report runs (the median is reported).
	Reps int
	// PostgresURL: server for the percentile_cont comparison ("" skips it;
	// schema "marketbench" in that database, dropped at the end).
	PostgresURL string
	// Report builds and writes the full report into dir.
	Report func(ctx context.Context, m *market.Model, dir string, now time.Time) error
	Log    io.Writer
}

// Result is what Run measured.
type Result struct {
	N, Events int
	Build     time.Duration
	HeapBytes uint64 // live heap held by the model
	// Snapshot: its size, and the time to write it and to load a model
	// from it (a node's restart).
	SnapshotBytes      int
	SnapSave, SnapLoad time.Duration
	Report             []time.Duration
	Figures            []Timed
	// Percentile queries: Meridian and PostgreSQL times per query of the
	// mix (same filters, same rows), and answers that differed.
	Queries    []string
	Meridian   []time.Duration
	Postgres   []time.Duration
	Mismatches []string
	PGErr      error
}

// Timed is one figure's time.
type Timed struct {
	Name string
	Time time.Duration
}

// Events turns documents into the events that publish them (drafted, then
// published at PublishedAt), and gives 2 % of them applications: an
// answer after 1-10 days, a hire for a fifth of those.
func Events(docs []search.Doc, seed int64) []eventstore.Event {
	out := make([]eventstore.Event, 0, 2*len(docs)+len(docs)/20)
	r := rand.New(rand.NewPCG(uint64(seed), 7)) // #nosec G115 G404 -- deterministic benchmark data from a seed; not security
	pos := int64(0)
	add := func(stream, typ string, at time.Time, payload any) {
		b, err := json.Marshal(payload)
		if err != nil {
			panic(err)
		}
		pos++
		out = append(out, eventstore.Event{Position: pos, StreamID: stream, Type: typ, Time: at, Payload: b})
	}
	for i := range docs {
		d := &docs[i]
		det := domain.JobDetails{Title: d.Title, Skills: d.Skills, Seniority: d.Seniority, EmploymentType: d.EmploymentType,
			Salary: d.Salary, Eligibility: d.Eligibility, TimeZone: d.TimeZone, PostedAt: d.PublishedAt}
		add(d.ID, domain.JobDrafted, d.PublishedAt, domain.JobDraftedEvent{OrgID: d.OrgID, Details: det, At: d.PublishedAt})
		add(d.ID, domain.JobPublished, d.PublishedAt, domain.JobStatusEvent{At: d.PublishedAt})
		if r.IntN(50) == 0 {
			app := "app-" + d.ID
			at := d.PublishedAt.Add(time.Duration(r.IntN(72)) * time.Hour)
			add(app, domain.ApplicationSubmitted, at, domain.ApplicationSubmittedEvent{JobID: d.ID, OrgID: d.OrgID, ProfileID: "p", CandidateID: "c", At: at})
			if r.IntN(4) > 0 {
				at2 := at.Add(time.Duration(24+r.IntN(216)) * time.Hour)
				to := domain.StageScreening
				if r.IntN(5) == 0 {
					to = domain.StageHired
				}
				add(app, domain.ApplicationStageChanged, at2, domain.StageChangedEvent{From: domain.StageApplied, To: to, At: at2})
			}
		}
	}
	return out
}

func logf(cfg Config, format string, args ...any) {
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, format+"\n", args...)
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Run generates the corpus, builds the model and measures it.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Reps <= 0 {
		cfg.Reps = 3
	}
	t0 := time.Now()
	docs := searchbench.Corpus(cfg.N, cfg.Seed)
	for i := range docs {
		docs[i].Description = "" // the model keeps none; free the memory
	}
	evs := Events(docs, cfg.Seed)
	logf(cfg, "market: %d postings, %d events generated in %s", len(docs), len(evs), time.Since(t0).Round(time.Millisecond))
	res := &Result{N: cfg.N, Events: len(evs)}

	before := heap()
	m := market.NewModel()
	t1 := time.Now()
	for i := 0; i < len(evs); i += 5000 {
		if err := m.Apply(ctx, evs[i:min(i+5000, len(evs))]); err != nil {
			return nil, err
		}
	}
	res.Build = time.Since(t1)
	if after := heap(); after > before { // evs are live in both readings
		res.HeapBytes = after - before
	}
	runtime.KeepAlive(evs)
	evs = nil
	runtime.GC() // the events are garbage now: measure the snapshot without them
	var snap bytes.Buffer
	t2 := time.Now()
	if err := m.Save(&snap); err != nil {
		return nil, err
	}
	res.SnapSave, res.SnapshotBytes = time.Since(t2), snap.Len()
	t2 = time.Now()
	if _, err := market.Load(&snap); err != nil {
		return nil, err
	}
	res.SnapLoad = time.Since(t2)

	logf(cfg, "market: model built in %s", res.Build.Round(time.Millisecond))
	now := searchbench.Now

	// Each figure once, the way the report asks for it.
	f := market.Filter{}
	figs := []struct {
		name string
		fn   func() error
	}{
		{"demand, all skills", func() error { _, err := m.Demand(f, market.KindSkill, false, 0, now); return err }},
		{"co-occurrence, top 40 skills' pairs", func() error { _, err := m.Cooccurrence(f, "", 1, 25, now); return err }},
		{"salaries by seniority (EUR)", func() error { _, err := m.Salaries(f, market.BySeniority, "EUR", 0, 0, now); return err }},
		{"salaries by top 20 skills", func() error { _, err := m.Salaries(f, market.BySkill, "USD", 0, 20, now); return err }},
		{"premiums, top 15 skills", func() error { _, err := m.Premiums(f, nil, "USD", 0, 15, now); return err }},
		{"weekly trends, 6 skills", func() error {
			_, err := m.Trends(f, market.Week, []market.SeriesKey{{Key: "python"}, {Key: "go"}, {Key: "aws"}, {Key: "typescript"}, {Key: "rust"}, {Key: "kubernetes"}}, now)
			return err
		}},
		{"claims", func() error { _, err := m.Claims(f, now); return err }},
		{"hiring times", func() error { _, err := m.HiringTimes(f, now); return err }},
	}
	for _, fg := range figs {
		t := time.Now()
		if err := fg.fn(); err != nil {
			return nil, fmt.Errorf("%s: %w", fg.name, err)
		}
		res.Figures = append(res.Figures, Timed{fg.name, time.Since(t)})
	}

	if cfg.Report != nil {
		dir, err := os.MkdirTemp("", "marketbench-report-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		for range cfg.Reps {
			t := time.Now()
			if err := cfg.Report(ctx, m, dir, now); err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			res.Report = append(res.Report, time.Since(t))
		}
		logf(cfg, "market: report %v", res.Report)
	}

	mix := queryMix(now)
	for _, q := range mix {
		res.Queries = append(res.Queries, q.name)
	}
	answers := make([][]float64, len(mix))
	for i, q := range mix {
		var best time.Duration
		for rep := range cfg.Reps {
			t := time.Now()
			s, err := m.Salaries(q.f, market.ByNone, "USD", market.DefaultMinN, 0, now)
			d := time.Since(t)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.name, err)
			}
			if rep == 0 || d < best {
				best = d
			}
			answers[i] = percentilesOf(s)
		}
		res.Meridian = append(res.Meridian, best)
	}
	if cfg.PostgresURL != "" {
		res.PGErr = runPostgres(ctx, cfg, docs, mix, answers, res)
	}
	return res, nil
}

func percentilesOf(s market.Salaries) []float64 {
	g := s.Groups[0]
	if g.Suppressed {
		return []float64{float64(g.N)}
	}
	return []float64{float64(g.N), g.P10.Value, g.P25.Value, g.P50.Value, g.P75.Value, g.P90.Value}
}

type query struct {
	name string
	f    market.Filter
	// where is the same selection over the PostgreSQL table.
	where string
	args  []any
}

func queryMix(now time.Time) []query {
	day := market.Day(now)
	var mix []query
	mix = append(mix, query{name: "all postings", where: "true"})
	for i, s := range append([]string{market.Unspecified}, domain.SeniorityLevels...) {
		mix = append(mix, query{name: "seniority " + s, f: market.Filter{Seniority: []string{s}}, where: "sen = $1", args: []any{i}})
	}
	for _, days := range []int32{7, 30, 90} {
		from := market.DayTime(day - days)
		mix = append(mix, query{name: fmt.Sprintf("last %d days", days), f: market.Filter{From: from}, where: "day >= $1", args: []any{day - days}})
	}
	for _, c := range []string{"US", "DE", "GB", "IN", "BR"} {
		places := append([]string{domain.Worldwide, c}, domain.RegionsOf(c)...)
		mix = append(mix, query{name: "open to " + c, f: market.Filter{Countries: []string{c}}, where: "places && $1", args: []any{places}})
	}
	for _, s := range []string{"go", "python", "aws", "kubernetes", "rust"} {
		mix = append(mix, query{name: "asking for " + s, f: market.Filter{Skills: []string{s}}, where: "skills @> $1", args: []any{[]string{s}}})
	}
	us := append([]string{domain.Worldwide, "US"}, domain.RegionsOf("US")...)
	mix = append(mix,
		query{name: "senior, open to US", f: market.Filter{Seniority: []string{"senior"}, Countries: []string{"US"}}, where: "sen = $1 AND places && $2", args: []any{slices.Index(domain.SeniorityLevels, "senior") + 1, us}},
		query{name: "go, last 90 days", f: market.Filter{Skills: []string{"go"}, From: market.DayTime(day - 90)}, where: "skills @> $1 AND day >= $2", args: []any{[]string{"go"}, day - 90}},
		query{name: "worldwide", f: market.Filter{Eligibility: market.EligWorldwide}, where: "places && $1", args: []any{[]string{domain.Worldwide}}},
	)
	return mix
}

// runPostgres loads the same postings (salary value, seniority, day,
// places, skills) into PostgreSQL and runs the mix with percentile_cont.
func runPostgres(ctx context.Context, cfg Config, docs []search.Doc, mix []query, answers [][]float64, res *Result) error {
	conn, err := pgx.Connect(ctx, cfg.PostgresURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range []string{`DROP SCHEMA IF EXISTS marketbench CASCADE`, `CREATE SCHEMA marketbench`,
		`CREATE TABLE marketbench.postings (id int PRIMARY KEY, salary float8, sen smallint NOT NULL, day int NOT NULL, places text[] NOT NULL, skills text[] NOT NULL)`} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return err
		}
	}
	defer func() { _, _ = conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS marketbench CASCADE`) }()
	tax := skills.Default()
	i := 0
	t := time.Now()
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"marketbench", "postings"}, []string{"id", "salary", "sen", "day", "places", "skills"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(docs) {
				return nil, nil
			}
			d := &docs[i]
			i++
			var sal any
			if v, ok := market.AnnualMidUSD(d.Salary); ok {
				sal = v
			}
			sk := []string{}
			for _, s := range d.Skills {
				if _, ok := tax.Get(s.Skill); ok && !slices.Contains(sk, s.Skill) {
					sk = append(sk, s.Skill)
				}
			}
			places := d.Eligibility.Places()
			for j := range places {
				places[j] = strings.ToUpper(places[j])
			}
			return []any{i, sal, slices.Index(domain.SeniorityLevels, d.Seniority) + 1, market.Day(d.PublishedAt), places, sk}, nil
		}))
	if err != nil {
		return err
	}
	for _, s := range []string{`CREATE INDEX ON marketbench.postings (day)`, `CREATE INDEX ON marketbench.postings (sen)`,
		`CREATE INDEX ON marketbench.postings USING gin (places)`, `CREATE INDEX ON marketbench.postings USING gin (skills)`,
		`VACUUM ANALYZE marketbench.postings`} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return err
		}
	}
	logf(cfg, "market: PostgreSQL table loaded and indexed in %s", time.Since(t).Round(time.Millisecond))
	for qi, q := range mix {
		sql := `SELECT count(salary), percentile_cont(ARRAY[0.1,0.25,0.5,0.75,0.9]) WITHIN GROUP (ORDER BY salary) FROM marketbench.postings WHERE salary IS NOT NULL AND ` + q.where
		var best time.Duration
		var n int
		var ps []float64
		for rep := range cfg.Reps {
			t := time.Now()
			ps = nil
			if err := conn.QueryRow(ctx, sql, q.args...).Scan(&n, &ps); err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			if d := time.Since(t); rep == 0 || d < best {
				best = d
			}
		}
		res.Postgres = append(res.Postgres, best)
		want := answers[qi]
		if int(want[0]) != n {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s: n %d vs %d", q.name, int(want[0]), n))
			continue
		}
		if len(want) == 1 {
			continue // suppressed on Meridian's side
		}
		for k, p := range ps {
			if math.Abs(math.Round(p)-want[k+1]) > 1 {
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s: p%d %.0f vs %.2f", q.name, []int{10, 25, 50, 75, 90}[k], want[k+1], p))
			}
		}
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

// Rows are the benchmark table's rows.
func (r *Result) Rows() []bench.Row {
	setup := fmt.Sprintf("%s postings", bench.Thousands(float64(r.N)))
	rows := []bench.Row{
		{Scenario: "market", Setup: setup + ", model built from the event stream", Figure: fmt.Sprintf("%s events/s (%s)", bench.Thousands(float64(r.Events)/r.Build.Seconds()), r.Build.Round(time.Millisecond)), Target: "—", Verdict: "info"},
		{Scenario: "market", Setup: setup + ", model memory", Figure: fmt.Sprintf("%.0f B/posting", float64(r.HeapBytes)/float64(r.N)), Target: "—", Verdict: "info"},
		{Scenario: "market", Setup: setup + ", snapshot written / restart from it", Figure: fmt.Sprintf("%.0f MB; saved in %s, loaded in %s", float64(r.SnapshotBytes)/1e6, r.SnapSave.Round(time.Millisecond), r.SnapLoad.Round(time.Millisecond)), Target: "—", Verdict: "info"},
	}
	if len(r.Report) > 0 {
		med := median(r.Report)
		rows = append(rows, bench.Row{Scenario: "market", Setup: setup + ", full report (figures + HTML, Markdown, CSVs written)", Figure: med.Round(time.Millisecond).String() + " (median of " + fmt.Sprint(len(r.Report)) + ")", Target: "< 1 s", Verdict: bench.Verdict(med < time.Second)})
	}
	for _, f := range r.Figures {
		rows = append(rows, bench.Row{Scenario: "market", Setup: setup + ", " + f.Name, Figure: f.Time.Round(10 * time.Microsecond).String(), Target: "—", Verdict: "info"})
	}
	mer := sum(r.Meridian)
	rows = append(rows, bench.Row{Scenario: "market", Setup: fmt.Sprintf("%s, %d salary percentile queries (p10-p90 + bootstrap CIs), Meridian", setup, len(r.Queries)),
		Figure: fmt.Sprintf("median %s, total %s", median(r.Meridian).Round(time.Microsecond), mer.Round(time.Microsecond)), Target: "—", Verdict: "info"})
	switch {
	case r.PGErr != nil:
		rows = append(rows, bench.Row{Scenario: "market", Setup: setup + ", PostgreSQL percentile_cont", Figure: "error: " + r.PGErr.Error(), Target: "—", Verdict: "skipped: " + r.PGErr.Error()})
	case len(r.Postgres) > 0:
		pg := sum(r.Postgres)
		verdict := "info"
		if len(r.Mismatches) > 0 {
			verdict = fmt.Sprintf("MISS: %d answers differ", len(r.Mismatches))
		}
		rows = append(rows, bench.Row{Scenario: "market", Setup: fmt.Sprintf("%s, same %d queries, PostgreSQL percentile_cont (indexed)", setup, len(r.Queries)),
			Figure: fmt.Sprintf("median %s, total %s: %.0f× Meridian's time", median(r.Postgres).Round(time.Microsecond), pg.Round(time.Microsecond), float64(pg)/float64(mer)), Target: "— (compared)", Verdict: verdict})
	}
	return rows
}

// WriteMarkdown writes the per-query comparison.
func (r *Result) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "| percentile query (%s postings) | Meridian | PostgreSQL percentile_cont | ratio |\n|---|---:|---:|---:|\n", bench.Thousands(float64(r.N)))
	for i, q := range r.Queries {
		pg, ratio := "—", "—"
		if i < len(r.Postgres) {
			pg = r.Postgres[i].Round(time.Microsecond).String()
			ratio = fmt.Sprintf("%.0f×", float64(r.Postgres[i])/float64(r.Meridian[i]))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", q, r.Meridian[i].Round(time.Microsecond), pg, ratio)
	}
	for _, m := range r.Mismatches {
		fmt.Fprintf(w, "\nMismatch: %s\n", m)
	}
}
