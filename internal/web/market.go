package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/market/report"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// Dashboard sizes.
const (
	marketTopSkills   = 10 // demand chart rows
	marketSalarySkill = 8  // salary-by-skill rows
	marketTrendSkills = 3  // trend lines
	marketCurrency    = "USD"
)

// figure is one chart with the table of its numbers.
type figure struct {
	Heading string
	Intro   string
	SVG     template.HTML
	Caption string
	Head    []string
	Rows    [][]string
	Note    string // instead of a chart (no data)
}

type claimView struct {
	market.Claim
	Figure figure
}

type marketData struct {
	layout
	Period      string
	Region      string
	Regions     []option
	Problems    []string
	Unavailable bool
	N           int
	Demand      figure
	Salaries    []figure
	Trend       figure
	Claims      []claimView
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + " %"
}

func interval(lo, hi float64) string {
	return strconv.FormatFloat(lo*100, 'f', 1, 64) + "–" + strconv.FormatFloat(hi*100, 'f', 1, 64) + " %"
}

func amount(v float64) string { return thousands(int64(math.Round(v))) }

// marketFilter reads the dashboard's form: a period (2026, 2026-Q1,
// 2026-03, 2026-W10) and a region.
func marketFilter(v url.Values) (market.Filter, string, string, []string) {
	var f market.Filter
	var problems []string
	period := strings.TrimSpace(v.Get("period"))
	if period != "" {
		from, to, err := market.ParsePeriod(period)
		if err != nil {
			problems = append(problems, "Period must be a year (2026), quarter (2026-Q1), month (2026-03) or ISO week (2026-W10).")
		} else {
			f.From, f.To = from, to
		}
	}
	region := v.Get("region")
	if region != "" {
		if _, ok := domain.Regions[region]; ok {
			f.Regions = []string{region}
		} else {
			problems = append(problems, "Unknown region.")
			region = ""
		}
	}
	return f, period, region, problems
}

func (h *Handler) market(w http.ResponseWriter, r *http.Request) {
	f, period, region, problems := marketFilter(r.URL.Query())
	d := marketData{layout: h.layout(r, "Remote backend job market", "Which skills remote backend postings ask for, what they pay and how demand moves: figures from the postings published on Meridian."),
		Period: period, Region: region, Problems: problems}
	for _, k := range sortedKeys(domain.Regions) {
		d.Regions = append(d.Regions, option{k, regionName(k), k == region})
	}
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
	}
	if h.cfg.App.Market == nil {
		d.Unavailable = true
		h.render(w, r, http.StatusServiceUnavailable, "market", d)
		return
	}
	if err := h.marketFigures(r, f, &d); err != nil {
		if meridian.ErrorCode(err) != meridian.EInvalid {
			h.fail(w, r, err)
			return
		}
		d.Problems = append(d.Problems, meridian.ErrorMessage(err))
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "market", d)
}

func (h *Handler) marketFigures(r *http.Request, f market.Filter, d *marketData) error {
	ctx := anonymous(r)
	a := h.cfg.App
	dem, err := a.MarketDemand(ctx, f, market.KindSkill, false, marketTopSkills)
	if err != nil {
		return err
	}
	d.N = dem.N
	if d.Demand, err = demandFigure(dem); err != nil {
		return err
	}
	bySen, err := a.MarketSalaries(ctx, f, market.BySeniority, marketCurrency, 0, 0)
	if err != nil {
		return err
	}
	bySkill, err := a.MarketSalaries(ctx, f, market.BySkill, marketCurrency, 0, marketSalarySkill)
	if err != nil {
		return err
	}
	for _, s := range []struct {
		id, title string
		sal       market.Salaries
	}{{"salaries-seniority", "Salaries by seniority", bySen}, {"salaries-skill", "Salaries of the most asked-for skills", bySkill}} {
		fig, err := salaryFigure(s.id, s.title, s.sal)
		if err != nil {
			return err
		}
		d.Salaries = append(d.Salaries, fig)
	}
	var keys []market.SeriesKey
	for i, it := range dem.Items {
		if i == marketTrendSkills {
			break
		}
		keys = append(keys, market.SeriesKey{Kind: market.KindSkill, Key: it.Key})
	}
	tr, err := a.MarketTrends(ctx, f, market.Month, keys)
	if err != nil {
		return err
	}
	if d.Trend, err = trendFigure(tr); err != nil {
		return err
	}
	claims, err := a.MarketClaims(ctx, f)
	if err != nil {
		return err
	}
	for _, c := range claims {
		fig, err := claimFigure(c)
		if err != nil {
			return err
		}
		d.Claims = append(d.Claims, claimView{Claim: c, Figure: fig})
	}
	return nil
}

func shareTip(count, n int, lo, hi float64) string {
	return fmt.Sprintf("%s of %s postings (95 %% interval %s)", thousands(int64(count)), thousands(int64(n)), interval(lo, hi))
}

