package searchbench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/search/relevance"
	"github.com/meridianhq/meridian/internal/search/searchtest"
)

// The quality comparison runs internal/search's relevance suite
// (internal/search/relevance: 47 queries over the 1,383 real postings, with
// expected results written from the data) on every engine, so that speed
// can be read next to result quality. Each engine is built on
// searchtest.RealDocs and asked for every match of each query (Meridian
// pages through them with its cursor, as TestRelevance does; the peers get
// one request with a limit of the whole corpus), so that every expectation
// (top1, topK, mustInclude, mustMatch, mustExclude, min/maxTotal, allMatch,
// sorted) is checked on the same ground everywhere. An engine that can
// return only one page is evaluated on that page and its results are
// marked incomplete.
//
// The peers return ids only: the salaryAtLeast predicate reads their hits'
// salary as the posting's range annualized into the viewer's currency
// (relevance.HitsFromIDs, the harness's own salary facts). The suite's
// knownMiss entries are Meridian's; a query passes here only when every
// expectation holds, on every engine alike.

// QualitySchema is the PostgreSQL schema of the quality run: not the search
// scenario's, so that both can share a server.
const QualitySchema = "searchbench_quality"

// QueryQuality is one engine's outcome on one query of the suite.
type QueryQuality struct {
	relevance.Outcome
	// Complete: every match was compared (not one page).
	Complete bool
}

// QualityResult is one engine's outcome on the relevance suite.
type QualityResult struct {
	// Name is the engine's Name; Short its column label (Meridian, Bleve,
	// FTS5, PostgreSQL).
	Name, Short string
	// Err: the build failed and no query ran (Skipped: its server is
	// unreachable).
	Err     error
	Skipped bool
	// Queries are the outcomes, in the suite's order.
	Queries []QueryQuality
	// Passed counts the queries whose every expectation holds, whatever
	// their knownMiss (the figure comparable across engines). Accepted
	// also counts the known misses that still miss: what TestRelevance
	// accepts (only meaningful for Meridian, whose misses they record).
	Passed, Accepted int
	// Errors counts the queries the engine refused; Incomplete those whose
	// results were not all compared.
	Errors, Incomplete int
	// Ignored counts, per Query field, the queries using a field this
	// engine's translation ignores (the peers have no working-time filter).
	Ignored map[string]int
	// P10 and P10Known are the means over the TopK queries (P10N) of
	// precision@10 against the topK ids: hits/10 and hits/min(10, |ids|).
	P10, P10Known float64
	P10N          int
	// Build is the time to index the postings.
	Build time.Duration
}

// allSearcher is an engine that returns every match as full hits
// (Meridian).
type allSearcher interface {
	SearchAll(q search.Query) relevance.Results
}

// nSearcher is an engine that returns up to limit ids (the peers).
type nSearcher interface {
	SearchN(q search.Query, limit int) ([]string, int, error)
}

// QualityEngines returns the engines of names (EngineNames order; empty:
// all) for Quality, PostgreSQL in QualitySchema of cfg.PostgresURL.
func QualityEngines(names []string, cfg Config) ([]Engine, error) {
	if len(names) == 0 {
		names = EngineNames
	}
	for _, n := range names {
		if !slices.Contains(EngineNames, n) {
			return nil, fmt.Errorf("unknown engine %q (want %s)", n, strings.Join(EngineNames, ", "))
		}
	}
	var out []Engine
	for _, n := range EngineNames {
		if !slices.Contains(names, n) {
			continue
		}
		e, err := NewEngine(n, cfg)
		if err != nil {
			return nil, err
		}
		if pg, ok := e.(*Postgres); ok {
			pg.Schema = QualitySchema
		}
		out = append(out, e)
	}
	return out, nil
}

// Quality builds each engine (empty: Build is called here, and Close at
// the end) on the real postings and runs the relevance suite on it. An
// engine that fails to build gets a result with Err; the error return is
// for the suite or the postings failing to load.
func Quality(engines []Engine) ([]QualityResult, error) {
	docs, err := searchtest.RealDocs()
	if err != nil {
		return nil, err
	}
	byID := relevance.ByID(docs)
	suite, err := relevance.Default()
	if err != nil {
		return nil, err
	}
	if ps := suite.Validate(byID); len(ps) > 0 {
		return nil, fmt.Errorf("%s: %s", relevance.File, strings.Join(ps, "; "))
	}
	var out []QualityResult
	for _, e := range engines {
		out = append(out, qualityOf(e, docs, byID, suite))
	}
	return out, nil
}

