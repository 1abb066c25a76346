package rest

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/meridian"
)

// MarketIn selects the postings a market figure is computed over.
type MarketIn struct {
	Period      string   `query:"period" doc:"a year (2026), quarter (2026-Q1), month (2026-03) or ISO week (2026-W10); or use from/to"`
	From        string   `query:"from" doc:"first day posted (2026-03-01 or RFC 3339), inclusive"`
	To          string   `query:"to" doc:"end of the range (2026-04-01 or RFC 3339), exclusive"`
	Country     []string `query:"country" doc:"postings open to someone in any of these ISO 3166-1 countries (worldwide ones included); repeat or comma-separate"`
	Region      []string `query:"region" doc:"postings open to (part of) any of these regions: EU, EEA, EUROPE, EMEA, NORTH_AMERICA, LATAM, AMERICAS, APAC, MENA, AFRICA, OCEANIA"`
	Seniority   []string `query:"seniority" doc:"any of intern, junior, mid, senior, lead, staff, principal, unspecified"`
	Eligibility string   `query:"eligibility" enum:"worldwide,restricted" doc:"worldwide: open to anyone anywhere; restricted: to some countries or regions"`
	Skills      []string `query:"skills" doc:"postings asking for every one of these taxonomy skill ids"`
	Open        bool     `query:"open" doc:"only postings open now (otherwise every posting ever published in the range)"`
	Org         string   `query:"orgId" doc:"one organization's postings"`
	Format      string   `query:"format" enum:"json,csv" doc:"csv: the table as CSV (same as Accept: text/csv)"`
}

// Filter converts the parameters.
func (in *MarketIn) Filter() (market.Filter, error) {
	f := market.Filter{Countries: splitList(in.Country), Regions: splitList(in.Region), Seniority: splitList(in.Seniority),
		Eligibility: in.Eligibility, Skills: splitList(in.Skills), Open: in.Open, Org: in.Org}
	var err error
	if in.Period != "" {
		if in.From != "" || in.To != "" {
			return f, meridian.Errorf(meridian.EInvalid, "period: give either period or from/to")
		}
		f.From, f.To, err = market.ParsePeriod(in.Period)
		return f, err
	}
	if f.From, err = market.ParseDate("from", in.From); err != nil {
		return f, err
	}
	f.To, err = market.ParseDate("to", in.To)
	return f, err
}

// CurrencyIn is the currency of salary figures.
type CurrencyIn struct {
	Currency string `query:"currency" pattern:"^[A-Za-z]{3}$" doc:"ISO 4217 currency of the figures (default USD)"`
	MinN     int    `query:"minN" minimum:"10" maximum:"10000" doc:"smallest sample shown (default and lowest 10): smaller groups are suppressed"`
}

type marketOut[T any] struct {
	Body T
}

// csvFormat lets market tables answer Accept: text/csv (and ?format=csv).
var csvFormat = huma.Format{Marshal: func(w io.Writer, v any) error { return market.WriteCSV(w, v) }}

