package search

import (
	"time"

	"github.com/meridianhq/meridian/internal/domain"
)

// Doc is what the index keeps of one job posting. Description is analyzed
// for text search but not kept.
type Doc struct {
	ID             string
	OrgID          string
	OrgName        string
	Title          string
	Description    string
	Skills         []domain.SkillRequirement
	Seniority      string
	EmploymentType string
	Salary         *domain.Salary
	Eligibility    domain.Eligibility
	TimeZone       *domain.TimeZoneRule
	PublishedAt    time.Time // when it was posted (PostedAt): its source's date when earlier
	ValidThrough   time.Time // zero: no end
}

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortSalary    = "salary"
)

// Query is a job search. The zero Query matches every live posting. It is
// also the stored form of a saved search, hence the JSON names.
type Query struct {
	// Text is free text over title, company and description: every word
	// must match (by stem; with one typo when the stem has 5+ letters, two
	// from 8 with the first letter right, against words of 5+ letters; the last word,
	// 3+ letters and not followed by a space, also as a prefix). Words that
	// name a taxonomy skill ("golang", "event sourcing") also match
	// postings asking for that skill. Postings whose title holds the words
	// in order rank higher; quotes are not an exact-phrase operator.
	Text string `json:"q,omitempty"`
	// SkillsAll: every one of these taxonomy ids; SkillsAny: at least one.
	SkillsAll []string `json:"skillsAll,omitempty"`
	SkillsAny []string `json:"skillsAny,omitempty"`
	// Categories: at least one skill of one of these taxonomy categories.
	Categories []string `json:"categories,omitempty"`
	Seniority  []string `json:"seniority,omitempty"`
	// MinSalary is an annual amount in major units of Currency: a posting
	// qualifies when the top of its range reaches it. Postings without a
	// salary qualify only with IncludeNoSalary.
	MinSalary       int64 `json:"minSalary,omitempty"`
	IncludeNoSalary bool  `json:"includeNoSalary,omitempty"`
	// Currency is the viewer's currency (MinSalary, salary bands, hit
	// salaries); default USD.
	Currency string `json:"currency,omitempty"`
	// Country (ISO 3166-1 alpha-2) or Region (a domain.Regions key) the
	// searcher works from: only postings open to it.
	Country string `json:"country,omitempty"`
	Region  string `json:"region,omitempty"`
	// TimeZone with WorkStart/WorkEnd (default 09:00-17:00) and
	// MinOverlapHours: only postings whose working-time rule leaves at least
	// that many hours of overlap (postings without a rule qualify).
	TimeZone        string    `json:"timeZone,omitempty"`
	WorkStart       string    `json:"workStart,omitempty"`
	WorkEnd         string    `json:"workEnd,omitempty"`
	MinOverlapHours float64   `json:"minOverlapHours,omitempty"`
	EmploymentTypes []string  `json:"employmentTypes,omitempty"`
	OrgID           string    `json:"orgId,omitempty"`
	PostedSince     time.Time `json:"postedSince,omitzero"`
	// Sort is relevance (default with text), newest (default without) or salary.
	Sort string `json:"sort,omitempty"`
	// Limit (default 20, at most 100) and Cursor page through results.
	Limit  int    `json:"-"`
	Cursor string `json:"-"`
	// Facets asks for facet counts over all matching postings.
	Facets bool `json:"-"`
}

// Result is one page of search results.
type Result struct {
	Total      int     `json:"total"`
	Hits       []Hit   `json:"hits"`
	Facets     *Facets `json:"facets,omitempty"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// Hit is one matching posting.
type Hit struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
	// Terms are the query words this posting matched, with how
	// ("golang" → "go (typo)").
	Terms []string `json:"terms,omitempty"`
	// Salary is the posting's range, annual, in the viewer's currency.
	Salary *Money `json:"salary,omitempty"`
}

// Money is an annual range in major units of a currency.
type Money struct {
	Min      int64  `json:"min"`
	Max      int64  `json:"max"`
	Currency string `json:"currency"`
}

// Facets count matching postings by attribute.
type Facets struct {
	Skills      []FacetCount `json:"skills"`
	Categories  []FacetCount `json:"categories"`
	Seniority   []FacetCount `json:"seniority"`
	Regions     []FacetCount `json:"regions"`
	SalaryBands []FacetCount `json:"salaryBands"`
}

// FacetCount is one facet value with its number of postings.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Profile is what matching needs of a developer profile.
type Profile struct {
	ID          string
	Skills      []domain.ProfileSkill
	Countries   []string
	TimeZone    string
	WorkStart   string
	WorkEnd     string
	SalaryFloor *domain.Salary
	Seniority   string
}

// MatchOptions tune a matching request.
type MatchOptions struct {
	// Limit (default 20, at most 100) and Cursor page through matches.
	Limit  int
	Cursor string
	// Currency is the viewer's currency for salary comparisons (default:
	// the profile's salary floor currency, else USD).
	Currency string
}

// JobMatch is one posting matched to a profile.
type JobMatch struct {
	JobID       string      `json:"jobId"`
	Score       float64     `json:"score" doc:"0..1"`
	Explanation Explanation `json:"explanation"`
}

// CandidateMatch is one profile matched to a posting.
type CandidateMatch struct {
	ProfileID   string      `json:"profileId"`
	Score       float64     `json:"score" doc:"0..1"`
	Explanation Explanation `json:"explanation"`
}

// MatchPage is one page of matches.
type MatchPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Explanation says why a profile and a posting match, and how well.
type Explanation struct {
	// Eligible lists the reasons the profile may take the posting
	// ("open to DE through EU", "UTC+1 is inside UTC-3..UTC+3").
	Eligible []string `json:"eligible"`
	// Matched are the posting's skills the profile covers, fully or
	// partly (Via names the profile's related skill); Missing the rest.
	Matched []SkillMatch `json:"matched"`
	Missing []SkillMatch `json:"missing"`
	// OverlapHours is the working-time overlap with the posting's
	// reference hours (absent when the posting states none).
	OverlapHours *float64 `json:"overlapHours,omitempty"`
	// Salary compares the posting's range with the profile's floor, both
	// annual in the viewer's currency.
	Salary SalaryFit `json:"salary"`
	// Seniority compares levels: "match", "above", "below" or "unknown".
	Seniority string `json:"seniority"`
	// Components are the weighted parts of the score (they sum to Score).
	Components map[string]float64 `json:"components"`
}

// SkillMatch is one skill of a posting, as seen from a profile.
type SkillMatch struct {
	Skill    string `json:"skill"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
	// Credit is 1 for the skill itself, less for a related skill.
	Credit float64 `json:"credit"`
	// Via is the profile's skill that partly satisfies this one, and How
	// says why ("PostgreSQL is a kind of SQL").
	Via string `json:"via,omitempty"`
	How string `json:"how,omitempty"`
	// Level wanted by the posting and held by the profile (0: unstated).
	Want int `json:"want,omitempty"`
	Have int `json:"have,omitempty"`
}

// SalaryFit compares a posting's salary with a profile's floor.
type SalaryFit struct {
	Posting *Money `json:"posting,omitempty"`
	Floor   *Money `json:"floor,omitempty"`
	// Fit is "meets" (the top of the range reaches the floor), "below",
	// or "unknown" (either side unstated).
	Fit string `json:"fit"`
}
