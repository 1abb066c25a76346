package marketdata

import (
	"context"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// SurveyHeader is the header a salary survey file must have (the
// ai-jobs.net salaries.csv layout), in this order.
var SurveyHeader = []string{"work_year", "experience_level", "employment_type", "job_title", "salary",
	"salary_currency", "salary_in_usd", "employee_residence", "remote_ratio", "company_location", "company_size"}

// ExperienceSeniority maps the survey's experience levels to Meridian's
// seniority levels: EN (entry level) → junior, MI (mid level) → mid, SE
// (senior) → senior, EX (executive/director) → lead. The survey has no
// level for interns, staff or principal engineers, so those filters
// select nothing.
var ExperienceSeniority = map[string]string{"EN": "junior", "MI": "mid", "SE": "senior", "EX": "lead"}

// EmploymentTypes are the survey's employment types: full time, part
// time, contract, freelance.
var EmploymentTypes = []string{"FT", "PT", "CT", "FL"}

// Remote groups of a "remote" survey table, by remote_ratio.
const (
	RemoteOnsite = "onsite" // remote_ratio 0
	RemoteHybrid = "hybrid" // 50
	RemoteFull   = "remote" // 100
)

var remoteKeys = []string{RemoteOnsite, RemoteHybrid, RemoteFull}
var remoteNames = []string{"On site (remote ratio 0)", "Hybrid (remote ratio 50)", "Fully remote (remote ratio 100)"}

// Survey group-bys beyond market's.
const (
	ByYear   = "year"
	ByRemote = "remote"
)

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// surveyRow is one valid survey answer.
type surveyRow struct {
	line                  int
	year                  int
	level, seniority, emp string
	title                 string
	salary                float64
	currency              string
	usd                   float64
	residence, location   string
	remote                int
	size                  string
}

func parseSurveyRow(line int, rec []string) (surveyRow, error) {
	r := surveyRow{line: line}
	y, err := strconv.Atoi(rec[0])
	if err != nil || y < 1990 || y > 2100 {
		return r, fmt.Errorf("work_year: %q is not a year", rec[0])
	}
	r.year = y
	r.level = strings.ToUpper(rec[1])
	if r.seniority = ExperienceSeniority[r.level]; r.seniority == "" {
		return r, fmt.Errorf("experience_level: %q is not EN, MI, SE or EX", rec[1])
	}
	if r.emp = strings.ToUpper(rec[2]); !slices.Contains(EmploymentTypes, r.emp) {
		return r, fmt.Errorf("employment_type: %q is not FT, PT, CT or FL", rec[2])
	}
	if r.title = rec[3]; r.title == "" || len(r.title) > 200 {
		return r, fmt.Errorf("job_title: must be 1 to 200 characters")
	}
	amount := func(name, s string) (float64, error) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || v <= 0 || v >= 1e12 {
			return 0, fmt.Errorf("%s: %q is not a positive amount", name, s)
		}
		return v, nil
	}
	if r.salary, err = amount("salary", rec[4]); err != nil {
		return r, err
	}
	if r.currency = strings.ToUpper(rec[5]); !currencyRE.MatchString(r.currency) {
		return r, fmt.Errorf("salary_currency: %q is not a currency code", rec[5])
	}
	if r.usd, err = amount("salary_in_usd", rec[6]); err != nil {
		return r, err
	}
	if r.usd >= 1e9 {
		return r, fmt.Errorf("salary_in_usd: %q is not a plausible annual salary", rec[6])
	}
	country := func(name, s string) (string, error) {
		c := strings.ToUpper(s)
		if !domain.IsCountry(c) {
			return "", fmt.Errorf("%s: %q is not an ISO 3166-1 alpha-2 country code", name, s)
		}
		return c, nil
	}
	if r.residence, err = country("employee_residence", rec[7]); err != nil {
		return r, err
	}
	switch rec[8] {
	case "0", "50", "100":
		r.remote, _ = strconv.Atoi(rec[8])
	default:
		return r, fmt.Errorf("remote_ratio: %q is not 0, 50 or 100", rec[8])
	}
	if r.location, err = country("company_location", rec[9]); err != nil {
		return r, err
	}
	if r.size = strings.ToUpper(rec[10]); r.size != "S" && r.size != "M" && r.size != "L" {
		return r, fmt.Errorf("company_size: %q is not S, M or L", rec[10])
	}
	return r, nil
}

