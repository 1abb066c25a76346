package market

import "time"

// Sources of figures. Figures never mix them: every answer says which one
// it comes from.
const (
	// SourcePostings: ranges and skills of postings published on Meridian.
	SourcePostings = "postings"
	// SourceSurvey: answers of an imported salary survey.
	SourceSurvey = "survey"
)

// DefaultMinN is the smallest sample a salary figure is shown for: below
// it the figure is suppressed, so that no single posting's (or survey
// answer's) salary can be read off a table.
const DefaultMinN = 10

// Filter selects the postings a figure is computed over. The zero Filter
// is every posting ever published.
type Filter struct {
	// From and To bound the day a posting was posted ([From, To), UTC);
	// zero: unbounded. An imported posting is dated by its source's
	// posting date, any other by its first publication.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Countries: postings open to someone in at least one of these (ISO
	// 3166-1 alpha-2), worldwide ones included.
	Countries []string `json:"countries,omitempty"`
	// Regions: postings open to at least part of one of these regions
	// (domain.Regions keys), worldwide ones included.
	Regions []string `json:"regions,omitempty"`
	// Seniority: any of these levels ("unspecified" for postings that name
	// none).
	Seniority []string `json:"seniority,omitempty"`
	// Eligibility: "worldwide" (open to anyone anywhere) or "restricted"
	// (some countries or regions only); "": both.
	Eligibility string `json:"eligibility,omitempty"`
	// Skills: postings asking for every one of these taxonomy ids.
	Skills []string `json:"skills,omitempty"`
	// Open: only postings open now (published, not closed, not past
	// validThrough).
	Open bool `json:"open,omitempty"`
	// Org: one organization's postings only.
	Org string `json:"org,omitempty"`
}

// Eligibility filter values.
const (
	EligWorldwide  = "worldwide"
	EligRestricted = "restricted"
)

// Unspecified stands for postings without a seniority.
const Unspecified = "unspecified"

// Share is how many postings of a sample have a property, with the 95 %
// Wilson score interval of the share.
type Share struct {
	Key   string  `json:"key"`
	Name  string  `json:"name"`
	Count int     `json:"count"`
	N     int     `json:"n"` // the sample the share is of
	Share float64 `json:"share"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// Demand kinds.
const (
	KindSkill    = "skill"
	KindCategory = "category"
	KindGroup    = "group"
)

// Demand is the share of postings asking for each skill, category or
// group.
type Demand struct {
	Source string `json:"source"`
	Kind   string `json:"kind"`
	// Required: only requirements marked required count (otherwise
	// nice-to-haves count too).
	Required bool    `json:"required"`
	N        int     `json:"n"` // postings in the sample
	Items    []Share `json:"items"`
}

// Pair is how often two skills are asked for together.
type Pair struct {
	A     string `json:"a"`
	AName string `json:"aName"`
	B     string `json:"b"`
	BName string `json:"bName"`
	NA    int    `json:"nA"`
	NB    int    `json:"nB"`
	NAB   int    `json:"nAB"`
	// Confidence is NAB/NA: "postings asking for A also ask for B in x %".
	Confidence float64 `json:"confidence"`
	// Lift is Confidence over B's share of all postings: above 1, the two
	// go together more often than chance.
	Lift float64 `json:"lift"`
}

// Cooccurrence lists skill pairs.
type Cooccurrence struct {
	Source string `json:"source"`
	N      int    `json:"n"`
	Skill  string `json:"skill,omitempty"`
	Items  []Pair `json:"items"`
}

// Estimate is a figure with its 95 % confidence interval.
type Estimate struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// Percentiles reported for salaries, in this order.
var Percentiles = []float64{0.10, 0.25, 0.50, 0.75, 0.90}

// SalaryGroup is one row of a salary table: annual amounts in the table's
// currency. Percentiles are nil when Suppressed (N below the minimum).
type SalaryGroup struct {
	Key        string    `json:"key"`
	Name       string    `json:"name"`
	N          int       `json:"n"`
	Suppressed bool      `json:"suppressed"`
	P10        *Estimate `json:"p10,omitempty"`
	P25        *Estimate `json:"p25,omitempty"`
	P50        *Estimate `json:"p50,omitempty"`
	P75        *Estimate `json:"p75,omitempty"`
	P90        *Estimate `json:"p90,omitempty"`
}

// Salary group-bys.
const (
	ByNone      = ""
	BySeniority = "seniority"
	ByRegion    = "region"
	ByCountry   = "country"
	BySkill     = "skill"
)

// Salaries is a salary table.
type Salaries struct {
	Source   string `json:"source"`
	Currency string `json:"currency"`
	// Basis says what one value of the sample is.
	Basis   string        `json:"basis"`
	GroupBy string        `json:"groupBy,omitempty"`
	MinN    int           `json:"minN"`
	N       int           `json:"n"` // values in the whole sample
	Groups  []SalaryGroup `json:"groups"`
}

// Stratum is one seniority × area cell of a premium.
type Stratum struct {
	Seniority     string  `json:"seniority"`
	Area          string  `json:"area"`
	NWith         int     `json:"nWith"`
	NWithout      int     `json:"nWithout"`
	MedianWith    float64 `json:"medianWith"`
	MedianWithout float64 `json:"medianWithout"`
	Premium       float64 `json:"premium"`
}

// Premium is how much more postings asking for a skill pay than
// comparable postings that do not: the median ratio within each
// seniority × area stratum where both sides have at least MinN salaries,
// averaged with weights NWith.
type Premium struct {
	Skill    string    `json:"skill"`
	Name     string    `json:"name"`
	Premium  float64   `json:"premium"` // 0.12 = 12 % more
	NWith    int       `json:"nWith"`
	NWithout int       `json:"nWithout"`
	Strata   []Stratum `json:"strata"`
}

// Premiums lists skill premiums, largest first.
type Premiums struct {
	Source   string    `json:"source"`
	Currency string    `json:"currency"`
	MinN     int       `json:"minN"`
	Items    []Premium `json:"items"`
}

// Trend intervals.
const (
	Week    = "week"
	Month   = "month"
	Quarter = "quarter"
)

// Point is one period of a series.
type Point struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"` // exclusive
	N     int       `json:"n"`   // postings posted in the period
	Count int       `json:"count"`
	Share float64   `json:"share"`
	// Change is the share's change against the previous period, in
	// percentage points; CountChange the relative change of Count. Nil for
	// the first period or when the previous one had no postings.
	Change      *float64 `json:"change,omitempty"`
	CountChange *float64 `json:"countChange,omitempty"`
}

