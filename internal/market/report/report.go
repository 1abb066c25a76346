// Package report writes the market report: every figure of the market
// model (internal/market) over one sample of postings, as a
// self-contained HTML page (inline CSS and SVG, no script, no external
// asset), the same sections in Markdown, and one CSV per chart or table.
// Reference sources (the Hacker News hiring-trends baseline, salary
// surveys) get sections of their own, labelled as such, and are never
// merged into the postings' tables.
//
// The report is deterministic: the same model, Extra and Options
// (Options.Now in particular) give the same bytes.
package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/marketdata"
)

// Sizes of the report's tables.
const (
	TopSkills     = 25 // demand: skills listed
	TopPairs      = 25 // co-occurrence: pairs listed
	SalarySkills  = 20 // salaries by skill: the most asked-for skills
	PremiumSkills = 15 // premiums: of the most asked-for skills
	TrendSkills   = 6  // trends: series of the most asked-for skills
	WeeklyWeeks   = 52 // weekly trends: the last weeks of the period
)

// DefaultTitle is the report's title when Options.Title is empty.
const DefaultTitle = "Meridian market report"

// Options say which postings the report covers and how it prints them.
type Options struct {
	// Filter selects the postings every postings figure is computed over.
	Filter market.Filter
	// Currency of salary figures (default USD).
	Currency string
	// MinN is the smallest salary sample shown (at least
	// market.DefaultMinN).
	MinN int
	// Now is the report's time: "open now" and the generation date (zero:
	// the current time, which makes the report depend on when it runs).
	Now   time.Time
	Title string
}

// Extra are figures from reference sources, each shown in a section of
// its own, never merged into the postings figures.
type Extra struct {
	// Baseline: the long-run hiring-trends series of a few terms.
	Baseline []marketdata.BaselineSeries
	// Survey: salary tables of an imported survey (Source "survey").
	Survey []market.Salaries
	// BaselineNote and SurveyNote, when set, are printed in place of (or
	// above) the section: why there is no such data, or what was left out.
	BaselineNote string
	SurveyNote   string
}

// Report holds the figures of one report, computed by Build, and their
// layout; Write renders it.
type Report struct {
	Title    string
	Options  Options // as given, with Currency, MinN and Now resolved
	Sample   market.SampleInfo
	Claims   []market.Claim
	Demand   Demand
	Pairs    market.Cooccurrence
	Salaries Salaries
	Premiums market.Premiums
	// Monthly and Weekly: the all-postings series first, then one per
	// skill of TrendSkills.
	Monthly market.Trends
	Weekly  market.Trends
	Hiring  market.HiringTimes
	Extra   Extra

	sections []*section
	files    []csvFile
}

// Demand is the demand figures of the report.
type Demand struct {
	Skills, Categories, Groups market.Demand
}

// Salaries is the postings salary tables of the report.
type Salaries struct {
	Overall, BySeniority, ByRegion, BySkill market.Salaries
}

// csvFile is one CSV the report writes: a figure table WriteCSV knows.
type csvFile struct {
	Name string
	Data any
}

