package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/search"
)

// SearchIn is the job search's query string (see search.Query).
type SearchIn struct {
	Q               string    `query:"q" maxLength:"500" doc:"free text over title, company and description: every word must match (stemmed; 1 typo allowed from 5 letters, 2 from 9; the last word also as a prefix); skills named in the text also match postings asking for them"`
	SkillsAll       []string  `query:"skillsAll" doc:"taxonomy skill ids (or names) the posting must all ask for; repeat or comma-separate"`
	SkillsAny       []string  `query:"skillsAny" doc:"skill ids of which the posting must ask for at least one"`
	Categories      []string  `query:"categories" doc:"skill categories (GET /api/v1/skills) of which the posting must ask for a skill"`
	Seniority       []string  `query:"seniority" doc:"any of intern, junior, mid, senior, lead, staff, principal"`
	MinSalary       int64     `query:"minSalary" minimum:"0" doc:"annual amount in currency that the top of the posting's range must reach"`
	IncludeNoSalary bool      `query:"includeNoSalary" doc:"with minSalary: also postings that state no salary"`
	Currency        string    `query:"currency" pattern:"^[A-Za-z]{3}$" doc:"ISO 4217: currency of minSalary, of salary bands and of the hits' salaries (default USD)"`
	Country         string    `query:"country" pattern:"^[A-Za-z]{2}$" doc:"only postings a person in this ISO 3166-1 country may take"`
	Region          string    `query:"region" doc:"only postings open to (part of) this region: EU, EEA, EUROPE, EMEA, NORTH_AMERICA, LATAM, AMERICAS, APAC, MENA, AFRICA, OCEANIA"`
	TimeZone        string    `query:"timeZone" doc:"IANA zone of the searcher (with minOverlapHours)"`
	WorkStart       string    `query:"workStart" pattern:"^[0-2][0-9]:[0-5][0-9]$" doc:"searcher's working day start, local (default 09:00)"`
	WorkEnd         string    `query:"workEnd" pattern:"^[0-2][0-9]:[0-5][0-9]$" doc:"searcher's working day end, local (default 17:00)"`
	MinOverlapHours float64   `query:"minOverlapHours" minimum:"0" maximum:"24" doc:"only postings whose working-time rule leaves at least this many hours of overlap (postings without a rule qualify)"`
	EmploymentTypes []string  `query:"employmentTypes" doc:"any of full_time, part_time, contract, temporary, internship"`
	OrgID           string    `query:"orgId" doc:"only this organization's postings"`
	PostedSince     time.Time `query:"postedSince" doc:"RFC 3339 time"`
	Sort            string    `query:"sort" enum:"relevance,newest,salary" doc:"default: relevance with q, newest without"`
	Facets          bool      `query:"facets" doc:"count matching postings by skill, category, seniority, region and salary band"`
	Paging
}

// Query converts the parameters.
func (in *SearchIn) Query() search.Query {
	return search.Query{Text: in.Q, SkillsAll: splitList(in.SkillsAll), SkillsAny: splitList(in.SkillsAny), Categories: splitList(in.Categories),
		Seniority: splitList(in.Seniority), MinSalary: in.MinSalary, IncludeNoSalary: in.IncludeNoSalary, Currency: in.Currency,
		Country: in.Country, Region: in.Region, TimeZone: in.TimeZone, WorkStart: in.WorkStart, WorkEnd: in.WorkEnd,
		MinOverlapHours: in.MinOverlapHours, EmploymentTypes: splitList(in.EmploymentTypes), OrgID: in.OrgID,
		PostedSince: in.PostedSince, Sort: in.Sort, Facets: in.Facets, Limit: in.Limit, Cursor: in.Cursor}
}

// splitList accepts repeated parameters and comma-separated values.
func splitList(in []string) []string {
	var out []string
	for _, v := range in {
		for _, p := range splitComma(v) {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// MatchIn are the paging and currency parameters of matching.
type MatchIn struct {
	Paging
	Currency string `query:"currency" pattern:"^[A-Za-z]{3}$" doc:"currency of salary comparisons (default: the profile's salary floor currency, else USD)"`
}

func (s *Server) registerSearch() {
	tags := []string{"Search and matching"}
	huma.Register(s.api, huma.Operation{OperationID: "searchJobs", Method: http.MethodGet, Path: "/api/v1/jobs/search", Summary: "Search job postings",
		Description: "Full-text search with filters, facets, sorts and cursor pagination over the live (published, unexpired) postings, from the node's in-memory index. A new or changed posting is searchable within milliseconds of its write; closed and expired postings leave the results at once.",
		Tags:        tags, Metadata: access(PolicyPostings, scopeJobsRead)},
		func(ctx context.Context, in *SearchIn) (*struct{ Body app.SearchPage }, error) {
			page, err := s.cfg.App.SearchJobs(ctx, in.Query())
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct{ Body app.SearchPage }{page}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "profileMatches", Method: http.MethodGet, Path: "/api/v1/profiles/{profileId}/matches", Summary: "The best postings for a profile",
		Description: "Live postings the profile is eligible for (country or region, working-time rule: hard filters) and shares a skill with, best first. Each match explains itself: matched and missing skills (related skills count partly, and say why), overlap hours, the salary against the floor in the viewer's currency, seniority, why eligible, and the score's components. Only the profile's owner.",
		Tags:        tags, Metadata: access(PolicyProfileOwner, "")},
		func(ctx context.Context, in *struct {
			ProfilePath
			MatchIn
		}) (*struct {
			Body search.MatchPage[app.JobMatchView]
		}, error) {
			page, err := s.cfg.App.ProfileMatches(ctx, in.ProfileID, search.MatchOptions{Limit: in.Limit, Cursor: in.Cursor, Currency: in.Currency})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct {
				Body search.MatchPage[app.JobMatchView]
			}{page}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "jobCandidates", Method: http.MethodGet, Path: "/api/v1/jobs/{jobId}/candidates", Summary: "The best visible candidates for a posting",
		Description: "Profiles visible to employers (public or employers visibility) that are eligible for the posting and share a skill with it, best first, each explained. Only the posting's organization (members; API keys with applications:read).",
		Tags:        tags, Metadata: access(PolicyOrgViewer, scopeApplicationsRead)},
		func(ctx context.Context, in *struct {
			JobPath
			MatchIn
		}) (*struct {
			Body search.MatchPage[app.CandidateView]
		}, error) {
			page, err := s.cfg.App.JobCandidates(ctx, in.JobID, search.MatchOptions{Limit: in.Limit, Cursor: in.Cursor, Currency: in.Currency})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &struct {
				Body search.MatchPage[app.CandidateView]
			}{page}, nil
		})
}
