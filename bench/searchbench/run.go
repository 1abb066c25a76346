package searchbench

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/search"
)

// EngineNames are the engines Run knows, in run order (Meridian first: the
// peers' overlap is measured against its results).
var EngineNames = []string{"meridian", "bleve", "fts5", "postgres"}

// Config configures Run.
type Config struct {
	// N postings generated with Seed (Corpus); Mix(Seed) is the query mix.
	N    int
	Seed int64
	// Engines to run (EngineNames; empty: all).
	Engines []string
	// Reps: timed passes over the mix after one untimed warm-up pass.
	Reps int
	// PostgresURL of the server for the PostgreSQL engine (schema
	// "searchbench" in that database, dropped at the end).
	PostgresURL string
	// TempDir for the SQLite database and the Meridian snapshot (default
	// os.TempDir()).
	TempDir string
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// Report is the outcome of Run.
type Report struct {
	N            int
	Seed         int64
	Reps         int
	Queries      []NamedQuery
	CorpusTime   time.Duration
	DescBytes    float64 // mean description length
	Engines      []*EngineResult
	meridianTops [][]string
}

// EngineResult is one engine's figures.
type EngineResult struct {
	Name string
	// Err: the engine could not be built or run (Skipped: because a
	// server is unreachable).
	Err     error
	Skipped bool
	Build   time.Duration
	// Per kind and over the whole mix.
	Kinds map[string]*KindStats
	All   Percentiles
	// QueryErrs counts failed queries; FirstQueryErr is the first.
	QueryErrs     int
	FirstQueryErr error
	// Size of the engine's storage when it reports one (database files,
	// PostgreSQL relation sizes) or heap growth over the build (Bleve).
	Size     int64
	SizeWhat string
	// Meridian only: heap bytes per posting held by the index (built from
	// fresh copies of every posting, descriptions included, that only the
	// index could keep alive), and snapshot figures.
	MemPerDoc  float64
	SnapSave   time.Duration
	SnapLoad   time.Duration
	SnapBytes  int64
	SnapErr    error
	Totals     []int
	Tops       [][]string
	perQueryNS [][]time.Duration
}

// Rate is the build throughput in postings per second.
func (r *EngineResult) Rate(n int) float64 {
	if r.Build <= 0 {
		return 0
	}
	return float64(n) / r.Build.Seconds()
}

// KindStats are the figures of one kind of query.
type KindStats struct {
	Percentiles
	// Overlap is the mean overlap@10 with Meridian's results (share of
	// Meridian's first 10 ids among this engine's first 10; 1 when both
	// are empty); -1 when not measured.
	Overlap float64
}

// Percentiles of a latency sample.
type Percentiles struct {
	N             int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	q := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return Percentiles{N: len(s), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: s[len(s)-1]}
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "searchbench: "+format+"\n", args...)
	}
}

// NewEngine returns the engine of a name of EngineNames.
func NewEngine(name string, cfg Config) (Engine, error) {
	switch name {
	case "meridian":
		return NewMeridian(), nil
	case "bleve":
		return &Bleve{Dir: cfg.TempDir, BatchSize: 10_000}, nil
	case "fts5":
		return &FTS5{Dir: cfg.TempDir}, nil
	case "postgres":
		return NewPostgres(cfg.PostgresURL), nil
	}
	return nil, fmt.Errorf("unknown engine %q (want %s)", name, strings.Join(EngineNames, ", "))
}

// Run generates the corpus, then builds and queries each engine in turn.
func Run(cfg Config) (*Report, error) {
	if cfg.Reps <= 0 {
		cfg.Reps = 3
	}
	if cfg.PostgresURL == "" {
		cfg.PostgresURL = bench.PostgresBase()
	}
	names := cfg.Engines
	if len(names) == 0 {
		names = EngineNames
	}
	// Run in EngineNames order.
	var ordered []string
	for _, n := range EngineNames {
		if slices.Contains(names, n) {
			ordered = append(ordered, n)
		}
	}
	for _, n := range names {
		if !slices.Contains(EngineNames, n) {
			return nil, fmt.Errorf("unknown engine %q (want %s)", n, strings.Join(EngineNames, ", "))
		}
	}
	rep := &Report{N: cfg.N, Seed: cfg.Seed, Reps: cfg.Reps, Queries: Mix(cfg.Seed)}
	cfg.logf("generating %d postings", cfg.N)
	start := time.Now()
	docs := Corpus(cfg.N, cfg.Seed)
	rep.CorpusTime = time.Since(start)
	var db int
	for i := range docs {
		db += len(docs[i].Description)
	}
	rep.DescBytes = float64(db) / float64(max(len(docs), 1))
	cfg.logf("corpus ready in %s (%.0f-byte descriptions on average); %d queries × %d reps", rep.CorpusTime.Round(time.Millisecond), rep.DescBytes, len(rep.Queries), cfg.Reps)

	for _, name := range ordered {
		e, err := NewEngine(name, cfg)
		if err != nil {
			return nil, err
		}
		res := runEngine(&cfg, e, docs, rep)
		rep.Engines = append(rep.Engines, res)
		if name == "meridian" && res.Err == nil {
			rep.meridianTops = res.Tops
		}
		runtime.GC()
		debug.FreeOSMemory()
	}
	rep.overlaps()
	return rep, nil
}

