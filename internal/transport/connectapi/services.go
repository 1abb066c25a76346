package connectapi

import (
	"context"

	"connectrpc.com/connect"

	"github.com/meridianhq/meridian/internal/app"
	v1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// Each method decodes, calls the App and encodes: the App authorizes.
// Commands answer with the object as the caller now reads it, as the REST
// API does.

// ---- jobs ----

type jobs struct{ app *app.App }

func (s *jobs) job(ctx context.Context, id string) (*v1.Job, error) {
	j, err := s.app.Job(ctx, id)
	if err != nil {
		return nil, err
	}
	return jobOut(j), nil
}

func (s *jobs) GetJob(ctx context.Context, req *connect.Request[v1.GetJobRequest]) (*connect.Response[v1.GetJobResponse], error) {
	j, err := s.job(ctx, req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.GetJobResponse{Job: j}), nil
}

func (s *jobs) ListJobs(ctx context.Context, req *connect.Request[v1.ListJobsRequest]) (*connect.Response[v1.ListJobsResponse], error) {
	m := req.Msg
	page, err := s.app.Jobs(ctx, readmodel.JobFilter{
		OrgID: m.GetOrgId(), Statuses: m.GetStatuses(), Skills: m.GetSkills(), Seniority: m.GetSeniority(),
		EmploymentType: m.GetEmploymentType(), Country: m.GetCountry(), Region: m.GetRegion(), Q: m.GetQuery(),
		PostedSince: fromTS(m.GetPostedSince()), Cursor: m.GetPageToken(), Limit: int(m.GetPageSize()),
	})
	if err != nil {
		return nil, err
	}
	out := &v1.ListJobsResponse{Jobs: make([]*v1.Job, len(page.Items)), NextPageToken: page.NextCursor}
	for i, j := range page.Items {
		out.Jobs[i] = jobOut(j)
	}
	return connect.NewResponse(out), nil
}

func (s *jobs) SearchJobs(ctx context.Context, req *connect.Request[v1.SearchJobsRequest]) (*connect.Response[v1.SearchJobsResponse], error) {
	m := req.Msg
	page, err := s.app.SearchJobs(ctx, search.Query{
		Text: m.GetQuery(), SkillsAll: m.GetSkillsAll(), SkillsAny: m.GetSkillsAny(), Categories: m.GetCategories(),
		Seniority: m.GetSeniority(), MinSalary: m.GetMinSalary(), IncludeNoSalary: m.GetIncludeNoSalary(), Currency: m.GetCurrency(),
		Country: m.GetCountry(), Region: m.GetRegion(), TimeZone: m.GetTimeZone(), WorkStart: m.GetWorkStart(), WorkEnd: m.GetWorkEnd(),
		MinOverlapHours: m.GetMinOverlapHours(), EmploymentTypes: m.GetEmploymentTypes(), OrgID: m.GetOrgId(),
		PostedSince: fromTS(m.GetPostedSince()), Sort: m.GetSort(), Facets: m.GetFacets(), Limit: int(m.GetPageSize()), Cursor: m.GetPageToken(),
	})
	if err != nil {
		return nil, err
	}
	out := &v1.SearchJobsResponse{Total: i32(page.Total), Hits: make([]*v1.JobHit, len(page.Hits)), Facets: facetsOut(page.Facets), NextPageToken: page.NextCursor}
	for i, h := range page.Hits {
		out.Hits[i] = &v1.JobHit{Job: jobOut(h.Job), Score: h.Score, Terms: h.Terms, Salary: moneyOut(h.Salary)}
	}
	return connect.NewResponse(out), nil
}

func (s *jobs) DraftJob(ctx context.Context, req *connect.Request[v1.DraftJobRequest]) (*connect.Response[v1.DraftJobResponse], error) {
	res, err := s.app.DraftJob(ctx, req.Msg.GetOrgId(), jobDetailsIn(req.Msg.GetDetails()))
	if err != nil {
		return nil, err
	}
	j, err := s.job(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.DraftJobResponse{Job: j}), nil
}

func (s *jobs) PublishJob(ctx context.Context, req *connect.Request[v1.PublishJobRequest]) (*connect.Response[v1.PublishJobResponse], error) {
	if _, err := s.app.PublishJob(ctx, req.Msg.GetJobId(), expected(req.Msg.ExpectedVersion)); err != nil {
		return nil, err
	}
	j, err := s.job(ctx, req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.PublishJobResponse{Job: j}), nil
}

func (s *jobs) CloseJob(ctx context.Context, req *connect.Request[v1.CloseJobRequest]) (*connect.Response[v1.CloseJobResponse], error) {
	if _, err := s.app.CloseJob(ctx, req.Msg.GetJobId(), expected(req.Msg.ExpectedVersion), req.Msg.GetReason()); err != nil {
		return nil, err
	}
	j, err := s.job(ctx, req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.CloseJobResponse{Job: j}), nil
}

// ---- profiles ----

type profiles struct{ app *app.App }

func (s *profiles) GetProfile(ctx context.Context, req *connect.Request[v1.GetProfileRequest]) (*connect.Response[v1.GetProfileResponse], error) {
	p, err := s.app.Profile(ctx, req.Msg.GetProfileId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.GetProfileResponse{Profile: profileOut(p)}), nil
}

func (s *profiles) ListMyProfiles(ctx context.Context, req *connect.Request[v1.ListMyProfilesRequest]) (*connect.Response[v1.ListMyProfilesResponse], error) {
	page, err := s.app.Profiles(ctx, true, req.Msg.GetPageToken(), int(req.Msg.GetPageSize()))
	if err != nil {
		return nil, err
	}
	out := &v1.ListMyProfilesResponse{Profiles: make([]*v1.Profile, len(page.Items)), NextPageToken: page.NextCursor}
	for i, p := range page.Items {
		out.Profiles[i] = profileOut(p)
	}
	return connect.NewResponse(out), nil
}

func (s *profiles) Matches(ctx context.Context, req *connect.Request[v1.MatchesRequest]) (*connect.Response[v1.MatchesResponse], error) {
	m := req.Msg
	page, err := s.app.ProfileMatches(ctx, m.GetProfileId(), search.MatchOptions{Limit: int(m.GetPageSize()), Cursor: m.GetPageToken(), Currency: m.GetCurrency()})
	if err != nil {
		return nil, err
	}
	out := &v1.MatchesResponse{Matches: make([]*v1.JobMatch, len(page.Items)), NextPageToken: page.NextCursor}
	for i, jm := range page.Items {
		out.Matches[i] = &v1.JobMatch{Job: jobOut(jm.Job), Score: jm.Score, Explanation: explanationOut(jm.Explanation)}
	}
	return connect.NewResponse(out), nil
}

// ---- applications ----

type applications struct{ app *app.App }

func (s *applications) application(ctx context.Context, id string) (*v1.Application, error) {
	a, err := s.app.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	return applicationOut(a), nil
}

func (s *applications) GetApplication(ctx context.Context, req *connect.Request[v1.GetApplicationRequest]) (*connect.Response[v1.GetApplicationResponse], error) {
	a, err := s.application(ctx, req.Msg.GetApplicationId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.GetApplicationResponse{Application: a}), nil
}

func (s *applications) ListApplications(ctx context.Context, req *connect.Request[v1.ListApplicationsRequest]) (*connect.Response[v1.ListApplicationsResponse], error) {
	m := req.Msg
	page, err := s.app.Applications(ctx, readmodel.ApplicationFilter{JobID: m.GetJobId(), OrgID: m.GetOrgId(), ProfileID: m.GetProfileId(),
		Stage: m.GetStage(), Cursor: m.GetPageToken(), Limit: int(m.GetPageSize())})
	if err != nil {
		return nil, err
	}
	out := &v1.ListApplicationsResponse{Applications: make([]*v1.Application, len(page.Items)), NextPageToken: page.NextCursor}
	for i, a := range page.Items {
		out.Applications[i] = applicationOut(a)
	}
	return connect.NewResponse(out), nil
}

func (s *applications) Apply(ctx context.Context, req *connect.Request[v1.ApplyRequest]) (*connect.Response[v1.ApplyResponse], error) {
	res, err := s.app.Apply(ctx, req.Msg.GetJobId(), req.Msg.GetProfileId(), req.Msg.GetCoverLetter())
	if err != nil {
		return nil, err
	}
	a, err := s.application(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.ApplyResponse{Application: a}), nil
}

func (s *applications) MoveApplication(ctx context.Context, req *connect.Request[v1.MoveApplicationRequest]) (*connect.Response[v1.MoveApplicationResponse], error) {
	m := req.Msg
	if _, err := s.app.MoveApplication(ctx, m.GetApplicationId(), expected(m.ExpectedVersion), m.GetTo(), m.GetReasonCode()); err != nil {
		return nil, err
	}
	a, err := s.application(ctx, m.GetApplicationId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.MoveApplicationResponse{Application: a}), nil
}

// ---- organizations ----

type organizations struct{ app *app.App }

func (s *organizations) GetOrganization(ctx context.Context, req *connect.Request[v1.GetOrganizationRequest]) (*connect.Response[v1.GetOrganizationResponse], error) {
	o, err := s.app.Org(ctx, req.Msg.GetOrgId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.GetOrganizationResponse{Organization: orgOut(o)}), nil
}

func (s *organizations) ListMembers(ctx context.Context, req *connect.Request[v1.ListMembersRequest]) (*connect.Response[v1.ListMembersResponse], error) {
	ms, err := s.app.Members(ctx, req.Msg.GetOrgId())
	if err != nil {
		return nil, err
	}
	out := &v1.ListMembersResponse{Members: make([]*v1.Member, len(ms))}
	for i, m := range ms {
		out.Members[i] = memberOut(m)
	}
	return connect.NewResponse(out), nil
}

// ---- market ----

type markets struct{ app *app.App }

// marketFilter converts the filter as the REST API's MarketIn does.
func marketFilter(in *v1.MarketFilter) (market.Filter, error) {
	f := market.Filter{Countries: in.GetCountries(), Regions: in.GetRegions(), Seniority: in.GetSeniority(),
		Eligibility: in.GetEligibility(), Skills: in.GetSkills(), Open: in.GetOpen(), Org: in.GetOrgId()}
	var err error
	if in.GetPeriod() != "" {
		if in.GetFrom() != "" || in.GetTo() != "" {
			return f, meridian.Errorf(meridian.EInvalid, "period: give either period or from/to")
		}
		f.From, f.To, err = market.ParsePeriod(in.GetPeriod())
		return f, err
	}
	if f.From, err = market.ParseDate("from", in.GetFrom()); err != nil {
		return f, err
	}
	f.To, err = market.ParseDate("to", in.GetTo())
	return f, err
}

func (s *markets) Demand(ctx context.Context, req *connect.Request[v1.DemandRequest]) (*connect.Response[v1.DemandResponse], error) {
	f, err := marketFilter(req.Msg.GetFilter())
	if err != nil {
		return nil, err
	}
	d, err := s.app.MarketDemand(ctx, f, req.Msg.GetKind(), req.Msg.GetRequired(), int(req.Msg.GetLimit()))
	if err != nil {
		return nil, err
	}
	out := &v1.DemandResponse{Source: d.Source, Kind: d.Kind, Required: d.Required, N: i32(d.N), Items: make([]*v1.Share, len(d.Items))}
	for i, sh := range d.Items {
		out.Items[i] = &v1.Share{Key: sh.Key, Name: sh.Name, Count: i32(sh.Count), N: i32(sh.N), Share: sh.Share, Low: sh.Low, High: sh.High}
	}
	return connect.NewResponse(out), nil
}

func (s *markets) Salaries(ctx context.Context, req *connect.Request[v1.SalariesRequest]) (*connect.Response[v1.SalariesResponse], error) {
	m := req.Msg
	f, err := marketFilter(m.GetFilter())
	if err != nil {
		return nil, err
	}
	var sal market.Salaries
	if m.GetSource() == market.SourceSurvey {
		if len(f.Skills) > 0 || f.Open || f.Org != "" || f.Eligibility != "" {
			return nil, meridian.Errorf(meridian.EInvalid, "source: the survey has no skills, status, organization or eligibility; leave skills, open, org_id and eligibility out")
		}
		sf := marketdata.SurveyFilterFor(f)
		if len(f.Seniority) > 0 && len(sf.Seniority) == 0 {
			return nil, meridian.Errorf(meridian.EInvalid, "seniority: every survey answer has one; %q selects none", market.Unspecified)
		}
		sf.RemoteOnly, sf.Title = m.GetRemoteOnly(), m.GetTitle()
		sal, err = s.app.SurveySalaries(ctx, sf, m.GetGroupBy(), m.GetCurrency(), int(m.GetMinN()))
	} else {
		if m.GetTitle() != "" || m.GetRemoteOnly() || m.GetGroupBy() == "year" || m.GetGroupBy() == "remote" {
			return nil, meridian.Errorf(meridian.EInvalid, "source: title, remote_only and group_by=year|remote apply to source=survey only")
		}
		sal, err = s.app.MarketSalaries(ctx, f, m.GetGroupBy(), m.GetCurrency(), int(m.GetMinN()), int(m.GetLimit()))
	}
	if err != nil {
		return nil, err
	}
	est := func(e *market.Estimate) *v1.Estimate {
		if e == nil {
			return nil
		}
		return &v1.Estimate{Value: e.Value, Low: e.Low, High: e.High}
	}
	out := &v1.SalariesResponse{Source: sal.Source, Currency: sal.Currency, Basis: sal.Basis, GroupBy: sal.GroupBy,
		MinN: i32(sal.MinN), N: i32(sal.N), Groups: make([]*v1.SalaryGroup, len(sal.Groups))}
	for i, g := range sal.Groups {
		out.Groups[i] = &v1.SalaryGroup{Key: g.Key, Name: g.Name, N: i32(g.N), Suppressed: g.Suppressed,
			P10: est(g.P10), P25: est(g.P25), P50: est(g.P50), P75: est(g.P75), P90: est(g.P90)}
	}
	return connect.NewResponse(out), nil
}
