package connectapi

import (
	"math"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/meridianhq/meridian/internal/domain"
	v1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// Conversions between the application layer's types and the messages.

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func tsp(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func fromTS(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// i32 narrows a count for the wire; counts of postings, sample sizes and
// facet values never approach 2^31, and saturating keeps the conversion
// safe should one ever do.
func i32(n int) int32 {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	if n < math.MinInt32 {
		return math.MinInt32
	}
	return int32(n) // #nosec G115 -- bounded to the int32 range just above
}

// expected turns an optional expected version into the App's (-1: any).
func expected(v *int64) int64 {
	if v == nil {
		return -1
	}
	return *v
}

func salaryOut(s *domain.Salary) *v1.Salary {
	if s == nil {
		return nil
	}
	return &v1.Salary{Min: s.Min, Max: s.Max, Currency: s.Currency, Period: s.Period}
}

func salaryIn(s *v1.Salary) *domain.Salary {
	if s == nil {
		return nil
	}
	return &domain.Salary{Min: s.GetMin(), Max: s.GetMax(), Currency: s.GetCurrency(), Period: s.GetPeriod()}
}

func moneyOut(m *search.Money) *v1.Money {
	if m == nil {
		return nil
	}
	return &v1.Money{Min: m.Min, Max: m.Max, Currency: m.Currency}
}

func skillsOut(in []domain.SkillRequirement) []*v1.SkillRequirement {
	out := make([]*v1.SkillRequirement, len(in))
	for i, s := range in {
		out[i] = &v1.SkillRequirement{Skill: s.Skill, Level: i32(s.Level), Required: s.Required}
	}
	return out
}

func skillsIn(in []*v1.SkillRequirement) []domain.SkillRequirement {
	out := make([]domain.SkillRequirement, len(in))
	for i, s := range in {
		out[i] = domain.SkillRequirement{Skill: s.GetSkill(), Level: int(s.GetLevel()), Required: s.GetRequired()}
	}
	return out
}

func eligibilityOut(e domain.Eligibility) *v1.Eligibility {
	return &v1.Eligibility{Worldwide: e.Worldwide, Countries: e.Countries, Regions: e.Regions}
}

func eligibilityIn(e *v1.Eligibility) domain.Eligibility {
	return domain.Eligibility{Worldwide: e.GetWorldwide(), Countries: e.GetCountries(), Regions: e.GetRegions()}
}

func timeZoneOut(t *domain.TimeZoneRule) *v1.TimeZoneRule {
	if t == nil {
		return nil
	}
	return &v1.TimeZoneRule{MinUtcOffset: t.MinUTCOffset, MaxUtcOffset: t.MaxUTCOffset, ReferenceZone: t.ReferenceZone,
		ReferenceStart: t.ReferenceStart, ReferenceEnd: t.ReferenceEnd, OverlapHours: t.OverlapHours}
}

func timeZoneIn(t *v1.TimeZoneRule) *domain.TimeZoneRule {
	if t == nil {
		return nil
	}
	return &domain.TimeZoneRule{MinUTCOffset: t.MinUtcOffset, MaxUTCOffset: t.MaxUtcOffset, ReferenceZone: t.GetReferenceZone(),
		ReferenceStart: t.GetReferenceStart(), ReferenceEnd: t.GetReferenceEnd(), OverlapHours: t.GetOverlapHours()}
}

func jobDetailsIn(d *v1.JobDetails) domain.JobDetails {
	return domain.JobDetails{
		Title: d.GetTitle(), Description: d.GetDescription(), Skills: skillsIn(d.GetSkills()), Seniority: d.GetSeniority(),
		EmploymentType: d.GetEmploymentType(), Salary: salaryIn(d.GetSalary()), Eligibility: eligibilityIn(d.GetEligibility()),
		TimeZone: timeZoneIn(d.GetTimeZone()), ValidThrough: fromTS(d.GetValidThrough()), ApplyURL: d.GetApplyUrl(), Source: d.GetSource(),
	}
}

func jobOut(j readmodel.Job) *v1.Job {
	return &v1.Job{
		Id: j.ID, OrgId: j.OrgID, OrgName: j.OrgName, Status: j.Status, Title: j.Title, Description: j.Description,
		DescriptionHtml: j.DescriptionHTML, Seniority: j.Seniority, EmploymentType: j.EmploymentType, Salary: salaryOut(j.Salary),
		Skills: skillsOut(j.Skills), Eligibility: eligibilityOut(j.Eligibility), TimeZone: timeZoneOut(j.TimeZone),
		ApplyUrl: j.ApplyURL, Source: j.Source, ValidThrough: tsp(j.ValidThrough), PublishedAt: tsp(j.PublishedAt),
		ClosedAt: tsp(j.ClosedAt), CloseReason: j.CloseReason, CreateTime: ts(j.CreatedAt), UpdateTime: ts(j.UpdatedAt), Version: j.Version,
	}
}

func profileOut(p readmodel.Profile) *v1.Profile {
	skills := make([]*v1.ProfileSkill, len(p.Skills))
	for i, s := range p.Skills {
		skills[i] = &v1.ProfileSkill{Skill: s.Skill, Level: i32(s.Level), Years: s.Years}
	}
	return &v1.Profile{
		Id: p.ID, OwnerId: p.OwnerID, Visibility: p.Visibility, DisplayName: p.DisplayName, Headline: p.Headline,
		Summary: p.Summary, Skills: skills, TimeZone: p.TimeZone, WorkStart: p.WorkStart, WorkEnd: p.WorkEnd,
		Countries: p.Countries, SalaryFloor: salaryOut(p.SalaryFloor), Seniority: p.Seniority,
		CreateTime: ts(p.CreatedAt), UpdateTime: ts(p.UpdatedAt), Version: p.Version,
	}
}

func applicationOut(a readmodel.Application) *v1.Application {
	hist := make([]*v1.StageChange, len(a.History))
	for i, h := range a.History {
		hist[i] = &v1.StageChange{Seq: h.Seq, From: h.From, To: h.To, ReasonCode: h.ReasonCode, Actor: h.Actor, Time: ts(h.At)}
	}
	return &v1.Application{
		Id: a.ID, JobId: a.JobID, OrgId: a.OrgID, ProfileId: a.ProfileID, CandidateId: a.CandidateID, Stage: a.Stage,
		ReasonCode: a.ReasonCode, CoverLetter: a.CoverLetter, NextStages: a.NextStages, History: hist,
		CreateTime: ts(a.CreatedAt), UpdateTime: ts(a.UpdatedAt), Version: a.Version,
	}
}

func orgOut(o readmodel.Org) *v1.Organization {
	return &v1.Organization{Id: o.ID, Name: o.Name, Slug: o.Slug, Website: o.Website, Description: o.Description,
		CreateTime: ts(o.CreatedAt), UpdateTime: ts(o.UpdatedAt), Version: o.Version}
}

func memberOut(m readmodel.Member) *v1.Member {
	return &v1.Member{OrgId: m.OrgID, UserId: m.UserID, Role: m.Role, AddTime: ts(m.AddedAt)}
}

func facetsOut(f *search.Facets) *v1.Facets {
	if f == nil {
		return nil
	}
	counts := func(in []search.FacetCount) []*v1.FacetCount {
		out := make([]*v1.FacetCount, len(in))
		for i, c := range in {
			out[i] = &v1.FacetCount{Value: c.Value, Count: i32(c.Count)}
		}
		return out
	}
	return &v1.Facets{Skills: counts(f.Skills), Categories: counts(f.Categories), Seniority: counts(f.Seniority),
		Regions: counts(f.Regions), SalaryBands: counts(f.SalaryBands)}
}

func skillMatchesOut(in []search.SkillMatch) []*v1.SkillMatch {
	out := make([]*v1.SkillMatch, len(in))
	for i, s := range in {
		out[i] = &v1.SkillMatch{Skill: s.Skill, Name: s.Name, Required: s.Required, Credit: s.Credit, Via: s.Via, How: s.How,
			Want: i32(s.Want), Have: i32(s.Have)}
	}
	return out
}

func explanationOut(e search.Explanation) *v1.MatchExplanation {
	return &v1.MatchExplanation{
		Eligible: e.Eligible, Matched: skillMatchesOut(e.Matched), Missing: skillMatchesOut(e.Missing),
		OverlapHours: e.OverlapHours, Seniority: e.Seniority, Components: e.Components,
		Salary: &v1.SalaryFit{Posting: moneyOut(e.Salary.Posting), Floor: moneyOut(e.Salary.Floor), Fit: e.Salary.Fit},
	}
}
