package market_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/market"
)

var csvNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// csvModel builds a model of n synthetic postings over the first five
// months of 2026, with applications on some of them.
func csvModel(t testing.TB, n int) *market.Model {
	t.Helper()
	m := market.NewModel()
	skillSets := [][]string{{"go", "aws", "postgresql"}, {"python", "rest"}, {"go", "graphql", "kubernetes"}, {"java", "aws", "rest"}, {"typescript", "react"}}
	titles := []string{"Backend Engineer", "Senior Software Engineer", "Platform Engineer", "Frontend Developer", "Data Engineer"}
	places := []domain.Eligibility{{Worldwide: true}, {Countries: []string{"DE"}}, {Regions: []string{"EU"}}, {Countries: []string{"US"}}}
	var evs []eventstore.Event
	pos := int64(0)
	add := func(stream, typ string, at time.Time, payload any) {
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		pos++
		evs = append(evs, eventstore.Event{Position: pos, StreamID: stream, Type: typ, Payload: b, Time: at})
	}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("job-%04d", i)
		at := start.Add(time.Duration(i%150) * 24 * time.Hour)
		var reqs []domain.SkillRequirement
		for k, s := range skillSets[i%len(skillSets)] {
			reqs = append(reqs, domain.SkillRequirement{Skill: s, Level: 3, Required: k < 2})
		}
		if i%50 == 0 { // a rare skill: small salary samples
			reqs = append(reqs, domain.SkillRequirement{Skill: "rust", Level: 3})
		}
		d := domain.JobDetails{Title: titles[i%len(titles)], Skills: reqs, Seniority: domain.SeniorityLevels[(i/3)%len(domain.SeniorityLevels)],
			Eligibility: places[i%len(places)], PostedAt: at}
		if i%4 != 3 { // a quarter without a salary
			lo := int64(60_000+(i*7919)%90_000) * 100
			d.Salary = &domain.Salary{Min: lo, Max: lo + 20_000_00, Currency: "USD", Period: "year"}
		}
		add(id, domain.JobDrafted, at, domain.JobDraftedEvent{OrgID: fmt.Sprintf("org-%d", i%7), Details: d, At: at})
		add(id, domain.JobPublished, at, domain.JobStatusEvent{At: at, ValidThrough: at.Add(60 * 24 * time.Hour)})
		if i%5 == 0 {
			app := "app-" + id
			add(app, domain.ApplicationSubmitted, at.Add(time.Hour), domain.ApplicationSubmittedEvent{JobID: id})
			if i%10 == 0 {
				add(app, domain.ApplicationStageChanged, at.Add(50*time.Hour), domain.StageChangedEvent{To: domain.StageHired})
			}
		}
	}
	if err := m.Apply(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	return m
}

func csvRead(t *testing.T, v any) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := market.WriteCSV(&buf, v); err != nil {
		t.Fatalf("WriteCSV(%T): %v", v, err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("CSV of %T does not parse: %v\n%s", v, err, buf.String())
	}
	if len(recs) == 0 {
		t.Fatalf("CSV of %T has no header", v)
	}
	return recs
}

var csvExponent = regexp.MustCompile(`^-?[0-9.]+[eE][-+]?[0-9]+$`)

// cells checks every row has the header's width and returns the rows as
// maps by column.
func csvCells(t *testing.T, recs [][]string, header ...string) []map[string]string {
	t.Helper()
	if strings.Join(recs[0], ",") != strings.Join(header, ",") {
		t.Fatalf("header %v, want %v", recs[0], header)
	}
	var out []map[string]string
	for i, r := range recs[1:] {
		if len(r) != len(header) {
			t.Fatalf("row %d has %d cells, want %d", i+1, len(r), len(header))
		}
		row := map[string]string{}
		for j, c := range r {
			if csvExponent.MatchString(c) || strings.Contains(c, "NaN") || strings.HasPrefix(c, "-0.0000") {
				t.Fatalf("row %d column %s: %q is not a plain number", i+1, header[j], c)
			}
			row[header[j]] = c
		}
		out = append(out, row)
	}
	return out
}