func qualityOf(e Engine, docs []search.Doc, byID map[string]*search.Doc, suite *relevance.Suite) (r QualityResult) {
	r = QualityResult{Name: e.Name(), Short: shortName(e)}
	defer func() {
		if err := protect(e.Close); err != nil && r.Err == nil {
			r.Err = fmt.Errorf("close: %w", err)
		}
	}()
	start := time.Now()
	if err := protect(func() error { return e.Build(docs) }); err != nil {
		r.Err = fmt.Errorf("build: %w", err)
		if _, ok := e.(*Postgres); ok && strings.Contains(err.Error(), "connect") {
			r.Skipped = true
		}
		return r
	}
	r.Build = time.Since(start)
	for i := range suite.Queries {
		c := &suite.Queries[i]
		res := qualitySearch(e, c.Q, len(docs), byID)
		q := QueryQuality{Outcome: relevance.Evaluate(c, res, byID), Complete: res.Complete}
		switch {
		case res.Err != nil:
			r.Errors++
		case !res.Complete:
			r.Incomplete++
		}
		for _, f := range ignoredFields(e, c.Q) {
			if r.Ignored == nil {
				r.Ignored = map[string]int{}
			}
			r.Ignored[f]++
		}
		if q.Passed() {
			r.Passed++
		}
		if q.Passed() || c.KnownMiss != "" {
			r.Accepted++
		}
		if q.HasP10 {
			r.P10 += q.P10
			r.P10Known += q.P10Known
			r.P10N++
		}
		r.Queries = append(r.Queries, q)
	}
	if r.P10N > 0 {
		r.P10 /= float64(r.P10N)
		r.P10Known /= float64(r.P10N)
	}
	return r
}

// qualitySearch asks e for every match of q (up to all n postings).
func qualitySearch(e Engine, q search.Query, n int, byID map[string]*search.Doc) (res relevance.Results) {
	err := protect(func() error {
		switch s := e.(type) {
		case allSearcher:
			res = s.SearchAll(q)
		case nSearcher:
			ids, total, err := s.SearchN(q, n)
			res = relevance.Results{Hits: relevance.HitsFromIDs(ids, byID, q.Currency), Total: total, Complete: total <= n, Err: err}
		default:
			ids, total, err := e.Search(q)
			res = relevance.Results{Hits: relevance.HitsFromIDs(ids, byID, q.Currency), Total: total, Complete: len(ids) >= total, Err: err}
		}
		return nil
	})
	if err != nil {
		res = relevance.Results{Err: err}
	}
	return res
}

// ignoredFields are the fields of q that e's translation ignores: the
// peers index no working-time rules, so timeZone (with workStart, workEnd
// and minOverlapHours) filters nothing there.
func ignoredFields(e Engine, q search.Query) []string {
	switch e.(type) {
	case *Bleve, *FTS5, *Postgres:
		if q.TimeZone != "" {
			return []string{"timeZone"}
		}
	}
	return nil
}

// shortName is an engine's column label.
func shortName(e Engine) string {
	switch e.(type) {
	case *Meridian:
		return "Meridian"
	case *Bleve:
		return "Bleve"
	case *FTS5:
		return "FTS5"
	case *Postgres:
		return "PostgreSQL"
	}
	return e.Name()
}

// QualityRow is one engine's line of meridian-bench's table: the figure
// and the verdict ("info", or "skipped: …" / "MISS" when it did not run).
func (r *QualityResult) QualityRow() (figure, verdict string) {
	if r.Err != nil {
		if r.Skipped {
			return "—", "skipped: " + r.Err.Error()
		}
		return "error: " + r.Err.Error(), "MISS"
	}
	fig := fmt.Sprintf("%d/%d queries pass", r.Passed, len(r.Queries))
	if r.P10N > 0 {
		fig += fmt.Sprintf("; p@10 %.3f (of known %.3f) over %d topK queries", r.P10, r.P10Known, r.P10N)
	}
	if r.Errors > 0 {
		fig += fmt.Sprintf("; %d refused", r.Errors)
	}
	return fig, "info"
}

