package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/market/report"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/node"
	"github.com/meridianhq/meridian/internal/store"
)

// reportFlags are the report command's flags as given.
type reportFlags struct {
	out, from, to, countries, regions, seniority, currency, title string
	open                                                          bool
	minN                                                          int
}

func newReportCmd(g *globals) *cobra.Command {
	var fl reportFlags
	cmd := &cobra.Command{
		Use:   "report --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--country CC,...] [--region R,...] [--seniority s,...] [--open] [--currency USD] [--min-n 10]",
		Short: "Write the market report (HTML, Markdown and CSVs) from the store's postings",
		Long: `Replays the store's events into the market model and writes the market
report into --out: report.html (self-contained: inline charts, no script,
no external resources), report.md (the same sections) and one CSV per
chart or table.

The report covers the postings the filters select: the seed claims with
their definitions, demand for skills, skills asked for together, salaries
and salary premiums, monthly and weekly trends and hiring times. When a
Hacker News hiring-trends baseline or a salary survey has been imported,
each gets a section of its own, labelled as a different source; without
them the report says so and goes on.

--from and --to bound the day a posting was posted; both days are
included. Salary groups with fewer than --min-n values are suppressed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opt, err := fl.options(time.Now().UTC())
			if err != nil {
				return err
			}
			cfg, err := g.load()
			if err != nil {
				return err
			}
			rt, err := node.OpenStore(cmd.Context(), cfg, g.logger(cfg))
			if err != nil {
				return err
			}
			defer rt.Close()
			return writeMarketReport(cmd.Context(), rt.DB, fl.out, opt, g.stdout, g.stderr)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.out, "out", "o", "", "directory to write the report into (created if need be)")
	f.StringVar(&fl.from, "from", "", "first posting day included (YYYY-MM-DD)")
	f.StringVar(&fl.to, "to", "", "last posting day included (YYYY-MM-DD)")
	f.StringVar(&fl.countries, "country", "", "postings open to someone in one of these countries (ISO 3166-1 alpha-2, comma-separated)")
	f.StringVar(&fl.regions, "region", "", "postings open to part of one of these regions (comma-separated: "+strings.Join(market.RegionCodes(), ", ")+")")
	f.StringVar(&fl.seniority, "seniority", "", "postings of one of these levels (comma-separated: "+strings.Join(domain.SeniorityLevels, ", ")+", "+market.Unspecified+")")
	f.BoolVar(&fl.open, "open", false, "only postings open now")
	f.StringVar(&fl.currency, "currency", "USD", "currency of salary figures (ISO 4217)")
	f.IntVar(&fl.minN, "min-n", market.DefaultMinN, "smallest salary sample shown (at least 10)")
	f.StringVar(&fl.title, "title", report.DefaultTitle, "the report's title")
	return cmd
}

// list splits a comma-separated flag value.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func flagErr(flag, format string, args ...any) error {
	return usageError{fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, args...))}
}

// options checks the flags and turns them into report options; each
// error names its flag.
func (fl reportFlags) options(now time.Time) (report.Options, error) {
	var opt report.Options
	if strings.TrimSpace(fl.out) == "" {
		return opt, usageError{fmt.Errorf("--out is required: the directory to write the report into")}
	}
	day := func(flag, v string) (time.Time, error) {
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
		if err != nil {
			return t, flagErr(flag, "%q is not a date (YYYY-MM-DD)", v)
		}
		return t, nil
	}
	from, err := day("from", fl.from)
	if err != nil {
		return opt, err
	}
	to, err := day("to", fl.to)
	if err != nil {
		return opt, err
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the last day is included
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return opt, flagErr("to", "%s is before --from %s", fl.to, fl.from)
	}
	f := market.Filter{From: from, To: to, Open: fl.open}
	for _, c := range list(fl.countries) {
		f.Countries = append(f.Countries, strings.ToUpper(c))
	}
	for _, r := range list(fl.regions) {
		f.Regions = append(f.Regions, strings.ToUpper(r))
	}
	for _, s := range list(fl.seniority) {
		f.Seniority = append(f.Seniority, strings.ToLower(s))
	}
	// The market model's own checks; their messages start with the field,
	// which is the flag's name.
	if _, err := market.NewModel().Describe(f, now); err != nil {
		return opt, usageError{fmt.Errorf("--%s", meridian.MessageOf(err))}
	}
	cur, err := market.CurrencyOf(fl.currency)
	if err != nil {
		return opt, flagErr("currency", "%q is not a currency of the exchange-rates table", fl.currency)
	}
	if fl.minN < market.DefaultMinN {
		return opt, flagErr("min-n", "must be at least %d (smaller salary samples are never shown), not %d", market.DefaultMinN, fl.minN)
	}
	return report.Options{Filter: f, Currency: cur, MinN: fl.minN, Now: now, Title: fl.title}, nil
}

// writeMarketReport builds the market model from db, fetches the reference
// sources, and writes the report into dir, printing the paths.
func writeMarketReport(ctx context.Context, db *store.DB, dir string, opt report.Options, stdout, stderr io.Writer) error {
	m, err := market.Build(ctx, db)
	if err != nil {
		return err
	}
	warn := func(format string, args ...any) { fmt.Fprintf(stderr, "meridian: report: "+format+"\n", args...) }
	extra, err := reportExtra(ctx, db, m, opt, warn)
	if err != nil {
		return err
	}
	r, err := report.Build(ctx, m, extra, opt)
	if err != nil {
		return err
	}
	if err := r.Write(dir); err != nil {
		return err
	}
	for _, f := range r.Files() {
		fmt.Fprintln(stdout, filepath.Join(dir, f))
	}
	return nil
}

// reportExtra reads the reference sources for the report: the baseline
// series of the report's top skills that the baseline knows, and the
// survey's salary tables. A source that is missing (not imported, or
// unreadable) becomes a note in its section, never a failure: the
// postings report stands on its own.
func reportExtra(ctx context.Context, db *store.DB, m *market.Model, opt report.Options, warn func(string, ...any)) (report.Extra, error) {
	var x report.Extra
	top, err := m.Demand(opt.Filter, market.KindSkill, false, report.TopSkills, opt.Now)
	if err != nil {
		return x, err
	}
	keys := make([]string, len(top.Items))
	for i, it := range top.Items {
		keys[i] = it.Key
	}
	x.Baseline, x.BaselineNote = baselineFor(ctx, db, keys, warn)
	x.Survey, x.SurveyNote = surveyFor(ctx, db, opt, warn)
	return x, nil
}

// baselineFor returns the baseline series of the first keys (in order)
// that the baseline has terms for, at most report.TrendSkills series.
func baselineFor(ctx context.Context, db *store.DB, keys []string, warn func(string, ...any)) ([]marketdata.BaselineSeries, string) {
	terms, err := marketdata.BaselineTerms(ctx, db)
	if meridian.ErrorCode(err) == meridian.ENotFound {
		return nil, "No hiring-trends baseline has been imported: section left out."
	}
	if err != nil {
		warn("hiring-trends baseline left out: %s", meridian.MessageOf(err))
		return nil, "The hiring-trends baseline could not be read (" + meridian.MessageOf(err) + "): section left out."
	}
	known := map[string]bool{}
	for _, t := range terms {
		if t.Skill != "" {
			known[t.Skill] = true
		}
	}
	var picked []string
	for _, k := range keys {
		if known[k] && len(picked) < report.TrendSkills {
			picked = append(picked, k)
		}
	}
	if len(picked) == 0 {
		return nil, "None of the report's top skills is a term of the hiring-trends baseline: section left out."
	}
	series, err := marketdata.Baseline(ctx, db, picked, "", "")
	if err != nil {
		warn("hiring-trends baseline left out: %s", meridian.MessageOf(err))
		return nil, "The hiring-trends baseline could not be read (" + meridian.MessageOf(err) + "): section left out."
	}
	// A skill may have several terms (one series each): keep the report's
	// order of skills, and at most TrendSkills lines.
	rank := func(s marketdata.BaselineSeries) int {
		if i := slices.Index(picked, s.Skill); i >= 0 {
			return i
		}
		return len(picked)
	}
	var kept []marketdata.BaselineSeries
	for _, s := range series {
		if len(s.Points) > 0 {
			kept = append(kept, s)
		}
	}
	slices.SortStableFunc(kept, func(a, b marketdata.BaselineSeries) int { return rank(a) - rank(b) })
	if len(kept) == 0 {
		return nil, "The hiring-trends baseline has no months for the report's top skills: section left out."
	}
	return kept[:min(len(kept), report.TrendSkills)], ""
}

// surveyFor returns the survey's salary tables for the report's filters
// (remote answers only, as Meridian's postings are remote), overall, by
// seniority and by region.
func surveyFor(ctx context.Context, db *store.DB, opt report.Options, warn func(string, ...any)) ([]market.Salaries, string) {
	f := opt.Filter
	sf := marketdata.SurveyFilterFor(f)
	sf.RemoteOnly = true
	applied := []string{"remote answers only (remote ratio 100 %)", "every job title"}
	if len(f.Seniority) > 0 && len(sf.Seniority) == 0 {
		return nil, "Every survey answer has a seniority, and the report covers postings without one only: section left out."
	}
	if len(sf.Seniority) > 0 {
		applied = append(applied, "seniority "+strings.Join(sf.Seniority, ", "))
	}
	if len(f.Countries) > 0 {
		applied = append(applied, "living in "+strings.Join(f.Countries, ", "))
	}
	if len(f.Regions) > 0 {
		applied = append(applied, "living in "+strings.Join(f.Regions, ", "))
	}
	if sf.YearFrom != 0 {
		applied = append(applied, fmt.Sprintf("work year from %d", sf.YearFrom))
	}
	if sf.YearTo != 0 {
		applied = append(applied, fmt.Sprintf("work year to %d", sf.YearTo))
	}
	overall, err := marketdata.SurveySalaries(ctx, db, sf, market.ByNone, opt.Currency, opt.MinN)
	if meridian.ErrorCode(err) == meridian.ENotFound {
		return nil, "No salary survey has been imported: section left out."
	}
	if err != nil {
		warn("salary survey left out: %s", meridian.MessageOf(err))
		return nil, "The salary survey could not be read (" + meridian.MessageOf(err) + "): section left out."
	}
	if overall.N == 0 {
		return nil, "None of the salary survey's answers matches the report's filters (" + strings.Join(applied, "; ") + "): section left out."
	}
	out := []market.Salaries{overall}
	note := "Survey answers: " + strings.Join(applied, "; ") + "."
	for _, by := range []string{market.BySeniority, market.ByRegion} {
		s, err := marketdata.SurveySalaries(ctx, db, sf, by, opt.Currency, opt.MinN)
		if err != nil {
			note += " The table by " + by + " is left out (" + meridian.MessageOf(err) + ")."
			continue
		}
		if s.N > 0 {
			out = append(out, s)
		}
	}
	return out, note
}