// acceptCSV makes ?format=csv on the market tables (GET /api/v1/market/…
// and a profile's skill gaps) ask for text/csv. Other endpoints have
// format parameters of their own (imports).
func acceptCSV(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Get("format") == "csv" &&
			(strings.HasPrefix(r.URL.Path, "/api/v1/market/") || strings.HasSuffix(r.URL.Path, "/skill-gaps")) {
			r.Header.Set("Accept", "text/csv")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) registerMarket() {
	tags := []string{"Market"}
	pub := access(PolicyPublic, "")
	huma.Register(s.api, huma.Operation{OperationID: "marketDemand", Method: http.MethodGet, Path: "/api/v1/market/demand", Summary: "Demand for skills, categories or groups",
		Description: "The share of postings asking for each skill (category, group such as cloud or rest_or_graphql), most asked first, with the sample size and the 95 % Wilson interval. Kept current from the event stream. CSV with Accept: text/csv or format=csv.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *struct {
			MarketIn
			Kind     string `query:"kind" enum:"skill,category,group" doc:"default skill"`
			Required bool   `query:"required" doc:"count only requirements marked required (not nice-to-haves)"`
			Limit    int    `query:"limit" minimum:"0" maximum:"2000" doc:"at most this many items (0: all)"`
		}) (*marketOut[market.Demand], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out, err := s.cfg.App.MarketDemand(ctx, f, in.Kind, in.Required, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.Demand]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketCooccurrence", Method: http.MethodGet, Path: "/api/v1/market/cooccurrence", Summary: "Skills asked for together",
		Description: "With skill: every skill asked for alongside it (\"postings asking for Kubernetes also ask for Terraform in 48 %\"): confidence nAB/nA and lift. Without: the pairs among the 40 skills most asked for. Most frequent pairs first.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *struct {
			MarketIn
			Skill    string `query:"skill" doc:"taxonomy skill id"`
			MinCount int    `query:"minCount" minimum:"1" doc:"leave out pairs seen together fewer times (default 1)"`
			Limit    int    `query:"limit" minimum:"0" maximum:"2000" doc:"at most this many pairs (0: all; default 50)"`
		}) (*marketOut[market.Cooccurrence], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			limit := in.Limit
			if limit == 0 {
				limit = 50
			}
			out, err := s.cfg.App.MarketCooccurrence(ctx, f, in.Skill, in.MinCount, limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.Cooccurrence]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketSalaries", Method: http.MethodGet, Path: "/api/v1/market/salaries", Summary: "Salary percentiles",
		Description: "p10, p25, p50, p75 and p90 of annual salaries in the chosen currency, overall or by seniority, region (each posting in one area), country (postings open to exactly one country) or skill, each with its 95 % bootstrap interval and sample size; groups below minN are suppressed. source=postings (default): the midpoints of posted ranges; source=survey: the imported salary survey's answers, a separate source never mixed with postings (filters: period/from/to as survey years, country, region, seniority, title, remoteOnly).",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *struct {
			MarketIn
			CurrencyIn
			GroupBy    string `query:"groupBy" enum:"seniority,region,country,skill,year,remote" doc:"default: one row for the whole sample (year and remote: survey only)"`
			Limit      int    `query:"limit" minimum:"0" maximum:"100" doc:"rows of a country or skill table (default 30)"`
			Source     string `query:"source" enum:"postings,survey" doc:"default postings"`
			Title      string `query:"title" maxLength:"100" doc:"survey only: job titles containing this text"`
			RemoteOnly bool   `query:"remoteOnly" doc:"survey only: fully remote answers"`
		}) (*marketOut[market.Salaries], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			var out market.Salaries
			if in.Source == market.SourceSurvey {
				if len(f.Skills) > 0 || f.Open || f.Org != "" || f.Eligibility != "" {
					return nil, s.fail(ctx, meridian.Errorf(meridian.EInvalid, "source: the survey has no skills, status, organization or eligibility; leave skills, open, orgId and eligibility out"))
				}
				sf := marketdata.SurveyFilterFor(f)
				if len(f.Seniority) > 0 && len(sf.Seniority) == 0 {
					return nil, s.fail(ctx, meridian.Errorf(meridian.EInvalid, "seniority: every survey answer has one; %q selects none", market.Unspecified))
				}
				sf.RemoteOnly, sf.Title = in.RemoteOnly, in.Title
				out, err = s.cfg.App.SurveySalaries(ctx, sf, in.GroupBy, in.Currency, in.MinN)
			} else {
				if in.Title != "" || in.RemoteOnly || in.GroupBy == "year" || in.GroupBy == "remote" {
					return nil, s.fail(ctx, meridian.Errorf(meridian.EInvalid, "source: title, remoteOnly and groupBy=year|remote apply to source=survey only"))
				}
				out, err = s.cfg.App.MarketSalaries(ctx, f, in.GroupBy, in.Currency, in.MinN, in.Limit)
			}
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.Salaries]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketPremiums", Method: http.MethodGet, Path: "/api/v1/market/premiums", Summary: "Salary premiums of skills",
		Description: "How much more postings asking for a skill pay than comparable ones that do not: the ratio of medians within each seniority × area stratum where both sides have at least minN salaries, averaged with weights the postings with the skill. Every stratum is listed.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *struct {
			MarketIn
			CurrencyIn
			Of    []string `query:"of" doc:"skills to compute, at most 50 (default: the most asked for among postings with a salary)"`
			Limit int      `query:"limit" minimum:"0" maximum:"50" doc:"how many skills by default (20)"`
		}) (*marketOut[market.Premiums], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			of := splitList(in.Of)
			if len(of) > 50 {
				return nil, s.fail(ctx, meridian.Errorf(meridian.EInvalid, "of: at most 50 skills"))
			}
			out, err := s.cfg.App.MarketPremiums(ctx, f, of, in.Currency, in.MinN, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.Premiums]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketTrends", Method: http.MethodGet, Path: "/api/v1/market/trends", Summary: "Weekly, monthly or quarterly trends",
		Description: "For each period: postings posted, how many asked for each requested skill (category, group), the share, its change in percentage points against the previous period and the relative change of the count. Without series: all postings.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *struct {
			MarketIn
			Interval   string   `query:"interval" enum:"week,month,quarter" doc:"default month"`
			Of         []string `query:"of" doc:"skill ids to chart"`
			Categories []string `query:"categories" doc:"skill categories to chart"`
			Groups     []string `query:"groups" doc:"skill groups to chart (cloud, rest_or_graphql, ...)"`
		}) (*marketOut[market.Trends], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			var keys []market.SeriesKey
			for _, k := range splitList(in.Of) {
				keys = append(keys, market.SeriesKey{Kind: market.KindSkill, Key: k})
			}
			for _, k := range splitList(in.Categories) {
				keys = append(keys, market.SeriesKey{Kind: market.KindCategory, Key: k})
			}
			for _, k := range splitList(in.Groups) {
				keys = append(keys, market.SeriesKey{Kind: market.KindGroup, Key: k})
			}
			if len(keys) > 20 {
				return nil, s.fail(ctx, meridian.Errorf(meridian.EInvalid, "of: at most 20 series"))
			}
			out, err := s.cfg.App.MarketTrends(ctx, f, in.Interval, keys)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.Trends]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketBaseline", Method: http.MethodGet, Path: "/api/v1/market/baseline", Summary: "Long-run hiring trends (Hacker News, 2011-2024)",
		Description: "The imported Hacker News \"Who is hiring?\" term series (ryanwi/hiringtrends): for each month, hiring posts and how many mentioned the term. A separate source, never mixed with Meridian's postings.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *struct {
			Of     []string `query:"of" required:"true" doc:"taxonomy skill ids or terms"`
			From   string   `query:"from" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"first month (YYYY-MM)"`
			To     string   `query:"to" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"last month (YYYY-MM), inclusive"`
			Format string   `query:"format" enum:"json,csv" doc:"csv: the series as CSV"`
		}) (*marketOut[marketdata.BaselineSet], error) {
			keys := splitList(in.Of)
			if len(keys) == 0 || len(keys) > 20 {
				return nil, s.fail(ctx, meridian.Errorf(meridian.EInvalid, "of: one to 20 skills or terms"))
			}
			out, err := s.cfg.App.MarketBaseline(ctx, keys, in.From, in.To)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[marketdata.BaselineSet]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketHiringTimes", Method: http.MethodGet, Path: "/api/v1/market/hiring-times", Summary: "Time to fill and employer response times",
		Description: "From application events: hours from a posting's publication to its first hire, and from an application to the employer's first move, with the share of applications answered within 7 days (applications younger than a week and unanswered are not counted yet). With orgId: one employer's figures.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *MarketIn) (*marketOut[market.HiringTimes], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out, err := s.cfg.App.MarketHiringTimes(ctx, f)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.HiringTimes]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "marketClaims", Method: http.MethodGet, Path: "/api/v1/market/claims", Summary: "The seed claims, measured",
		Description: "The share of backend roles requiring cloud proficiency and the share of listings featuring REST or GraphQL, over the selected postings, with the definitions used, sample sizes and 95 % intervals.",
		Tags:        tags, Metadata: pub},
		func(ctx context.Context, in *MarketIn) (*marketOut[[]market.Claim], error) {
			f, err := in.Filter()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out, err := s.cfg.App.MarketClaims(ctx, f)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[[]market.Claim]{out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "profileSkillGaps", Method: http.MethodGet, Path: "/api/v1/profiles/{profileId}/skill-gaps", Summary: "Skills that would open the most postings",
		Description: "Up to three skills, each the one that makes the most further open postings reachable for the profile (postings it is eligible for by country and working time, whose every required skill it would then have), given the ones before it; ties go to the larger median salary uplift. With the evidence: postings unlocked, reachable before and after, median salaries before and after. Only the profile's owner.",
		Tags:        []string{"Search and matching", "Market"}, Metadata: access(PolicyProfileOwner, "")},
		func(ctx context.Context, in *struct {
			ProfilePath
			Currency string `query:"currency" pattern:"^[A-Za-z]{3}$" doc:"currency of the salaries (default: the profile's salary floor currency, else USD)"`
			Limit    int    `query:"limit" minimum:"0" maximum:"3" doc:"at most this many skills (default 3)"`
			Format   string `query:"format" enum:"json,csv" doc:"csv: the advice as CSV"`
		}) (*marketOut[market.SkillGaps], error) {
			out, err := s.cfg.App.SkillGaps(ctx, in.ProfileID, in.Currency, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &marketOut[market.SkillGaps]{out}, nil
		})
}
