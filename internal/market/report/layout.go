package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/marketdata"
)

// The layout: sections of blocks (a chart, the table next to it, the CSV
// behind both), shared by the HTML and Markdown renderers.

type section struct {
	ID, Title string
	// Source says where the section's figures come from; Foreign marks a
	// reference source other than Meridian's postings.
	Source  string
	Foreign bool
	Paras   []string
	Blocks  []*block
}

type block struct {
	Title      string
	Paras      []string
	Definition string
	Charts     []*chart
	Table      *table
	Footnote   string
	CSV        string // file name, next to the report
	Note       string // in place of figures that are missing
}

type table struct {
	Caption string
	Head    []string
	Num     []bool // right-aligned (numeric) columns
	Rows    [][]cell

	head []htmlCell   // as printed (finish)
	rows [][]htmlCell // as printed (finish)
}

type cell struct {
	Text string
	Span int // columns it spans (0: one)
}

func cells(texts ...string) []cell {
	out := make([]cell, len(texts))
	for i, t := range texts {
		out[i] = cell{Text: t}
	}
	return out
}

// csv registers a CSV file and returns its name.
func (r *Report) csv(name string, data any) string {
	for _, f := range r.files {
		if f.Name == name {
			return name
		}
	}
	r.files = append(r.files, csvFile{Name: name, Data: data})
	return name
}

func nEq(n int) string { return "n = " + fmtInt(n) }

func (r *Report) layout() {
	r.sections = nil
	r.files = nil
	r.sections = append(r.sections, r.overview(), r.claimsSection(), r.demandSection(), r.pairsSection(), r.salariesSection(),
		r.premiumsSection(), r.trendsSection(), r.hiringSection(), r.baselineSection(), r.surveySection(), r.methodSection())
}

const postingsSource = "Source: postings published on Meridian (written on Meridian or imported, e.g. from Hacker News \"Who is hiring?\" threads)."

// filterWords says in words which postings the filter selects.
func filterWords(f market.Filter) string {
	var parts []string
	if !f.From.IsZero() {
		parts = append(parts, "posted on or after "+fmtWhen(f.From))
	}
	if !f.To.IsZero() {
		parts = append(parts, "posted before "+fmtWhen(f.To))
	}
	if len(f.Countries) > 0 {
		parts = append(parts, "open to someone in "+orList(f.Countries)+" (worldwide postings included)")
	}
	if len(f.Regions) > 0 {
		parts = append(parts, "open to at least part of "+orList(f.Regions)+" (worldwide postings included)")
	}
	if len(f.Seniority) > 0 {
		parts = append(parts, "seniority "+orList(f.Seniority))
	}
	switch f.Eligibility {
	case market.EligWorldwide:
		parts = append(parts, "open worldwide")
	case market.EligRestricted:
		parts = append(parts, "restricted to some countries or regions")
	}
	if len(f.Skills) > 0 {
		parts = append(parts, "asking for "+strings.Join(f.Skills, " and "))
	}
	if f.Org != "" {
		parts = append(parts, "of organization "+f.Org)
	}
	if f.Open {
		parts = append(parts, "open now")
	}
	if len(parts) == 0 {
		return "none: every posting ever published"
	}
	return strings.Join(parts, "; ")
}

