package market

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Table is a figure already laid out as rows of text: what WriteCSV
// writes for tables that have no type of their own here (reference
// sources, a report's overview).
type Table struct {
	Header []string
	Rows   [][]string
}

// WriteCSV writes a figure table as CSV (RFC 4180, header row first):
// Demand, Cooccurrence, Salaries, Premiums, Trends, HiringTimes, []Claim,
// SkillGaps or Table, or a pointer to one. Numbers are printed plainly
// (never with an exponent), shares and ratios with 4 decimals, amounts
// in whole units of the table's currency; a cell without a value
// (suppressed, or not defined) is empty.
func WriteCSV(w io.Writer, v any) error {
	t, err := TableOf(v)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	if err := cw.WriteAll(t.Rows); err != nil { // flushes
		return err
	}
	return cw.Error()
}

// Tabler is a table defined outside this package.
type Tabler interface{ Table() Table }

// TableOf lays a figure table out as the rows WriteCSV writes.
func TableOf(v any) (Table, error) {
	if t, ok := v.(Tabler); ok { // tables of other packages (the reference sources)
		return t.Table(), nil
	}
	switch x := v.(type) {
	case Table:
		return x, nil
	case *Table:
		return *x, nil
	case Demand:
		return csvDemand(x), nil
	case *Demand:
		return csvDemand(*x), nil
	case Cooccurrence:
		return csvPairs(x), nil
	case *Cooccurrence:
		return csvPairs(*x), nil
	case Salaries:
		return csvSalaries(x), nil
	case *Salaries:
		return csvSalaries(*x), nil
	case Premiums:
		return csvPremiums(x), nil
	case *Premiums:
		return csvPremiums(*x), nil
	case Trends:
		return csvTrends(x), nil
	case *Trends:
		return csvTrends(*x), nil
	case HiringTimes:
		return csvHiring(x), nil
	case *HiringTimes:
		return csvHiring(*x), nil
	case []Claim:
		return csvClaims(x), nil
	case SkillGaps:
		return csvGaps(x), nil
	case *SkillGaps:
		return csvGaps(*x), nil
	}
	return Table{}, fmt.Errorf("market: no CSV layout for %T", v)
}

// Cell formats.

// csvInt prints a count.
func csvInt(n int) string { return strconv.Itoa(n) }

// csvNum prints a number plainly, with as many digits as it needs.
func csvNum(v float64) string { return csvPlain(v, -1) }

// csvRatio prints a share or ratio with 4 decimals.
func csvRatio(v float64) string { return csvPlain(v, 4) }

func csvPlain(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s, "-0.") == "" {
		s = s[1:] // no "-0.0000"
	}
	return s
}

func csvOptNum(p *float64) string {
	if p == nil {
		return ""
	}
	return csvNum(*p)
}

func csvOptRatio(p *float64) string {
	if p == nil {
		return ""
	}
	return csvRatio(*p)
}

func csvBool(b bool) string { return strconv.FormatBool(b) }

func csvDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func csvDemand(d Demand) Table {
	t := Table{Header: []string{"key", "name", "count", "n", "share", "low", "high"}}
	for _, s := range d.Items {
		t.Rows = append(t.Rows, []string{s.Key, s.Name, csvInt(s.Count), csvInt(d.N), csvRatio(s.Share), csvRatio(s.Low), csvRatio(s.High)})
	}
	return t
}

func csvPairs(c Cooccurrence) Table {
	t := Table{Header: []string{"a", "a_name", "b", "b_name", "n", "n_a", "n_b", "n_ab", "confidence", "lift"}}
	for _, p := range c.Items {
		t.Rows = append(t.Rows, []string{p.A, p.AName, p.B, p.BName, csvInt(c.N), csvInt(p.NA), csvInt(p.NB), csvInt(p.NAB), csvRatio(p.Confidence), csvRatio(p.Lift)})
	}
	return t
}

// csvSalaryColumns are the percentile columns of a salary CSV, each followed
// by the ends of its 95 % interval (p10, p10_low, p10_high, p25...).
var csvSalaryColumns = []string{"p10", "p25", "p50", "p75", "p90"}