func demandFigure(dem market.Demand) (figure, error) {
	fig := figure{Heading: "Skills in demand", Caption: "Share of postings asking for each skill (n = " + thousands(int64(dem.N)) + ")",
		Intro: fmt.Sprintf("Share of the %s postings asking for each skill, required or nice to have, with its 95 %% interval.", thousands(int64(dem.N))),
		Head:  []string{"Skill", "Postings", "Share", "95 % interval"}}
	if len(dem.Items) == 0 {
		fig.Note = "No postings in this selection."
		return fig, nil
	}
	bars := make([]report.Bar, 0, len(dem.Items))
	for _, it := range dem.Items {
		fig.Rows = append(fig.Rows, []string{it.Name, thousands(int64(it.Count)), pct(it.Share), interval(it.Low, it.High)})
		bars = append(bars, report.Bar{Label: it.Name, Value: it.Share, Lo: it.Low, Hi: it.High, HasInterval: true, Text: pct(it.Share),
			Tip: shareTip(it.Count, dem.N, it.Low, it.High)})
	}
	var err error
	fig.SVG, err = report.BarChartSVG("chart-demand", fmt.Sprintf("Share of postings asking for each of the %d skills most asked for (n = %s)", len(bars), thousands(int64(dem.N))),
		"Horizontal bars, most asked for first, with the 95 % interval as a whisker. The table below the chart gives the same figures.", bars, 32)
	return fig, err
}

func salaryFigure(id, title string, s market.Salaries) (figure, error) {
	fig := figure{Heading: title, Caption: title + ", annual " + s.Currency + " (n = " + thousands(int64(s.N)) + ")",
		Head: []string{"Group", "n", "p10", "Median", "p90"}}
	if len(s.Groups) == 0 {
		fig.Note = "No posting in this selection publishes a salary."
		return fig, nil
	}
	rows := make([]report.Range, 0, len(s.Groups))
	for _, g := range s.Groups {
		if s.GroupBy == market.BySeniority {
			g.Name = titleCase(g.Name) // level names are lower case
		}
		label := g.Name + " (n = " + thousands(int64(g.N)) + ")"
		if g.Suppressed || g.P10 == nil || g.P25 == nil || g.P50 == nil || g.P75 == nil || g.P90 == nil {
			note := fmt.Sprintf("fewer than %d salaries: not shown", s.MinN)
			fig.Rows = append(fig.Rows, []string{g.Name, thousands(int64(g.N)), note, "", ""})
			rows = append(rows, report.Range{Label: label, Suppressed: true, Note: note})
			continue
		}
		fig.Rows = append(fig.Rows, []string{g.Name, thousands(int64(g.N)), amount(g.P10.Value), amount(g.P50.Value), amount(g.P90.Value)})
		rows = append(rows, report.Range{Label: label, P10: g.P10.Value, P25: g.P25.Value, P50: g.P50.Value, P75: g.P75.Value, P90: g.P90.Value,
			Tip: fmt.Sprintf("%s: p10 %s, median %s, p90 %s %s", g.Name, amount(g.P10.Value), amount(g.P50.Value), amount(g.P90.Value), s.Currency)})
	}
	var err error
	fig.SVG, err = report.RangeChartSVG("chart-"+id, title+": annual salaries in "+s.Currency+", p10 to p90, with the median",
		fmt.Sprintf("For each group a line from the 10th to the 90th percentile, a box from the 25th to the 75th and a mark at the median; groups with fewer than %d salaries are not shown. The table below the chart gives the values.", s.MinN), rows)
	return fig, err
}

func trendFigure(tr market.Trends) (figure, error) {
	fig := figure{Heading: "Monthly trend", Caption: "Share of each month's postings asking for the skill"}
	if len(tr.Series) == 0 || len(tr.Series[0].Points) == 0 {
		fig.Note = "No postings in this selection."
		return fig, nil
	}
	fig.Head = []string{"Month", "Postings"}
	var names []string
	lines := make([]report.Line, 0, len(tr.Series))
	for _, s := range tr.Series {
		fig.Head = append(fig.Head, s.Name)
		names = append(names, s.Name)
		l := report.Line{Name: s.Name}
		for _, p := range s.Points {
			v := p.Share
			if p.N == 0 {
				v = math.NaN()
			}
			l.Values = append(l.Values, v)
		}
		lines = append(lines, l)
	}
	labels := make([]string, 0, len(tr.Series[0].Points))
	for i, p := range tr.Series[0].Points {
		month := p.Start.UTC().Format("2006-01")
		labels = append(labels, month)
		row := []string{month, thousands(int64(p.N))}
		for _, s := range tr.Series {
			if i < len(s.Points) && s.Points[i].N > 0 {
				row = append(row, pct(s.Points[i].Share))
			} else {
				row = append(row, "–")
			}
		}
		fig.Rows = append(fig.Rows, row)
	}
	fig.Intro = "Share of each month's postings asking for " + strings.Join(names, ", ") + "."
	var err error
	fig.SVG, err = report.LineChartSVG("chart-trend", "Monthly share of postings asking for "+strings.Join(names, ", "),
		"One line per skill over the months, with a legend. The table below the chart gives each month's figures.", labels, lines, nil)
	return fig, err
}