// Series is a trend of one skill, category or group ("" Key: all postings).
type Series struct {
	Kind   string  `json:"kind,omitempty"`
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Points []Point `json:"points"`
}

// Trends holds series over the same periods.
type Trends struct {
	Source   string   `json:"source"`
	Interval string   `json:"interval"`
	Series   []Series `json:"series"`
}

// Durations summarizes a sample of durations, in hours.
type Durations struct {
	N   int      `json:"n"`
	P25 *float64 `json:"p25Hours,omitempty"`
	P50 *float64 `json:"p50Hours,omitempty"`
	P75 *float64 `json:"p75Hours,omitempty"`
	P90 *float64 `json:"p90Hours,omitempty"`
}

// HiringTimes are figures from application events.
type HiringTimes struct {
	Source string `json:"source"`
	// TimeToFill: from a posting's publication to its first hire.
	TimeToFill Durations `json:"timeToFill"`
	// Unfilled: postings of the sample without a hire.
	Unfilled int `json:"unfilled"`
	// Response: from an application to the employer's first move of it.
	Response Durations `json:"response"`
	// Unanswered: applications still waiting for a first move (not
	// withdrawn by the candidate).
	Unanswered int `json:"unanswered"`
	// Applications in the sample, and the share answered within 7 days
	// among those a week old or answered (one withdrawn unanswered counts
	// only when it waited more than a week).
	Applications    int   `json:"applications"`
	AnsweredIn7Days Share `json:"answeredIn7Days"`
}

// Claim is a statement measured from data, with its definition.
type Claim struct {
	ID         string  `json:"id"`
	Question   string  `json:"question"`
	Definition string  `json:"definition"`
	N          int     `json:"n"`
	Count      int     `json:"count"`
	Share      float64 `json:"share"`
	Low        float64 `json:"low"`
	High       float64 `json:"high"`
	// Also: related measures (e.g. mentioning rather than requiring).
	Also []Share `json:"also,omitempty"`
}

// Gap is one skill a developer could learn, with its evidence.
type Gap struct {
	Skill string `json:"skill"`
	Name  string `json:"name"`
	// Unlocks: eligible open postings whose every required skill the
	// developer would then have (and does not now).
	Unlocks int `json:"unlocks"`
	// Reachable before and after learning it (and the skills above it).
	Before int `json:"before"`
	After  int `json:"after"`
	// Median annual salary (table currency) of the postings reachable
	// before and after, over those with a salary (NBefore/NAfter); nil
	// below the minimum sample.
	MedianBefore *float64 `json:"medianBefore,omitempty"`
	MedianAfter  *float64 `json:"medianAfter,omitempty"`
	NBefore      int      `json:"nSalaryBefore"`
	NAfter       int      `json:"nSalaryAfter"`
	Uplift       *float64 `json:"uplift,omitempty"` // MedianAfter − MedianBefore
}

// SkillGaps is the advice for one profile.
type SkillGaps struct {
	Currency string `json:"currency"`
	// Eligible: open postings the developer may apply to (country and
	// working time); Reachable: those whose required skills they have.
	Eligible  int   `json:"eligible"`
	Reachable int   `json:"reachable"`
	Items     []Gap `json:"items"`
}