// Build computes the report's figures over m.
func Build(ctx context.Context, m *market.Model, extra Extra, opt Options) (*Report, error) {
	if m == nil {
		return nil, errors.New("report: no market model")
	}
	cur, err := market.CurrencyOf(opt.Currency)
	if err != nil {
		return nil, err
	}
	opt.Currency = cur
	opt.MinN = max(opt.MinN, market.DefaultMinN)
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC()
	r := &Report{Title: cmp.Or(opt.Title, DefaultTitle), Options: opt, Extra: extra}
	f, now := opt.Filter, opt.Now
	steps := []struct {
		name string
		fn   func() error
	}{
		{"sample", func() (err error) { r.Sample, err = m.Describe(f, now); return }},
		{"claims", func() (err error) { r.Claims, err = m.Claims(f, now); return }},
		{"demand", func() (err error) {
			d := &r.Demand
			if d.Skills, err = m.Demand(f, market.KindSkill, false, TopSkills, now); err != nil {
				return err
			}
			if d.Categories, err = m.Demand(f, market.KindCategory, false, 0, now); err != nil {
				return err
			}
			d.Groups, err = m.Demand(f, market.KindGroup, false, 0, now)
			return err
		}},
		{"co-occurrence", func() (err error) { r.Pairs, err = m.Cooccurrence(f, "", 1, TopPairs, now); return }},
		{"salaries", func() (err error) {
			s := &r.Salaries
			if s.Overall, err = m.Salaries(f, market.ByNone, cur, opt.MinN, 0, now); err != nil {
				return err
			}
			if s.BySeniority, err = m.Salaries(f, market.BySeniority, cur, opt.MinN, 0, now); err != nil {
				return err
			}
			if s.ByRegion, err = m.Salaries(f, market.ByRegion, cur, opt.MinN, 0, now); err != nil {
				return err
			}
			s.BySkill, err = m.Salaries(f, market.BySkill, cur, opt.MinN, SalarySkills, now)
			return err
		}},
		{"premiums", func() (err error) { r.Premiums, err = m.Premiums(f, nil, cur, opt.MinN, PremiumSkills, now); return }},
		{"trends", func() error { return r.trends(m) }},
		{"hiring times", func() (err error) { r.Hiring, err = m.HiringTimes(f, now); return }},
	}
	// The salary figures (premiums above all) cost most: they run
	// alongside the others, each step writing its own fields. The error
	// returned is the first in step order, whichever finished first.
	run := func(names ...string) error {
		for _, s := range steps {
			if !slices.Contains(names, s.name) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.fn(); err != nil {
				return fmt.Errorf("report: %s: %w", s.name, err)
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	var slow error
	wg.Go(func() { slow = run("premiums", "salaries") })
	fast := run("sample", "claims", "demand", "co-occurrence", "trends", "hiring times")
	wg.Wait()
	if err := cmp.Or(fast, slow); err != nil {
		return nil, err
	}
	r.layout()
	return r, nil
}

// trends computes the monthly series over the sample's period and the
// weekly ones over its last WeeklyWeeks weeks, each for all postings and
// the TrendSkills skills most asked for.
func (r *Report) trends(m *market.Model) error {
	f, now := r.Options.Filter, r.Options.Now
	r.Monthly = market.Trends{Source: market.SourcePostings, Interval: market.Month, Series: []market.Series{}}
	r.Weekly = market.Trends{Source: market.SourcePostings, Interval: market.Week, Series: []market.Series{}}
	if r.Sample.N == 0 {
		return nil
	}
	var keys []market.SeriesKey
	for _, it := range r.Demand.Skills.Items[:min(TrendSkills, len(r.Demand.Skills.Items))] {
		keys = append(keys, market.SeriesKey{Kind: market.KindSkill, Key: it.Key})
	}
	// The periods span the postings of the sample (an open-ended or wider
	// filter adds only empty periods).
	end := r.Sample.Last.AddDate(0, 0, 1)
	mf := f
	mf.From = r.Sample.First
	if f.From.After(mf.From) {
		mf.From = f.From
	}
	mf.To = end
	if !f.To.IsZero() && f.To.Before(end) {
		mf.To = f.To
	}
	wf := mf
	if first := market.PeriodStart(market.Week, mf.To.Add(-time.Nanosecond)).AddDate(0, 0, -7*(WeeklyWeeks-1)); first.After(wf.From) {
		wf.From = first
	}
	for _, x := range []struct {
		out *market.Trends
		f   market.Filter
	}{{&r.Monthly, mf}, {&r.Weekly, wf}} {
		all, err := m.Trends(x.f, x.out.Interval, nil, now)
		if err != nil {
			return err
		}
		x.out.Series = append(x.out.Series, all.Series...)
		if len(keys) > 0 {
			sk, err := m.Trends(x.f, x.out.Interval, keys, now)
			if err != nil {
				return err
			}
			x.out.Series = append(x.out.Series, sk.Series...)
		}
	}
	return nil
}