// WriteQualityMarkdown writes the comparison: one line per engine, then
// ✓/✗ per query and engine, then the failures with their reasons.
func WriteQualityMarkdown(w io.Writer, rs []QualityResult) {
	n := 0
	for _, r := range rs {
		n = max(n, len(r.Queries))
	}
	fmt.Fprintf(w, "Search quality: the relevance suite of internal/search (%s, %d queries with expected results written from the data) on the %s real postings, every match of each query compared; a query passes when every expectation holds (the suite's known misses are not excused).\n\n",
		relevance.File, n, bench.Thousands(float64(len(mustRealDocs()))))
	fmt.Fprintln(w, "| engine | queries passed (of N) | p@10 mean | notes |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	for _, r := range rs {
		if r.Err != nil {
			fmt.Fprintf(w, "| %s | — | — | %s |\n", r.Name, mdCell(r.Err.Error()))
			continue
		}
		p10 := "—"
		if r.P10N > 0 {
			p10 = fmt.Sprintf("%.3f (of known %.3f)", r.P10, r.P10Known)
		}
		var notes []string
		if r.Short == "Meridian" {
			notes = append(notes, fmt.Sprintf("%d/%d with the suite's %d known misses accepted", r.Accepted, len(r.Queries), r.Accepted-r.Passed))
		}
		if r.Errors > 0 {
			notes = append(notes, fmt.Sprintf("%d queries refused", r.Errors))
		}
		for _, f := range slices.Sorted(maps.Keys(r.Ignored)) {
			notes = append(notes, fmt.Sprintf("%s not translated (ignored in %d %s)", f, r.Ignored[f], plural(r.Ignored[f], "query", "queries")))
		}
		if r.Incomplete > 0 {
			notes = append(notes, fmt.Sprintf("%d queries compared on the first page only", r.Incomplete))
		}
		notes = append(notes, "built in "+r.Build.Round(time.Millisecond).String())
		fmt.Fprintf(w, "| %s | %d/%d | %s | %s |\n", r.Name, r.Passed, len(r.Queries), p10, mdCell(strings.Join(notes, "; ")))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "p@10: the share of the first 10 hits that are among a query's topK ids, over the queries with a topK expectation (of known: divided by min(10, number of topK ids) instead of 10).")
	fmt.Fprintln(w)

	var ran []QualityResult
	for _, r := range rs {
		if r.Err == nil {
			ran = append(ran, r)
		}
	}
	if len(ran) == 0 {
		return
	}
	fmt.Fprint(w, "| query | kind |")
	for _, r := range ran {
		fmt.Fprintf(w, " %s |", r.Short)
	}
	fmt.Fprint(w, "\n| --- | --- |")
	for range ran {
		fmt.Fprint(w, " --- |")
	}
	fmt.Fprintln(w)
	var fails []string
	for i, q := range ran[0].Queries {
		fmt.Fprintf(w, "| %s | %s |", mdCell(q.Case.Name), q.Case.Kind)
		for _, r := range ran {
			o := r.Queries[i]
			mark := "✓"
			if !o.Passed() {
				mark = "✗"
				why := strings.Join(o.Problems, "; ")
				if len(o.Notes) > 0 {
					why += " (" + strings.Join(o.Notes, "; ") + ")"
				}
				fails = append(fails, fmt.Sprintf("- %s — %s: %s", q.Case.Name, r.Short, clip(why, 300)))
			}
			if o.Case.KnownMiss != "" && r.Short == "Meridian" && !o.Passed() {
				mark += " (known miss)"
			}
			fmt.Fprintf(w, " %s |", mark)
		}
		fmt.Fprintln(w)
	}
	if len(fails) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Failures:")
		fmt.Fprintln(w)
		for _, f := range fails {
			fmt.Fprintln(w, f)
		}
	}
}

func mustRealDocs() []search.Doc {
	docs, _ := searchtest.RealDocs()
	return docs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