func fmtWhen(t time.Time) string {
	t = t.UTC()
	if t.Equal(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func shareOf(count, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(count) / float64(n)
}

func (r *Report) overview() *section {
	s, o := r.Sample, r.Options
	period := "–"
	if s.N > 0 {
		period = fmtDay(s.First) + " to " + fmtDay(s.Last)
	}
	rows := [][]string{
		{"Postings in the sample", fmtInt(s.N)},
		{"Open now (at " + o.Now.Format(time.RFC3339) + ")", fmtInt(s.Open) + " (" + fmtPct(shareOf(s.Open, s.N)) + ")"},
		{"With a salary", fmtInt(s.Salaried) + " (" + fmtPct(shareOf(s.Salaried, s.N)) + ")"},
		{"Posted", period},
		{"Filters", filterWords(o.Filter)},
		{"Salary currency", o.Currency},
		{"Smallest salary sample shown", fmtInt(o.MinN)},
	}
	t := &table{Caption: "The sample (" + nEq(s.N) + " postings)", Head: []string{"Measure", "Value"}, Num: []bool{false, false}}
	for _, row := range rows {
		t.Rows = append(t.Rows, cells(row...))
	}
	data := market.Table{Header: []string{"measure", "value"}, Rows: [][]string{
		{"postings", strconv.Itoa(s.N)}, {"open", strconv.Itoa(s.Open)}, {"salaried", strconv.Itoa(s.Salaried)},
		{"first_posted", dayOrEmpty(s.First)}, {"last_posted", dayOrEmpty(s.Last)}, {"filters", filterWords(o.Filter)},
		{"currency", o.Currency}, {"min_n", strconv.Itoa(o.MinN)}, {"now", o.Now.Format(time.RFC3339)},
	}}
	b := &block{Table: t, CSV: r.csv("overview.csv", data)}
	if s.N == 0 {
		b.Note = "No posting matches the filters: the sections below are empty."
	}
	return &section{ID: "overview", Title: "Overview", Source: postingsSource,
		Paras: []string{"Every figure of this report is computed over the sample below and gives its sample size n. Shares carry " +
			"95 % Wilson score intervals, salary percentiles 95 % bootstrap intervals. The postings are those published on Meridian: " +
			"not a random sample of the whole market."},
		Blocks: []*block{b}}
}

func dayOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// verdict reads a share's interval against one half.
func verdict(c market.Claim) string {
	switch {
	case c.N == 0:
		return "No posting of the sample is in the denominator: the data says nothing here."
	case c.High < 0.5:
		return "The whole 95 % interval lies below one half: in this sample, a minority."
	case c.Low > 0.5:
		return "The whole 95 % interval lies above one half: in this sample, a majority."
	default:
		return "The 95 % interval includes one half: the data cannot tell a majority from a minority."
	}
}

func (r *Report) claimsSection() *section {
	sec := &section{ID: "claims", Title: "Seed claims", Source: postingsSource,
		Paras: []string{"Two claims measured on the sample, with their definitions in full. A share is a count over n postings; " +
			"the interval is the 95 % Wilson score interval. Related measures put the headline in context."}}
	name := r.csv("claims.csv", r.Claims)
	for _, c := range r.Claims {
		bars := []bar{{Label: c.Question, Value: c.Share, Lo: c.Low, Hi: c.High, HasInterval: true, Emphasis: true,
			Text: fmtPct(c.Share) + " (" + nEq(c.N) + ")", Tip: claimTip(c.Count, c.N, c.Low, c.High)}}
		t := &table{Caption: c.Question + " (" + nEq(c.N) + ")", Head: []string{"Measure", "Count", "n", "Share", "95 % interval"},
			Num: []bool{false, true, true, true, true}}
		t.Rows = append(t.Rows, cells(c.Question, fmtInt(c.Count), fmtInt(c.N), fmtPct(c.Share), fmtCI(c.Low, c.High)))
		for _, a := range c.Also {
			n := a.N
			bars = append(bars, bar{Label: a.Name, Value: a.Share, Lo: a.Low, Hi: a.High, HasInterval: true,
				Text: fmtPct(a.Share) + " (" + nEq(n) + ")", Tip: claimTip(a.Count, n, a.Low, a.High)})
			t.Rows = append(t.Rows, cells(a.Name, fmtInt(a.Count), fmtInt(n), fmtPct(a.Share), fmtCI(a.Low, a.High)))
		}
		headline := fmt.Sprintf("Measured: %s (%s of %s postings; 95 %% interval %s). %s", fmtPct(c.Share), fmtInt(c.Count), fmtInt(c.N),
			fmtCI(c.Low, c.High), verdict(c))
		sec.Blocks = append(sec.Blocks, &block{Title: c.Question, Paras: []string{headline}, Definition: c.Definition,
			Charts: []*chart{barChart("chart-claim-"+c.ID, c.Question+": "+fmtPct(c.Share)+" ("+nEq(c.N)+"), with related measures",
				"Horizontal bars: the share of each measure, with its 95 % interval as a whisker. The table after the chart gives the same figures.",
				bars, 56)},
			Table: t, CSV: name})
	}
	if len(r.Claims) == 0 {
		sec.Blocks = append(sec.Blocks, &block{Note: "No claims measured."})
	}
	return sec
}

func claimTip(count, n int, lo, hi float64) string {
	return fmt.Sprintf("%s of %s (95 %% interval %s)", fmtInt(count), fmtInt(n), fmtCI(lo, hi))
}

func (r *Report) demandBlock(title, what, id string, d market.Demand, file string) *block {
	b := &block{Title: title + " (" + nEq(d.N) + " postings)", CSV: r.csv(file, d)}
	if len(d.Items) == 0 {
		b.Note = "No posting of the sample asks for a " + what + "."
		return b
	}
	t := &table{Caption: title + " (" + nEq(d.N) + ")", Head: []string{"#", strings.ToUpper(what[:1]) + what[1:], "Postings", "Share", "95 % interval"},
		Num: []bool{true, false, true, true, true}}
	bars := make([]bar, 0, len(d.Items))
	for i, it := range d.Items {
		t.Rows = append(t.Rows, cells(strconv.Itoa(i+1), it.Name, fmtInt(it.Count), fmtPct(it.Share), fmtCI(it.Low, it.High)))
		bars = append(bars, bar{Label: it.Name, Value: it.Share, Lo: it.Low, Hi: it.High, HasInterval: true, Text: fmtPct(it.Share),
			Tip: claimTip(it.Count, d.N, it.Low, it.High)})
	}
	b.Charts = []*chart{barChart("chart-"+id, title+": share of postings asking for each "+what+" ("+nEq(d.N)+" postings)",
		"Horizontal bars: share of the sample's postings asking for each "+what+", required or nice to have, most asked for first, with 95 % intervals as whiskers. The table after the chart gives counts and intervals.",
		bars, 32)}
	b.Table = t
	return b
}

func (r *Report) demandSection() *section {
	d := r.Demand
	return &section{ID: "demand", Title: "Demand", Source: postingsSource,
		Paras: []string{fmt.Sprintf("Share of the sample's %s postings asking for each skill (required or nice to have), and for each category and group of the skills taxonomy: the %d skills most asked for, then every category and group.", fmtInt(d.Skills.N), TopSkills)},
		Blocks: []*block{
			r.demandBlock(fmt.Sprintf("Top %d skills", TopSkills), "skill", "demand-skills", d.Skills, "demand-skills.csv"),
			r.demandBlock("Skill categories", "category", "demand-categories", d.Categories, "demand-categories.csv"),
			r.demandBlock("Skill groups", "group", "demand-groups", d.Groups, "demand-groups.csv"),
		}}
}

func fmtRatio(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func (r *Report) pairsSection() *section {
	p := r.Pairs
	b := &block{Title: fmt.Sprintf("Top %d pairs (%s postings)", TopPairs, nEq(p.N)), CSV: r.csv("cooccurrence.csv", p)}
	if len(p.Items) == 0 {
		b.Note = "No two skills are asked for together in the sample."
	} else {
		t := &table{Caption: "Skills asked for together (" + nEq(p.N) + " postings)",
			Head: []string{"Skill A", "Skill B", "Together", "Postings with A", "Postings with B", "Confidence A → B", "Lift"},
			Num:  []bool{false, false, true, true, true, true, true}}
		for _, it := range p.Items {
			t.Rows = append(t.Rows, cells(it.AName, it.BName, fmtInt(it.NAB), fmtInt(it.NA), fmtInt(it.NB), fmtPct(it.Confidence), fmtRatio(it.Lift)))
		}
		b.Table = t
	}
	return &section{ID: "cooccurrence", Title: "Skills asked for together", Source: postingsSource,
		Paras: []string{"Pairs among the 40 skills most asked for, most often asked for together first. Confidence A → B: of the postings asking " +
			"for A, the share also asking for B. Lift: that confidence over B's share of all postings of the sample; above 1, the two are " +
			"asked for together more often than if they were independent, below 1 less often."},
		Blocks: []*block{b}}
}

func suppressedNote(minN int) string { return "n < " + strconv.Itoa(minN) + ", suppressed" }

// salaryBlock lays out a salary table: a range chart and its table.
func (r *Report) salaryBlock(title, id string, s market.Salaries, file string) *block {
	b := &block{Title: title + " (" + nEq(s.N) + " salaries)", CSV: r.csv(file, s)}
	if len(s.Groups) == 0 {
		b.Note = "No salary in this sample."
		return b
	}
	t := &table{Caption: title + ", annual " + s.Currency + " (" + nEq(s.N) + ")",
		Head: []string{"Group", "n", "p10", "p25", "Median", "Median 95 % interval", "p75", "p90"},
		Num:  []bool{false, true, true, true, true, true, true, true}}
	rows := make([]rangeRow, 0, len(s.Groups))
	for _, g := range s.Groups {
		label := g.Name + " (" + nEq(g.N) + ")"
		if g.Suppressed || g.P50 == nil {
			t.Rows = append(t.Rows, []cell{{Text: g.Name}, {Text: fmtInt(g.N)}, {Text: suppressedNote(s.MinN), Span: 6}})
			rows = append(rows, rangeRow{Label: label, Suppressed: true, Note: suppressedNote(s.MinN)})
			continue
		}
		t.Rows = append(t.Rows, cells(g.Name, fmtInt(g.N), fmtAmount(g.P10.Value), fmtAmount(g.P25.Value), fmtAmount(g.P50.Value),
			fmtAmount(g.P50.Low)+"–"+fmtAmount(g.P50.High), fmtAmount(g.P75.Value), fmtAmount(g.P90.Value)))
		rows = append(rows, rangeRow{Label: label, P10: g.P10.Value, P25: g.P25.Value, P50: g.P50.Value, P75: g.P75.Value, P90: g.P90.Value,
			Tip: fmt.Sprintf("%s: p10 %s, p25 %s, median %s, p75 %s, p90 %s %s (%s)", g.Name, fmtAmount(g.P10.Value), fmtAmount(g.P25.Value),
				fmtAmount(g.P50.Value), fmtAmount(g.P75.Value), fmtAmount(g.P90.Value), s.Currency, nEq(g.N))})
	}
	b.Charts = []*chart{rangeChart("chart-"+id, title+": annual salaries in "+s.Currency+", p10 to p90 ("+nEq(s.N)+")",
		"For each group a line from the 10th to the 90th percentile, a box from the 25th to the 75th and a mark at the median; groups with fewer than "+
			strconv.Itoa(s.MinN)+" salaries are suppressed. The table after the chart gives the values and the median's interval.", rows)}
	b.Table = t
	return b
}

func (r *Report) salariesSection() *section {
	s := r.Salaries
	return &section{ID: "salaries", Title: "Salaries", Source: postingsSource,
		Paras: []string{
			fmt.Sprintf("Annual salaries in %s of the %s postings of the sample that publish one (%s of %s postings). One value per posting: %s.",
				r.Options.Currency, fmtInt(s.Overall.N), fmtPct(shareOf(s.Overall.N, r.Sample.N)), fmtInt(r.Sample.N), s.Overall.Basis),
			fmt.Sprintf("Percentiles p10, p25, median, p75 and p90; the median with its 95 %% bootstrap interval. A group with fewer than %d salaries is "+
				"suppressed (shown as \"%s\"), so that no single posting's pay can be read off a table.", s.Overall.MinN, suppressedNote(s.Overall.MinN)),
		},
		Blocks: []*block{
			r.salaryBlock("All postings", "salaries-overall", s.Overall, "salaries-overall.csv"),
			r.salaryBlock("By seniority", "salaries-by-seniority", s.BySeniority, "salaries-by-seniority.csv"),
			r.salaryBlock("By region", "salaries-by-region", s.ByRegion, "salaries-by-region.csv"),
			r.salaryBlock(fmt.Sprintf("By skill, the %d most asked for among postings with a salary", SalarySkills), "salaries-by-skill", s.BySkill, "salaries-by-skill.csv"),
		}}
}

func (r *Report) premiumsSection() *section {
	p := r.Premiums
	b := &block{Title: fmt.Sprintf("Premiums of the %d skills most asked for among postings with a salary", PremiumSkills), CSV: r.csv("premiums.csv", p)}
	if len(p.Items) == 0 {
		b.Note = fmt.Sprintf("No skill has a stratum where both postings with and without it reach %d salaries.", p.MinN)
	} else {
		t := &table{Caption: "Salary premiums (" + p.Currency + ")", Head: []string{"Skill", "Premium", "n with", "n without", "Strata"},
			Num: []bool{false, true, true, true, true}}
		for _, it := range p.Items {
			t.Rows = append(t.Rows, cells(it.Name, fmtSigned(it.Premium), fmtInt(it.NWith), fmtInt(it.NWithout), strconv.Itoa(len(it.Strata))))
		}
		b.Table = t
		b.Footnote = "n with, n without: salaries of postings with and without the skill, summed over the strata compared. The CSV has one row per stratum, with both medians."
	}
	return &section{ID: "premiums", Title: "Salary premiums", Source: postingsSource,
		Paras: []string{fmt.Sprintf("How much more postings asking for a skill pay than comparable postings that do not: within each seniority × area "+
			"stratum where both sides have at least %d salaries, the ratio of the two medians, averaged over the strata with weights n with. "+
			"Skills without such a stratum are left out; the largest premium comes first. A premium is an association in this sample, "+
			"not what learning the skill would pay.", p.MinN)},
		Blocks: []*block{b}}
}

// trendBlock lays out one interval's series: shares of the skills, the
// postings per period, and the table of both.
func (r *Report) trendBlock(title, id string, tr market.Trends, file string) *block {
	b := &block{Title: title, CSV: r.csv(file, tr)}
	if len(tr.Series) == 0 || len(tr.Series[0].Points) == 0 {
		b.Note = "No posting in the sample: no periods."
		return b
	}
	all := tr.Series[0]
	skills := tr.Series[1:]
	label := fmtDay
	if tr.Interval == market.Month {
		label = fmtMonth
	}
	labels := make([]string, len(all.Points))
	counts := make([]float64, len(all.Points))
	total := 0
	for i, p := range all.Points {
		labels[i] = label(p.Start)
		counts[i] = float64(p.N)
		total += p.N
	}
	what := map[string]string{market.Month: "month", market.Week: "week"}[tr.Interval]
	span := labels[0] + " to " + labels[len(labels)-1]
	pct := func(v float64) string { return trimZero(pctNum(v)) + " %" }
	var ls []lineSeries
	for _, s := range skills {
		v := make([]float64, len(s.Points))
		for i, p := range s.Points {
			v[i] = p.Share
			if p.N < r.Options.MinN {
				v[i] = math.NaN() // a share of a handful of postings is noise
			}
		}
		ls = append(ls, lineSeries{Name: s.Name, Values: v})
	}
	if len(ls) > 0 {
		b.Charts = append(b.Charts, lineChart("chart-"+id+"-share", fmt.Sprintf("Share of postings asking for each of the %d skills most asked for, by %s, %s (%s postings)", len(ls), what, span, nEq(total)),
			fmt.Sprintf("One line per skill: its share of the postings posted in each %s. Periods with fewer than %d postings are gaps. The table after the charts gives n and the shares of every period.", what, r.Options.MinN),
			labels, ls, pct))
	}
	b.Charts = append(b.Charts, lineChart("chart-"+id+"-count", fmt.Sprintf("Postings posted per %s, %s (%s)", what, span, nEq(total)),
		"One line: the number of postings of the sample posted in each "+what+".", labels, []lineSeries{{Name: all.Name, Values: counts}},
		func(v float64) string { return fmtShort(v) }))
	head := []string{strings.ToUpper(what[:1]) + what[1:], "Postings (n)"}
	num := []bool{false, true}
	for _, s := range skills {
		head = append(head, s.Name)
		num = append(num, true)
	}
	t := &table{Caption: title + " (" + nEq(total) + " postings)", Head: head, Num: num}
	for i, p := range all.Points {
		row := cells(labels[i], fmtInt(p.N))
		for _, s := range skills {
			if p.N == 0 {
				row = append(row, cell{Text: "–"})
				continue
			}
			row = append(row, cell{Text: fmtPct(s.Points[i].Share)})
		}
		t.Rows = append(t.Rows, row)
	}
	b.Table = t
	b.Footnote = fmt.Sprintf("Each %s is labelled by its first day; the first and last may be cut by the sample's period and then count only their days in it. "+
		"The chart leaves out shares of %ss with fewer than %d postings; the table keeps them. The CSV adds counts and the change against the previous period.", what, what, r.Options.MinN)
	return b
}

func (r *Report) trendsSection() *section {
	return &section{ID: "trends", Title: "Trends", Source: postingsSource,
		Paras: []string{fmt.Sprintf("How many postings were posted in each month of the sample's period and in each of its last %d weeks (or all its weeks, when fewer), and the share "+
			"asking for each of the %d skills most asked for overall. A posting is dated by its source's posting date (imports) or its first "+
			"publication.", WeeklyWeeks, TrendSkills)},
		Blocks: []*block{
			r.trendBlock("Monthly", "trends-monthly", r.Monthly, "trends-monthly.csv"),
			r.trendBlock(fmt.Sprintf("Weekly, up to the last %d weeks", WeeklyWeeks), "trends-weekly", r.Weekly, "trends-weekly.csv"),
		}}
}

func (r *Report) hiringSection() *section {
	h := r.Hiring
	b := &block{CSV: r.csv("hiring-times.csv", h)}
	postings := h.TimeToFill.N + h.Unfilled
	t := &table{Caption: "Hiring times", Head: []string{"Measure", "n", "p25", "Median", "p75", "p90"}, Num: []bool{false, true, true, true, true, true}}
	for _, d := range []struct {
		name string
		d    market.Durations
	}{{"Time to fill: publication to first hire (postings with a hire)", h.TimeToFill}, {"Employer response: application to first move (answered applications)", h.Response}} {
		t.Rows = append(t.Rows, cells(d.name, fmtInt(d.d.N), fmtHours(d.d.P25), fmtHours(d.d.P50), fmtHours(d.d.P75), fmtHours(d.d.P90)))
	}
	t2 := &table{Caption: "Outcomes", Head: []string{"Measure", "Count", "n", "Share", "95 % interval"}, Num: []bool{false, true, true, true, true}}
	outcome := func(name string, count, n int) []cell {
		if n == 0 {
			return cells(name, fmtInt(count), "0", "–", "–")
		}
		lo, hi := market.Wilson(count, n)
		return cells(name, fmtInt(count), fmtInt(n), fmtPct(shareOf(count, n)), fmtCI(lo, hi))
	}
	t2.Rows = append(t2.Rows, outcome("Postings without a hire", h.Unfilled, postings), outcome("Applications without an answer yet", h.Unanswered, h.Applications),
		outcome("Applications answered within 7 days (of those a week old or answered)", h.AnsweredIn7Days.Count, h.AnsweredIn7Days.N))
	b.Table = t
	b2 := &block{Table: t2, CSV: b.CSV}
	if h.Applications == 0 {
		b.Note = "No application in the sample: imported postings take applications at their source, so only postings applied to on Meridian have hiring times."
	}
	return &section{ID: "hiring", Title: "Hiring times", Source: "Source: application events on Meridian for the postings of the sample.",
		Paras:  []string{fmt.Sprintf("Time to fill runs from a posting's publication to its first hire; employer response from an application to the employer's first move of it. %s applications on %s postings.", fmtInt(h.Applications), fmtInt(postings))},
		Blocks: []*block{b, b2}}
}

const baselineSource = "Different source: the Hacker News \"Who is hiring?\" hiring-trends data set (ryanwi/hiringtrends): for each month, " +
	"the number of hiring posts and of those mentioning each term. These are not Meridian postings: they count mentions in free text rather " +
	"than extracted requirements, and cover another period. Read them as the long-run context, not as a continuation of the series above."

func (r *Report) baselineSection() *section {
	sec := &section{ID: "baseline", Title: "Long-run baseline: Hacker News hiring trends (different source)", Source: baselineSource, Foreign: true}
	series := r.Extra.Baseline
	if r.Extra.BaselineNote != "" {
		sec.Paras = append(sec.Paras, r.Extra.BaselineNote)
	}
	var withPoints []marketdata.BaselineSeries
	for _, s := range series {
		if len(s.Points) > 0 {
			withPoints = append(withPoints, s)
		}
	}
	if len(withPoints) == 0 {
		if r.Extra.BaselineNote == "" {
			sec.Blocks = append(sec.Blocks, &block{Note: "No baseline series: none imported, or none for the report's skills."})
		}
		return sec
	}
	// The months of any series, in order.
	var months []string
	seen := map[string]bool{}
	for _, s := range withPoints {
		for _, p := range s.Points {
			if !seen[p.Month] {
				seen[p.Month] = true
				months = append(months, p.Month)
			}
		}
	}
	slices.Sort(months)
	idx := make(map[string]int, len(months))
	for i, m := range months {
		idx[m] = i
	}
	data := marketdata.BaselineSet(withPoints).Table()
	t := &table{Caption: "Baseline terms (share of HN hiring posts mentioning the term)",
		Head: []string{"Term", "Skill", "Months", "First month", "Peak month", "Latest month"}, Num: []bool{false, false, true, true, true, true}}
	var ls []lineSeries
	for _, s := range withPoints {
		v := make([]float64, len(months))
		for i := range v {
			v[i] = math.NaN()
		}
		var first, peak, last *marketdata.BaselinePoint
		for i := range s.Points {
			p := &s.Points[i]
			sh := shareOf(p.Count, p.Posts)
			if p.Posts > 0 {
				v[idx[p.Month]] = sh
			}
			if first == nil || p.Month < first.Month {
				first = p
			}
			if last == nil || p.Month > last.Month {
				last = p
			}
			if peak == nil || sh > shareOf(peak.Count, peak.Posts) || (sh == shareOf(peak.Count, peak.Posts) && p.Month < peak.Month) {
				peak = p
			}
		}
		name := s.Name
		if name == "" {
			name = s.Term
		}
		ls = append(ls, lineSeries{Name: name, Values: v})
		pt := func(p *marketdata.BaselinePoint) string {
			return fmt.Sprintf("%s: %s (%s of %s)", p.Month, fmtPct(shareOf(p.Count, p.Posts)), fmtInt(p.Count), fmtInt(p.Posts))
		}
		t.Rows = append(t.Rows, cells(s.Term, s.Skill, strconv.Itoa(len(s.Points)), pt(first), pt(peak), pt(last)))
	}
	// n: the hiring posts of the months shown (each series has the
	// month's total).
	posts := make([]int, len(months))
	for _, s := range withPoints {
		for _, p := range s.Points {
			posts[idx[p.Month]] = max(posts[idx[p.Month]], p.Posts)
		}
	}
	total := 0
	for _, n := range posts {
		total += n
	}
	pct := func(v float64) string { return trimZero(pctNum(v)) + " %" }
	c := lineChart("chart-baseline", fmt.Sprintf("Share of Hacker News hiring posts mentioning each term, by month, %s to %s (%s hiring posts; different source)",
		months[0], months[len(months)-1], nEq(total)),
		"One line per term: the share of that month's HN \"Who is hiring?\" posts mentioning it; n is the month's posts, given in the table and the CSV. Not Meridian postings.",
		months, ls, pct)
	sec.Blocks = append(sec.Blocks, &block{Title: "Terms of the report's top skills", Charts: []*chart{c}, Table: t,
		CSV: r.csv("baseline-hn-hiring-trends.csv", data), Footnote: "n: the month's hiring posts (the denominator of each share)."})
	return sec
}

const surveySource = "Different source: answers of an imported salary survey (self-reported, one value per answer), not postings. " +
	"Its tables are never merged with the postings tables above: population, basis and period differ."

func (r *Report) surveySection() *section {
	sec := &section{ID: "survey", Title: "Salary survey (different source)", Source: surveySource, Foreign: true}
	if r.Extra.SurveyNote != "" {
		sec.Paras = append(sec.Paras, r.Extra.SurveyNote)
	}
	if len(r.Extra.Survey) == 0 {
		if r.Extra.SurveyNote == "" {
			sec.Blocks = append(sec.Blocks, &block{Note: "No survey figures: no survey imported."})
		}
		return sec
	}
	for i, s := range r.Extra.Survey {
		by := s.GroupBy
		title, file := "Survey: all answers", "survey-salaries.csv"
		if by != "" {
			title, file = "Survey: by "+by, "survey-salaries-by-"+by+".csv"
		}
		id := fmt.Sprintf("survey-%d", i)
		if r.hasFile(file) {
			file = fmt.Sprintf("survey-salaries-%d.csv", i+1)
		}
		b := r.salaryBlock(title, id, s, file)
		b.Title = strings.Replace(b.Title, " salaries)", " answers)", 1)
		if s.Basis != "" {
			b.Paras = append(b.Paras, "Each value is "+s.Basis+".")
		}
		sec.Blocks = append(sec.Blocks, b)
	}
	return sec
}

func (r *Report) hasFile(name string) bool {
	for _, f := range r.files {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (r *Report) methodSection() *section {
	o := r.Options
	return &section{ID: "method", Title: "About the figures", Paras: []string{
		"Sample: the postings selected by the filters of the overview, among every posting ever published on Meridian; \"open now\" is as of " +
			o.Now.Format(time.RFC3339) + ". Figures count postings, not openings: a posting for several people counts once.",
		"Intervals: a share has its 95 % Wilson score interval; a salary percentile its exact 95 % bootstrap percentile interval (what infinitely many resamples would give). They measure sampling noise only, not how the postings were selected.",
		fmt.Sprintf("Suppression: salary groups with fewer than %d values are not shown.", o.MinN),
		"Sources: each section names its source. Reference sources (the Hacker News hiring-trends baseline, salary surveys) have sections of their own and are never mixed into the postings figures.",
		"Data: every chart and table has its CSV next to this page, linked from its section, with full precision (shares with 4 decimals, amounts in whole currency units; suppressed cells empty).",
	}}
}
