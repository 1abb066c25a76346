// Package marketdata holds the reference data sets market figures can be
// read against, each a separate, labelled source that is never mixed with
// the postings: the Hacker News hiring-trends term series (a long-run
// baseline of monthly term shares since 2011) and salary survey answers.
// Both are imported into SQL tables shared by every node.
package marketdata

import (
	"strconv"
	"time"

	"github.com/meridianhq/meridian/internal/market"
)

// Source labels.
const (
	SourceHNTrends = "hn-hiringtrends"
	SourceSurvey   = market.SourceSurvey
)

// BaselinePoint is one month of the hiring-trends series.
type BaselinePoint struct {
	Month string  `json:"month"` // YYYY-MM
	Posts int     `json:"posts"` // hiring posts that month
	Count int     `json:"count"` // posts mentioning the term
	Share float64 `json:"share"` // Count/Posts
}

// BaselineSeries is the monthly series of one term.
type BaselineSeries struct {
	Source string          `json:"source"` // SourceHNTrends
	Label  string          `json:"label"`  // the import's source label
	Term   string          `json:"term"`
	Skill  string          `json:"skill,omitempty"` // taxonomy id the term maps to
	Name   string          `json:"name"`
	Points []BaselinePoint `json:"points"`
}

// SurveyFilter selects survey answers.
type SurveyFilter struct {
	YearFrom, YearTo int      // work_year bounds, inclusive; 0: open
	Seniority        []string // Meridian levels (junior, mid, senior, lead...)
	Countries        []string // employee residence, ISO alpha-2
	Regions          []string // employee residence within a region
	RemoteOnly       bool     // remote_ratio 100
	Title            string   // case-insensitive substring of the job title
	// EmploymentTypes: any of the survey's codes FT, PT, CT, FL; empty:
	// all.
	EmploymentTypes []string
	// Source: the label of the survey to read; "": the survey imported
	// last. Figures never mix two surveys.
	Source string
}

// SurveyFilterFor maps a postings filter onto the survey: seniority (less
// "unspecified": every answer has one), residence countries and regions,
// and the work years the posting days fall in. The filters the survey has
// no equivalent for (skills, status, organization, eligibility) are left
// to the caller to refuse or to ignore.
func SurveyFilterFor(f market.Filter) SurveyFilter {
	sf := SurveyFilter{Countries: f.Countries, Regions: f.Regions}
	for _, s := range f.Seniority {
		if s != market.Unspecified {
			sf.Seniority = append(sf.Seniority, s)
		}
	}
	if !f.From.IsZero() {
		sf.YearFrom = f.From.Year()
	}
	if !f.To.IsZero() {
		sf.YearTo = f.To.Add(-time.Nanosecond).Year()
	}
	return sf
}

// ImportReport says what an import did; Errors name the line and reason
// of each skipped row.
type ImportReport struct {
	Source   string   `json:"source"`
	Rows     int      `json:"rows"`
	Imported int      `json:"imported"`
	Skipped  int      `json:"skipped"`
	Errors   []string `json:"errors,omitempty"`
}

// BaselineTerm is one term of the hiring-trends series with the
// taxonomy skill it maps to.
type BaselineTerm struct {
	Source  string   `json:"source"` // SourceHNTrends
	Label   string   `json:"label"`
	Term    string   `json:"term"`
	Aliases []string `json:"aliases,omitempty"` // the source's other spellings
	Skill   string   `json:"skill,omitempty"`
	Name    string   `json:"name"`
	Months  int      `json:"months"` // months with a row
	First   string   `json:"first"`  // YYYY-MM
	Last    string   `json:"last"`
}

// Kinds of source.
const (
	KindSurvey   = SourceSurvey   // salary survey answers
	KindHNTrends = SourceHNTrends // hiring-trends term series
)

// SourceInfo is one imported source.
type SourceInfo struct {
	Label      string `json:"label"`
	Kind       string `json:"kind"` // KindSurvey or KindHNTrends
	Rows       int    `json:"rows"` // rows imported
	Skipped    int    `json:"skipped"`
	SHA256     string `json:"sha256"` // of the CSV as read (decompressed)
	ImportedAt string `json:"importedAt"`
}

// BaselineSet is a set of series, as the API and the report give them.
type BaselineSet []BaselineSeries

// Table lays the series out for CSV: one row per term and month.
func (b BaselineSet) Table() market.Table {
	t := market.Table{Header: []string{"source", "label", "term", "skill", "name", "month", "posts", "count", "share"}}
	for _, s := range b {
		for _, p := range s.Points {
			t.Rows = append(t.Rows, []string{s.Source, s.Label, s.Term, s.Skill, s.Name, p.Month, strconv.Itoa(p.Posts), strconv.Itoa(p.Count),
				strconv.FormatFloat(p.Share, 'f', 4, 64)})
		}
	}
	return t
}