func claimFigure(c market.Claim) (figure, error) {
	fig := figure{Caption: c.Question + " (n = " + thousands(int64(c.N)) + ")", Head: []string{"Measure", "Count", "n", "Share", "95 % interval"}}
	bars := []report.Bar{{Label: c.Question, Value: c.Share, Lo: c.Low, Hi: c.High, HasInterval: true, Emphasis: true,
		Text: pct(c.Share), Tip: shareTip(c.Count, c.N, c.Low, c.High)}}
	fig.Rows = append(fig.Rows, []string{c.Question, thousands(int64(c.Count)), thousands(int64(c.N)), pct(c.Share), interval(c.Low, c.High)})
	for _, a := range c.Also {
		bars = append(bars, report.Bar{Label: a.Name, Value: a.Share, Lo: a.Low, Hi: a.High, HasInterval: true, Text: pct(a.Share),
			Tip: shareTip(a.Count, a.N, a.Low, a.High)})
		fig.Rows = append(fig.Rows, []string{a.Name, thousands(int64(a.Count)), thousands(int64(a.N)), pct(a.Share), interval(a.Low, a.High)})
	}
	var err error
	fig.SVG, err = report.BarChartSVG("chart-claim-"+c.ID, c.Question+": "+pct(c.Share)+" (n = "+thousands(int64(c.N))+"), with related measures",
		"Horizontal bars: the share of each measure, with its 95 % interval as a whisker. The table below the chart gives the same figures.", bars, 48)
	return fig, err
}

// orgData is an organization's page.
type orgData struct {
	layout
	Org      readmodel.Org
	Jobs     []hitView
	More     bool
	Market   bool // the market model is running
	Response *responseView
}

type responseView struct {
	Applications, Answered, Unanswered int
	MinN                               int
	Median, P75, P90                   string // "" below MinN answers
	In7Days                            string
	In7N                               int
}

// orgJobs is the most postings an organization page lists.
const orgJobs = 50

func (h *Handler) org(w http.ResponseWriter, r *http.Request) {
	ctx := anonymous(r)
	id := r.PathValue("orgId")
	o, err := h.cfg.App.Org(ctx, id)
	if err != nil {
		if meridian.ErrorCode(err) == meridian.EInvalid {
			err = meridian.Errorf(meridian.ENotFound, "organization %s not found", id)
		}
		h.fail(w, r, err)
		return
	}
	page, err := h.cfg.App.Jobs(ctx, readmodel.JobFilter{OrgID: o.ID, Limit: orgJobs})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	desc := "Remote jobs at " + o.Name + "."
	if o.Description != "" {
		desc = o.Description
	}
	d := orgData{layout: h.layout(r, o.Name, desc), Org: o, More: page.NextCursor != "", Market: h.cfg.App.Market != nil}
	for _, j := range page.Items {
		hv := hitView{URL: "/jobs/" + url.PathEscape(j.ID), Eligibility: eligibilityText(j), Salary: salaryText(j.Salary)}
		hv.Job = j
		for _, s := range j.Skills {
			if s.Required && len(hv.Skills) < 6 {
				hv.Skills = append(hv.Skills, h.skillName(s.Skill))
			}
		}
		d.Jobs = append(d.Jobs, hv)
	}
	if d.Market {
		ht, err := h.cfg.App.MarketHiringTimes(ctx, market.Filter{Org: o.ID})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Response = responseOf(ht)
	}
	h.render(w, r, http.StatusOK, "org", d)
}

// responseOf shows response times only over at least DefaultMinN
// answered applications, so no single candidate's wait can be read off
// a public page.
func responseOf(ht market.HiringTimes) *responseView {
	v := &responseView{Applications: ht.Applications, Answered: ht.Response.N, Unanswered: ht.Unanswered, MinN: market.DefaultMinN,
		In7N: ht.AnsweredIn7Days.N}
	if ht.Response.N >= market.DefaultMinN {
		v.Median, v.P75, v.P90 = hours(ht.Response.P50), hours(ht.Response.P75), hours(ht.Response.P90)
	}
	if ht.AnsweredIn7Days.N >= market.DefaultMinN {
		v.In7Days = pct(ht.AnsweredIn7Days.Share) + " (95 % interval " + interval(ht.AnsweredIn7Days.Low, ht.AnsweredIn7Days.High) + ")"
	}
	return v
}

// hours prints a duration given in hours: hours below two days, else days.
func hours(p *float64) string {
	if p == nil {
		return "–"
	}
	if *p < 48 {
		return strconv.FormatFloat(*p, 'f', 1, 64) + " hours"
	}
	return strconv.FormatFloat(*p/24, 'f', 1, 64) + " days"
}