// ImportSurvey imports salary survey answers (the ai-jobs.net
// salaries.csv layout, SurveyHeader; plain or gzipped CSV) under the
// source label. Rows that do not validate are skipped and listed in the
// report ("line N: reason"); a wrong header, a file without a single valid
// row or a read error fails the import. The rows previously imported under
// the label are replaced in the same transaction, so a failed import
// leaves them as they were.
func ImportSurvey(ctx context.Context, db *store.DB, r io.Reader, source string) (ImportReport, error) {
	label, err := checkLabel(source)
	rep := ImportReport{Source: label}
	if err != nil {
		return rep, err
	}
	in, err := newCSVInput(r, &rep)
	if err != nil {
		return rep, err
	}
	if err := in.header(SurveyHeader); err != nil {
		return rep, err
	}
	var rows []surveyRow
	err = in.each(len(SurveyHeader), func(line int, rec []string) error {
		row, err := parseSurveyRow(line, rec)
		if err == nil {
			rows = append(rows, row)
		}
		return err
	})
	if err != nil {
		return rep, err
	}
	if len(rows) == 0 {
		return rep, meridian.Errorf(meridian.EInvalid, "no valid survey row (%d rows read)", rep.Rows)
	}
	err = replace(ctx, db, label, KindSurvey, rep, in.sum(), func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM market_survey_rows WHERE source = ?`, label); err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO market_survey_rows (source, line, work_year, experience_level, seniority,
employment_type, job_title, salary, salary_currency, salary_in_usd, employee_residence, remote_ratio, company_location, company_size)`,
			14, len(rows), func(i int, dst []any) []any {
				r := &rows[i]
				return append(dst, label, r.line, r.year, r.level, r.seniority, r.emp, r.title, r.salary, r.currency, r.usd,
					r.residence, r.remote, r.location, r.size)
			})
	})
	return rep, err
}

// SurveyBasis says what one value of a survey salary table is.
func SurveyBasis(label, currency string) string {
	b := fmt.Sprintf("one answer of the salary survey %q: its salary_in_usd, the annual gross salary as the respondent answered it, converted to US dollars by the survey", label)
	if currency != "USD" {
		b += ", then to " + currency + " with the shipped exchange rates"
	}
	return b
}

// SurveySalaries returns salary percentiles of the survey answers f
// selects (from one survey: f.Source, or the latest imported), overall
// (groupBy "") or grouped by "seniority" (ExperienceSeniority), "country"
// (employee residence; largest groups first), "region" (the residence
// country's area, market.Areas: each country in exactly one of them, as
// for postings), "year" (work_year) or "remote" (remote_ratio: onsite,
// hybrid, remote). Percentiles, bootstrap intervals and suppression below
// minN (at least market.DefaultMinN) are market.SalaryGroupOf's, the same
// as for postings; amounts are in currency (default USD).
//
// The answers are held in memory per database and re-read when the
// survey's import changes (market_sources.import_id), so every node of a
// deployment sees a new import at its next request.
func SurveySalaries(ctx context.Context, db *store.DB, f SurveyFilter, groupBy string, currency string, minN int) (market.Salaries, error) {
	var out market.Salaries
	cur, err := market.CurrencyOf(currency)
	if err != nil {
		return out, err
	}
	switch groupBy {
	case market.ByNone, market.BySeniority, market.ByCountry, market.ByRegion, ByYear, ByRemote:
	default:
		return out, meridian.Errorf(meridian.EInvalid, "groupBy: must be empty, %s, %s, %s, %s or %s",
			market.BySeniority, market.ByCountry, market.ByRegion, ByYear, ByRemote)
	}
	q, err := compileFilter(f)
	if err != nil {
		return out, err
	}
	src, all, err := pickSource(ctx, db, KindSurvey, f.Source)
	if err != nil {
		return out, err
	}
	d, err := cacheOf(db).get(ctx, db, src, all)
	if err != nil {
		return out, err
	}
	minN = max(minN, market.DefaultMinN)
	out = market.Salaries{Source: market.SourceSurvey, Currency: cur, Basis: SurveyBasis(src.label, cur), GroupBy: groupBy, MinN: minN, Groups: []market.SalaryGroup{}}
	sel := d.selector(q)

	// Each group-by numbers its groups; names and order follow.
	var (
		keyOf  func(i int) int
		groups int
		name   func(k int) (string, string)
	)
	switch groupBy {
	case market.ByNone:
		keyOf, groups = func(int) int { return 0 }, 1
		name = func(int) (string, string) { return "all", "All survey answers" }
	case market.BySeniority:
		keyOf, groups = func(i int) int { return int(d.sen[i]) }, len(domain.SeniorityLevels)
		name = func(k int) (string, string) { return domain.SeniorityLevels[k], domain.SeniorityLevels[k] }
	case market.ByCountry:
		keyOf, groups = func(i int) int { return int(d.res[i]) }, len(d.countries)
		name = func(k int) (string, string) { return d.countries[k], d.countries[k] }
	case market.ByRegion:
		keyOf, groups = func(i int) int { return int(d.area[d.res[i]]) }, len(market.Areas)
		name = func(k int) (string, string) { return market.Areas[k], market.AreaNames[market.Areas[k]] }
	case ByYear:
		keyOf, groups = func(i int) int { return int(d.year[i]) - d.minYear }, d.maxYear-d.minYear+1
		name = func(k int) (string, string) { y := strconv.Itoa(d.minYear + k); return y, y }
	case ByRemote:
		keyOf, groups = func(i int) int { return int(d.remote[i]) }, len(remoteKeys)
		name = func(k int) (string, string) { return remoteKeys[k], remoteNames[k] }
	}
	values := make([][]float64, groups)
	for i := range d.usd {
		if sel(i) {
			k := keyOf(i)
			values[k] = append(values[k], d.usd[i])
			out.N++
		}
	}
	for k, v := range values {
		if len(v) == 0 && groupBy != market.ByNone {
			continue
		}
		key, nm := name(k)
		g, err := market.SalaryGroupOf(key, nm, v, cur, minN)
		if err != nil {
			return out, err
		}
		out.Groups = append(out.Groups, g)
	}
	if groupBy == market.ByCountry {
		slices.SortStableFunc(out.Groups, func(a, b market.SalaryGroup) int {
			if a.N != b.N {
				return b.N - a.N
			}
			return strings.Compare(a.Key, b.Key)
		})
	}
	return out, nil
}