// protect runs f, turning a panic into an error (Meridian's index panics
// until it is implemented).
func protect(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func runEngine(cfg *Config, e Engine, docs []search.Doc, rep *Report) *EngineResult {
	res := &EngineResult{Name: e.Name(), Kinds: map[string]*KindStats{}}
	defer func() {
		if err := protect(e.Close); err != nil && res.Err == nil {
			res.Err = fmt.Errorf("close: %w", err)
		}
	}()
	m, isMeridian := e.(*Meridian)
	if isMeridian {
		cfg.logf("%s: measuring index memory", e.Name())
		res.MemPerDoc, res.Err = meridianMemory(docs)
		if res.Err != nil {
			cfg.logf("%s: %v", e.Name(), res.Err)
			return res
		}
	}
	cfg.logf("%s: building", e.Name())
	h0 := heapAlloc()
	start := time.Now()
	err := protect(func() error { return e.Build(docs) })
	res.Build = time.Since(start)
	if err != nil {
		res.Err = fmt.Errorf("build: %w", err)
		if _, ok := e.(*Postgres); ok && strings.Contains(err.Error(), "connect") {
			res.Skipped = true
		}
		cfg.logf("%s: %v", e.Name(), res.Err)
		return res
	}
	if s, ok := e.(interface{ Size() (int64, string) }); ok {
		res.Size, res.SizeWhat = s.Size()
	}
	if b, ok := e.(*Bleve); ok && b.InMemory {
		if h := heapAlloc(); h > h0 {
			res.Size, res.SizeWhat = int64(h-h0), "heap growth over the build" // #nosec G115 -- heap growth of one build, far below 2^63
		}
	}
	cfg.logf("%s: built in %s (%s postings/s)", e.Name(), res.Build.Round(time.Millisecond), bench.Thousands(res.Rate(len(docs))))
	if isMeridian {
		res.SnapSave, res.SnapLoad, res.SnapBytes, res.SnapErr = meridianSnapshot(cfg.TempDir, m.Index, len(docs))
		if res.SnapErr != nil {
			cfg.logf("%s: snapshot: %v", e.Name(), res.SnapErr)
		} else {
			cfg.logf("%s: snapshot %s MB saved in %s, loaded in %s", e.Name(), bench.Thousands(float64(res.SnapBytes)/1e6), res.SnapSave.Round(time.Millisecond), res.SnapLoad.Round(time.Millisecond))
		}
	}

	qs := rep.Queries
	res.Totals = make([]int, len(qs))
	res.Tops = make([][]string, len(qs))
	res.perQueryNS = make([][]time.Duration, len(qs))
	one := func(i int) (time.Duration, []string, int, error) {
		q := &qs[i]
		var ids []string
		var total int
		start := time.Now()
		err := protect(func() error {
			var err error
			if q.Kind == KindMatch {
				ids, total, err = e.Match(q.Profile)
			} else {
				ids, total, err = e.Search(q.Query)
			}
			return err
		})
		return time.Since(start), ids, total, err
	}
	cfg.logf("%s: warm-up pass", e.Name())
	for i := range qs {
		_, ids, total, err := one(i)
		if err != nil {
			res.QueryErrs++
			if res.FirstQueryErr == nil {
				res.FirstQueryErr = fmt.Errorf("%s: %w", qs[i].Name, err)
				cfg.logf("%s: %v", e.Name(), res.FirstQueryErr)
			}
			res.Totals[i] = -2
			continue
		}
		res.Totals[i] = total
		res.Tops[i] = ids[:min(10, len(ids))]
	}
	cfg.logf("%s: %d timed passes", e.Name(), cfg.Reps)
	for r := 0; r < cfg.Reps; r++ {
		for i := range qs {
			if res.Totals[i] == -2 {
				continue
			}
			d, _, _, err := one(i)
			if err != nil {
				continue
			}
			res.perQueryNS[i] = append(res.perQueryNS[i], d)
		}
	}
	var all []time.Duration
	byKind := map[string][]time.Duration{}
	for i, q := range qs {
		byKind[q.Kind] = append(byKind[q.Kind], res.perQueryNS[i]...)
		if q.Kind != KindMatch {
			byKind[KindSearch] = append(byKind[KindSearch], res.perQueryNS[i]...)
		}
		all = append(all, res.perQueryNS[i]...)
	}
	for k, d := range byKind {
		res.Kinds[k] = &KindStats{Percentiles: percentiles(d), Overlap: -1}
	}
	res.All = percentiles(all)
	cfg.logf("%s: mix p50 %s p95 %s p99 %s", e.Name(), fmtMS(res.All.P50), fmtMS(res.All.P95), fmtMS(res.All.P99))
	return res
}

// cloneDoc copies every string and slice of d, so that the copy shares no
// memory with the corpus.
func cloneDoc(d *search.Doc) search.Doc {
	c := *d
	c.ID, c.OrgID, c.OrgName = strings.Clone(d.ID), strings.Clone(d.OrgID), strings.Clone(d.OrgName)
	c.Title, c.Description = strings.Clone(d.Title), strings.Clone(d.Description)
	c.Seniority, c.EmploymentType = strings.Clone(d.Seniority), strings.Clone(d.EmploymentType)
	c.Skills = slices.Clone(d.Skills)
	for i := range c.Skills {
		c.Skills[i].Skill = strings.Clone(c.Skills[i].Skill)
	}
	if d.Salary != nil {
		s := *d.Salary
		c.Salary = &s
	}
	c.Eligibility = domain.Eligibility{Worldwide: d.Eligibility.Worldwide, Countries: slices.Clone(d.Eligibility.Countries), Regions: slices.Clone(d.Eligibility.Regions)}
	if d.TimeZone != nil {
		tz := *d.TimeZone
		if tz.MinUTCOffset != nil {
			v := *tz.MinUTCOffset
			tz.MinUTCOffset = &v
		}
		if tz.MaxUTCOffset != nil {
			v := *tz.MaxUTCOffset
			tz.MaxUTCOffset = &v
		}
		c.TimeZone = &tz
	}
	return c
}

// meridianMemory builds an index from fresh copies of the postings
// (nothing shared with the corpus; each copy is garbage once Put returns
// unless the index keeps part of it) and returns the heap growth per
// posting, after a full GC on both sides.
func meridianMemory(docs []search.Doc) (float64, error) {
	before := heapAlloc()
	var ix *search.Index
	err := protect(func() error {
		ix = search.NewIndex()
		for i := range docs {
			ix.Put(cloneDoc(&docs[i]))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("memory build: %w", err)
	}
	after := heapAlloc()
	runtime.KeepAlive(ix)
	if ix.Len() != len(docs) {
		return 0, fmt.Errorf("memory build: index holds %d postings, want %d", ix.Len(), len(docs))
	}
	return (float64(after) - float64(before)) / float64(max(len(docs), 1)), nil
}

// meridianSnapshot saves ix to a file, loads it back and checks its size.
func meridianSnapshot(dir string, ix *search.Index, n int) (save, load time.Duration, size int64, err error) {
	err = protect(func() error {
		f, err := os.CreateTemp(dir, "searchbench-snapshot-")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		start := time.Now()
		w := bufio.NewWriterSize(f, 1<<20)
		if err := ix.Save(w); err != nil {
			f.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		save = time.Since(start)
		fi, err := os.Stat(f.Name())
		if err != nil {
			return err
		}
		size = fi.Size()
		runtime.GC()
		start = time.Now()
		g, err := os.Open(f.Name())
		if err != nil {
			return err
		}
		defer g.Close()
		ix2, err := search.Load(bufio.NewReaderSize(g, 1<<20))
		if err != nil {
			return err
		}
		load = time.Since(start)
		if ix2.Len() != n {
			return fmt.Errorf("loaded snapshot holds %d postings, want %d", ix2.Len(), n)
		}
		return nil
	})
	return save, load, size, err
}

func (rep *Report) overlaps() {
	for _, r := range rep.Engines {
		if r.Err != nil || rep.meridianTops == nil {
			continue
		}
		sum := map[string]float64{}
		cnt := map[string]int{}
		for i, q := range rep.Queries {
			if rep.meridianTops[i] == nil && r.Totals[i] == -2 {
				continue
			}
			sum[q.Kind] += overlap(rep.meridianTops[i], r.Tops[i])
			cnt[q.Kind]++
		}
		for k, ks := range r.Kinds {
			if cnt[k] > 0 {
				ks.Overlap = sum[k] / float64(cnt[k])
			}
		}
	}
}

// overlap is |a ∩ b| / max(|a|, |b|) over two top-10 lists (1 when both
// are empty).
func overlap(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	n := 0
	for _, x := range b {
		if in[x] {
			n++
		}
	}
	return float64(n) / float64(max(len(a), len(b)))
}

func fmtMS(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func ratio(peer, base time.Duration) string {
	if base <= 0 || peer <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", float64(peer)/float64(base))
}

// Targets of the search issue, on the reference machine at 1,000,000
// postings.
const (
	TargetP50          = 2 * time.Millisecond
	TargetP99          = 15 * time.Millisecond
	TargetMatchP99     = 20 * time.Millisecond
	TargetBuildRate    = 50_000
	TargetMemPerDoc    = 2048
	TargetSnapshotLoad = 5 * time.Second
)

// Rows returns the figures as rows of meridian-bench's table, with
// verdicts for Meridian's targets and the peers as information.
func (rep *Report) Rows() []bench.Row {
	var rows []bench.Row
	n := bench.Thousands(float64(rep.N))
	add := func(setup, fig, target, verdict string) {
		rows = append(rows, bench.Row{Scenario: "search", Setup: setup, Figure: fig, Target: target, Verdict: verdict})
	}
	var mer *EngineResult
	for _, r := range rep.Engines {
		if r.Name == NewMeridian().Name() {
			mer = r
		}
	}
	for _, r := range rep.Engines {
		isM := r == mer
		setup := fmt.Sprintf("%s, %s postings, %d-query mix × %d", r.Name, n, len(rep.Queries), rep.Reps)
		if r.Err != nil {
			v := "MISS"
			if r.Skipped {
				v = "skipped: " + r.Err.Error()
			}
			add(setup, "error: "+r.Err.Error(), "—", v)
			continue
		}
		build := fmt.Sprintf("build %s postings/s (%s)", bench.Thousands(r.Rate(rep.N)), r.Build.Round(time.Millisecond))
		mix := fmt.Sprintf("mix p50 %s, p95 %s, p99 %s", fmtMS(r.All.P50), fmtMS(r.All.P95), fmtMS(r.All.P99))
		if r.QueryErrs > 0 {
			mix += fmt.Sprintf("; %d queries failed, first: %v", r.QueryErrs, r.FirstQueryErr)
		}
		if !isM {
			fig := build + "; " + mix
			if mer != nil && mer.Err == nil {
				fig += fmt.Sprintf(" (%s / %s Meridian)", ratio(r.All.P50, mer.All.P50), ratio(r.All.P99, mer.All.P99))
			}
			if r.Size > 0 {
				fig += fmt.Sprintf("; %s MB %s", bench.Thousands(float64(r.Size)/1e6), r.SizeWhat)
			}
			add(setup, fig, "— (ratio reported)", "info")
			continue
		}
		if k := r.Kinds[KindSearch]; k != nil {
			add(setup+", search queries (text, filters, text+filters+facets)", fmt.Sprintf("p50 %s, p95 %s, p99 %s", fmtMS(k.P50), fmtMS(k.P95), fmtMS(k.P99)),
				"p50 ≤ 2 ms, p99 ≤ 15 ms", bench.Verdict(k.P50 <= TargetP50 && k.P99 <= TargetP99 && r.QueryErrs == 0))
		}
		add(setup+", whole mix with matches", mix, "—", "info")
		if k := r.Kinds[KindMatch]; k != nil {
			add(setup+", match for profile", fmt.Sprintf("p50 %s, p99 %s", fmtMS(k.P50), fmtMS(k.P99)), "p99 ≤ 20 ms", bench.Verdict(k.P99 <= TargetMatchP99))
		}
		add(setup+", build", build, "≥ 50,000 postings/s", bench.Verdict(r.Rate(rep.N) >= TargetBuildRate))
		add(setup+", index memory", fmt.Sprintf("%s bytes/posting (heap growth, descriptions of %.0f bytes passed in and not kept)", bench.Thousands(r.MemPerDoc), rep.DescBytes), "≤ 2 KB/posting", bench.Verdict(r.MemPerDoc <= TargetMemPerDoc))
		if r.SnapErr != nil {
			add(setup+", restart from snapshot", "error: "+r.SnapErr.Error(), "≤ 5 s", "MISS")
		} else {
			add(setup+", restart from snapshot", fmt.Sprintf("load %s (save %s, %s MB)", r.SnapLoad.Round(time.Millisecond), r.SnapSave.Round(time.Millisecond), bench.Thousands(float64(r.SnapBytes)/1e6)), "≤ 5 s", bench.Verdict(r.SnapLoad <= TargetSnapshotLoad))
		}
	}
	return rows
}

// WriteMarkdown writes the side-by-side comparison: per engine and kind of
// query, p50/p95/p99, the ratio to Meridian and the overlap@10 with
// Meridian's results.
func (rep *Report) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "Search comparison: %s generated postings (seed %d, corpus in %s, descriptions %.0f bytes on average), %d queries (%s) × %d timed passes after a warm-up, one at a time, same process.\n\n",
		bench.Thousands(float64(rep.N)), rep.Seed, rep.CorpusTime.Round(time.Millisecond), rep.DescBytes, len(rep.Queries), kindCounts(rep.Queries), rep.Reps)
	fmt.Fprintln(w, "| engine | build | postings/s | size |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	for _, r := range rep.Engines {
		if r.Err != nil {
			fmt.Fprintf(w, "| %s | error: %s | — | — |\n", r.Name, strings.ReplaceAll(r.Err.Error(), "|", `\|`))
			continue
		}
		size := "—"
		if r.MemPerDoc != 0 {
			size = fmt.Sprintf("%s bytes/posting heap", bench.Thousands(r.MemPerDoc))
		} else if r.Size > 0 {
			size = fmt.Sprintf("%s MB %s", bench.Thousands(float64(r.Size)/1e6), r.SizeWhat)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.Name, r.Build.Round(time.Millisecond), bench.Thousands(r.Rate(rep.N)), size)
	}
	fmt.Fprintln(w)
	var mer *EngineResult
	for _, r := range rep.Engines {
		if r.Name == NewMeridian().Name() && r.Err == nil {
			mer = r
		}
	}
	fmt.Fprintln(w, "| kind | engine | p50 | p95 | p99 | p50 ratio | p99 ratio | overlap@10 with Meridian |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, k := range append(slices.Clone(Kinds), KindSearch, "all") {
		for _, r := range rep.Engines {
			if r.Err != nil {
				continue
			}
			var p Percentiles
			ov := "—"
			if k == "all" {
				p = r.All
			} else if ks := r.Kinds[k]; ks != nil {
				p = ks.Percentiles
				if ks.Overlap >= 0 && r != mer {
					ov = fmt.Sprintf("%.2f", ks.Overlap)
				}
			} else {
				continue
			}
			r50, r99 := "—", "—"
			if mer != nil && r != mer {
				mp := mer.All
				if k != "all" && mer.Kinds[k] != nil {
					mp = mer.Kinds[k].Percentiles
				}
				r50, r99 = ratio(p.P50, mp.P50), ratio(p.P99, mp.P99)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", k, r.Name, fmtMS(p.P50), fmtMS(p.P95), fmtMS(p.P99), r50, r99, ov)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ratios are the peer's latency over Meridian's (above 1×: Meridian is faster). For match queries the peers only retrieve candidates (eligible country, at least one skill, ordered by skills in common); Meridian also checks working time, scores and explains. FTS5 and PostgreSQL have no typo tolerance.")
	if mer != nil {
		var diff []string
		for _, r := range rep.Engines {
			if r == mer || r.Err != nil {
				continue
			}
			n := 0
			for i, q := range rep.Queries {
				if q.Kind == KindFilters && r.Totals[i] != mer.Totals[i] {
					n++
				}
			}
			if n > 0 {
				diff = append(diff, fmt.Sprintf("%s on %d", r.Name, n))
			}
		}
		if len(diff) > 0 {
			fmt.Fprintf(w, "\nFilter-only totals differing from Meridian's: %s of %d queries.\n", strings.Join(diff, ", "), len(filterQueries(rep.Queries)))
		} else {
			fmt.Fprintln(w, "\nFilter-only queries: every engine's total equals Meridian's.")
		}
	}
}

func kindCounts(qs []NamedQuery) string {
	c := map[string]int{}
	for _, q := range qs {
		c[q.Kind]++
	}
	var parts []string
	for _, k := range Kinds {
		parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
	}
	return strings.Join(parts, ", ")
}

// WriteQueries lists the mix (for docs/BENCHMARKS.md).
func WriteQueries(w io.Writer, qs []NamedQuery) {
	for i, q := range qs {
		fmt.Fprintf(w, "%3d. [%s] %s\n", i+1, q.Kind, q.Name)
	}
}