func csvNumber(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

// near: a CSV ratio has 4 decimals.
func csvNear(t *testing.T, what, s string, want float64) {
	t.Helper()
	if got := csvNumber(t, s); math.Abs(got-want) > 0.00005+1e-12 {
		t.Fatalf("%s = %s, want %v", what, s, want)
	}
	if i := strings.IndexByte(s, '.'); i < 0 || len(s)-i-1 != 4 {
		t.Fatalf("%s = %q: want 4 decimals", what, s)
	}
}

func csvExact(t *testing.T, what, s string, want float64) {
	t.Helper()
	if got := csvNumber(t, s); got != want {
		t.Fatalf("%s = %s, want %v", what, s, want)
	}
}

func TestWriteCSVDemandPairsClaims(t *testing.T) {
	m := csvModel(t, 400)
	d, err := m.Demand(market.Filter{}, market.KindSkill, false, 0, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	rows := csvCells(t, csvRead(t, d), "key", "name", "count", "n", "share", "low", "high")
	if len(rows) != len(d.Items) || len(rows) == 0 {
		t.Fatalf("%d rows for %d items", len(rows), len(d.Items))
	}
	for i, r := range rows {
		it := d.Items[i]
		if r["key"] != it.Key || r["name"] != it.Name {
			t.Fatalf("row %d: %v, want %+v", i, r, it)
		}
		csvExact(t, "count", r["count"], float64(it.Count))
		csvExact(t, "n", r["n"], float64(d.N))
		csvNear(t, "share", r["share"], it.Share)
		csvNear(t, "low", r["low"], it.Low)
		csvNear(t, "high", r["high"], it.High)
	}
	// A pointer writes the same.
	if a, b := csvRead(t, d), csvRead(t, &d); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("*Demand and Demand differ")
	}

	co, err := m.Cooccurrence(market.Filter{}, "", 1, 10, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	rows = csvCells(t, csvRead(t, co), "a", "a_name", "b", "b_name", "n", "n_a", "n_b", "n_ab", "confidence", "lift")
	if len(rows) != len(co.Items) || len(rows) == 0 {
		t.Fatalf("%d rows for %d pairs", len(rows), len(co.Items))
	}
	for i, r := range rows {
		p := co.Items[i]
		if r["a"] != p.A || r["b"] != p.B {
			t.Fatalf("row %d: %v, want %+v", i, r, p)
		}
		csvExact(t, "n_ab", r["n_ab"], float64(p.NAB))
		csvNear(t, "lift", r["lift"], p.Lift)
		csvNear(t, "confidence", r["confidence"], p.Confidence)
	}

	cs, err := m.Claims(market.Filter{}, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	rows = csvCells(t, csvRead(t, cs), "claim", "measure", "name", "n", "count", "share", "low", "high", "definition")
	i := 0
	for _, c := range cs {
		r := rows[i]
		i++
		if r["claim"] != c.ID || r["measure"] != c.ID || r["definition"] != c.Definition || r["name"] != c.Question {
			t.Fatalf("claim row %v, want %+v", r, c)
		}
		csvExact(t, "n", r["n"], float64(c.N))
		csvExact(t, "count", r["count"], float64(c.Count))
		csvNear(t, "share", r["share"], c.Share)
		for _, a := range c.Also {
			r := rows[i]
			i++
			if r["claim"] != c.ID || r["measure"] != a.Key || r["definition"] != "" {
				t.Fatalf("related row %v, want %+v", r, a)
			}
			csvExact(t, "count", r["count"], float64(a.Count))
			csvNear(t, "share", r["share"], a.Share)
			// The sample size of a related measure, recovered from its
			// interval, gives back the share.
			n := csvNumber(t, r["n"])
			if lo, hi := market.Wilson(a.Count, int(n)); math.Abs(lo-a.Low) > 1e-12 || math.Abs(hi-a.High) > 1e-12 {
				t.Fatalf("%s: n %v does not give the interval %v–%v", a.Key, n, a.Low, a.High)
			}
		}
	}
	if i != len(rows) {
		t.Fatalf("%d claim rows, %d expected", len(rows), i)
	}
}

func TestWriteCSVSalariesSuppressed(t *testing.T) {
	m := csvModel(t, 400)
	s, err := m.Salaries(market.Filter{}, market.BySkill, "EUR", 40, 30, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"key", "name", "n", "suppressed"}
	for _, p := range []string{"p10", "p25", "p50", "p75", "p90"} {
		header = append(header, p, p+"_low", p+"_high")
	}
	header = append(header, "currency", "source")
	rows := csvCells(t, csvRead(t, s), header...)
	if len(rows) != len(s.Groups) {
		t.Fatalf("%d rows for %d groups", len(rows), len(s.Groups))
	}
	var shown, hidden int
	for i, r := range rows {
		g := s.Groups[i]
		if r["key"] != g.Key || r["currency"] != "EUR" || r["source"] != market.SourcePostings {
			t.Fatalf("row %v, want %+v", r, g)
		}
		csvExact(t, "n", r["n"], float64(g.N))
		if g.Suppressed {
			hidden++
			if r["suppressed"] != "true" || r["p50"] != "" || r["p10_low"] != "" || r["p90_high"] != "" {
				t.Fatalf("suppressed row shows values: %v", r)
			}
			continue
		}
		shown++
		csvExact(t, "p10", r["p10"], g.P10.Value)
		csvExact(t, "p50", r["p50"], g.P50.Value)
		csvExact(t, "p50_low", r["p50_low"], g.P50.Low)
		csvExact(t, "p90_high", r["p90_high"], g.P90.High)
		if strings.Contains(r["p50"], ".") {
			t.Fatalf("amount %q: want whole units", r["p50"])
		}
	}
	if shown == 0 || hidden == 0 {
		t.Fatalf("want both shown and suppressed rows (minimum 40): %d shown, %d suppressed", shown, hidden)
	}
}

func TestWriteCSVPremiumsTrendsHiring(t *testing.T) {
	m := csvModel(t, 2000)
	p, err := m.Premiums(market.Filter{}, nil, "USD", 10, 10, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	rows := csvCells(t, csvRead(t, p), "skill", "name", "seniority", "area", "n_with", "n_without", "median_with", "median_without", "premium", "currency")
	want := 0
	for _, it := range p.Items {
		want += 1 + len(it.Strata)
	}
	if len(rows) != want || want == 0 {
		t.Fatalf("%d premium rows, want %d", len(rows), want)
	}
	i := 0
	for _, it := range p.Items {
		r := rows[i]
		i++
		if r["skill"] != it.Skill || r["seniority"] != market.StratumAll || r["area"] != market.StratumAll || r["median_with"] != "" {
			t.Fatalf("overall row %v for %+v", r, it)
		}
		csvNear(t, "premium", r["premium"], it.Premium)
		csvExact(t, "n_with", r["n_with"], float64(it.NWith))
		for _, s := range it.Strata {
			r := rows[i]
			i++
			if r["seniority"] != s.Seniority || r["area"] != s.Area {
				t.Fatalf("stratum row %v for %+v", r, s)
			}
			csvExact(t, "median_with", r["median_with"], s.MedianWith)
			csvNear(t, "premium", r["premium"], s.Premium)
		}
	}

	tr, err := m.Trends(market.Filter{}, market.Month, []market.SeriesKey{{Kind: market.KindSkill, Key: "go"}, {Kind: market.KindGroup, Key: "cloud"}}, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	rows = csvCells(t, csvRead(t, tr), "series", "kind", "key", "start", "end", "n", "count", "share", "change_pp", "count_change")
	i = 0
	for _, s := range tr.Series {
		for k, pt := range s.Points {
			r := rows[i]
			i++
			if r["key"] != s.Key || r["kind"] != s.Kind || r["series"] != s.Name || r["start"] != pt.Start.Format(time.DateOnly) || r["end"] != pt.End.Format(time.DateOnly) {
				t.Fatalf("trend row %v for %s %+v", r, s.Key, pt)
			}
			csvExact(t, "count", r["count"], float64(pt.Count))
			csvNear(t, "share", r["share"], pt.Share)
			if k == 0 != (r["change_pp"] == "") {
				t.Fatalf("change of period %d: %q", k, r["change_pp"])
			}
			if pt.Change != nil {
				csvNear(t, "change_pp", r["change_pp"], *pt.Change)
			}
		}
	}
	if i != len(rows) || i == 0 {
		t.Fatalf("%d trend rows, %d points", len(rows), i)
	}

	h, err := m.HiringTimes(market.Filter{}, csvNow)
	if err != nil {
		t.Fatal(err)
	}
	rows = csvCells(t, csvRead(t, h), "measure", "n", "count", "share", "low", "high", "p25_hours", "p50_hours", "p75_hours", "p90_hours")
	if len(rows) != 5 || rows[0]["measure"] != market.HiringTimeToFill {
		t.Fatalf("hiring rows %v", rows)
	}
	csvExact(t, "time to fill n", rows[0]["n"], float64(h.TimeToFill.N))
	csvExact(t, "time to fill p50", rows[0]["p50_hours"], *h.TimeToFill.P50)
	csvExact(t, "unfilled", rows[1]["count"], float64(h.Unfilled))
	csvExact(t, "applications", rows[3]["n"], float64(h.Applications))
	csvNear(t, "answered in 7 days", rows[4]["share"], h.AnsweredIn7Days.Share)
}

func TestWriteCSVTableAndErrors(t *testing.T) {
	tab := market.Table{Header: []string{"a", "b"}, Rows: [][]string{{"x, y", "say \"hi\"\nthere"}, {"", "2"}}}
	recs := csvRead(t, tab)
	if len(recs) != 3 || recs[1][0] != "x, y" || recs[1][1] != "say \"hi\"\nthere" || recs[2][0] != "" {
		t.Fatalf("table round trip: %q", recs)
	}
	g := market.SkillGaps{Currency: "USD", Eligible: 5, Reachable: 2, Items: []market.Gap{{Skill: "go", Name: "Go", Unlocks: 3, Before: 2, After: 5}}}
	rows := csvCells(t, csvRead(t, g), "skill", "name", "unlocks", "before", "after", "median_before", "n_salary_before", "median_after", "n_salary_after", "uplift", "currency", "eligible", "reachable")
	if rows[0]["median_before"] != "" || rows[0]["unlocks"] != "3" || rows[0]["eligible"] != "5" {
		t.Fatalf("gaps row %v", rows[0])
	}
	big := 1e9 + 0.5
	neg := -0.00001
	tr := market.Trends{Series: []market.Series{{Key: "", Name: "All postings", Points: []market.Point{{N: 1, Share: 1e-7, Change: &neg, CountChange: &big}}}}}
	rows = csvCells(t, csvRead(t, tr), "series", "kind", "key", "start", "end", "n", "count", "share", "change_pp", "count_change")
	if rows[0]["share"] != "0.0000" || rows[0]["change_pp"] != "0.0000" || rows[0]["count_change"] != "1000000000.5000" {
		t.Fatalf("plain numbers: %v", rows[0])
	}
	for _, v := range []any{42, "x", map[string]int{}, []market.Share{}} {
		if err := market.WriteCSV(&bytes.Buffer{}, v); err == nil {
			t.Fatalf("WriteCSV(%T) accepted", v)
		}
	}
}