// surveyQuery is a validated SurveyFilter.
type surveyQuery struct {
	yearFrom, yearTo int
	seniority        []bool // by domain.SeniorityLevels index; nil: any
	countries        map[string]bool
	regions          []string
	remoteOnly       bool
	title            string // lower case
	emp              []bool // by EmploymentTypes index; nil: any
}

func compileFilter(f SurveyFilter) (surveyQuery, error) {
	q := surveyQuery{yearFrom: f.YearFrom, yearTo: f.YearTo, remoteOnly: f.RemoteOnly, title: strings.ToLower(strings.TrimSpace(f.Title))}
	if q.yearFrom < 0 || q.yearTo < 0 || (q.yearFrom > 0 && q.yearTo > 0 && q.yearFrom > q.yearTo) {
		return q, meridian.Errorf(meridian.EInvalid, "year: from %d must not be after to %d", q.yearFrom, q.yearTo)
	}
	if len(f.Seniority) > 0 {
		q.seniority = make([]bool, len(domain.SeniorityLevels))
		for _, s := range f.Seniority {
			s = strings.ToLower(strings.TrimSpace(s))
			if s == market.Unspecified {
				continue // every answer has a level
			}
			i := slices.Index(domain.SeniorityLevels, s)
			if i < 0 {
				return q, meridian.Errorf(meridian.EInvalid, "seniority: %q is not one of %s", s, strings.Join(domain.SeniorityLevels, ", "))
			}
			q.seniority[i] = true
		}
	}
	if len(f.Countries) > 0 {
		q.countries = map[string]bool{}
		for _, c := range f.Countries {
			c = strings.ToUpper(strings.TrimSpace(c))
			if !domain.IsCountry(c) {
				return q, meridian.Errorf(meridian.EInvalid, "country: %q is not an ISO 3166-1 alpha-2 country code", c)
			}
			q.countries[c] = true
		}
	}
	for _, r := range f.Regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if !domain.IsRegion(r) {
			return q, meridian.Errorf(meridian.EInvalid, "region: %q is not a known region", r)
		}
		q.regions = append(q.regions, r)
	}
	if len(f.EmploymentTypes) > 0 {
		q.emp = make([]bool, len(EmploymentTypes))
		for _, e := range f.EmploymentTypes {
			i := slices.Index(EmploymentTypes, strings.ToUpper(strings.TrimSpace(e)))
			if i < 0 {
				return q, meridian.Errorf(meridian.EInvalid, "employmentType: %q is not one of %s", e, strings.Join(EmploymentTypes, ", "))
			}
			q.emp[i] = true
		}
	}
	return q, nil
}