func csvSalaries(s Salaries) Table {
	t := Table{Header: []string{"key", "name", "n", "suppressed"}}
	for _, c := range csvSalaryColumns {
		t.Header = append(t.Header, c, c+"_low", c+"_high")
	}
	t.Header = append(t.Header, "currency", "source")
	for _, g := range s.Groups {
		row := []string{g.Key, g.Name, csvInt(g.N), csvBool(g.Suppressed)}
		for _, e := range []*Estimate{g.P10, g.P25, g.P50, g.P75, g.P90} {
			if e == nil || g.Suppressed {
				row = append(row, "", "", "")
				continue
			}
			row = append(row, csvNum(e.Value), csvNum(e.Low), csvNum(e.High))
		}
		row = append(row, s.Currency, s.Source)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// StratumAll marks the overall row of a premium in its CSV (seniority and
// area "all").
const StratumAll = "all"

func csvPremiums(p Premiums) Table {
	t := Table{Header: []string{"skill", "name", "seniority", "area", "n_with", "n_without", "median_with", "median_without", "premium", "currency"}}
	for _, it := range p.Items {
		t.Rows = append(t.Rows, []string{it.Skill, it.Name, StratumAll, StratumAll, csvInt(it.NWith), csvInt(it.NWithout), "", "", csvRatio(it.Premium), p.Currency})
		for _, s := range it.Strata {
			t.Rows = append(t.Rows, []string{it.Skill, it.Name, s.Seniority, s.Area, csvInt(s.NWith), csvInt(s.NWithout),
				csvNum(s.MedianWith), csvNum(s.MedianWithout), csvRatio(s.Premium), p.Currency})
		}
	}
	return t
}

func csvTrends(tr Trends) Table {
	t := Table{Header: []string{"series", "kind", "key", "start", "end", "n", "count", "share", "change_pp", "count_change"}}
	for _, s := range tr.Series {
		for _, p := range s.Points {
			t.Rows = append(t.Rows, []string{s.Name, s.Kind, s.Key, csvDay(p.Start), csvDay(p.End), csvInt(p.N), csvInt(p.Count),
				csvRatio(p.Share), csvOptRatio(p.Change), csvOptRatio(p.CountChange)})
		}
	}
	return t
}

// Rows of a hiring-times CSV.
const (
	HiringTimeToFill   = "time_to_fill"
	HiringUnfilled     = "unfilled"
	HiringResponse     = "response"
	HiringUnanswered   = "unanswered"
	HiringAnsweredIn7d = "answered_in_7_days"
)

func csvHiring(h HiringTimes) Table {
	t := Table{Header: []string{"measure", "n", "count", "share", "low", "high", "p25_hours", "p50_hours", "p75_hours", "p90_hours"}}
	dur := func(name string, d Durations) []string {
		return []string{name, csvInt(d.N), "", "", "", "", csvOptNum(d.P25), csvOptNum(d.P50), csvOptNum(d.P75), csvOptNum(d.P90)}
	}
	postings := h.TimeToFill.N + h.Unfilled
	t.Rows = append(t.Rows,
		dur(HiringTimeToFill, h.TimeToFill),
		[]string{HiringUnfilled, csvInt(postings), csvInt(h.Unfilled), csvRatioOf(h.Unfilled, postings), "", "", "", "", "", ""},
		dur(HiringResponse, h.Response),
		[]string{HiringUnanswered, csvInt(h.Applications), csvInt(h.Unanswered), csvRatioOf(h.Unanswered, h.Applications), "", "", "", "", "", ""},
		[]string{HiringAnsweredIn7d, csvInt(h.AnsweredIn7Days.N), csvInt(h.AnsweredIn7Days.Count), csvRatioOf(h.AnsweredIn7Days.Count, h.AnsweredIn7Days.N), csvRatio(h.AnsweredIn7Days.Low), csvRatio(h.AnsweredIn7Days.High), "", "", "", ""},
	)
	return t
}

func csvRatioOf(count, n int) string {
	if n == 0 {
		return ""
	}
	return csvRatio(float64(count) / float64(n))
}

// csvClaims: one row for each claim's headline measure (measure = the
// claim id) followed by its related measures, each with its sample size.
func csvClaims(cs []Claim) Table {
	t := Table{Header: []string{"claim", "measure", "name", "n", "count", "share", "low", "high", "definition"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.ID, c.ID, c.Question, csvInt(c.N), csvInt(c.Count), csvRatio(c.Share), csvRatio(c.Low), csvRatio(c.High), c.Definition})
		for _, a := range c.Also {
			t.Rows = append(t.Rows, []string{c.ID, a.Key, a.Name, csvInt(a.N), csvInt(a.Count), csvRatio(a.Share), csvRatio(a.Low), csvRatio(a.High), ""})
		}
	}
	return t
}

func csvGaps(g SkillGaps) Table {
	t := Table{Header: []string{"skill", "name", "unlocks", "before", "after", "median_before", "n_salary_before", "median_after", "n_salary_after", "uplift", "currency", "eligible", "reachable"}}
	for _, it := range g.Items {
		t.Rows = append(t.Rows, []string{it.Skill, it.Name, csvInt(it.Unlocks), csvInt(it.Before), csvInt(it.After),
			csvOptNum(it.MedianBefore), csvInt(it.NBefore), csvOptNum(it.MedianAfter), csvInt(it.NAfter), csvOptNum(it.Uplift),
			g.Currency, csvInt(g.Eligible), csvInt(g.Reachable)})
	}
	return t
}
