package graphql

import (
	"context"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/transport/graphql/gql"
)

type queryResolver struct{ *Resolver }

func (r queryResolver) Job(ctx context.Context, id string) (*readmodel.Job, error) {
	j, err := r.app().Job(ctx, id)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

func (r queryResolver) Jobs(ctx context.Context, organizationID *string, statuses []string, filter *gql.JobFilter, first *int, after *string) (*gql.JobPage, error) {
	f := readmodel.JobFilter{OrgID: deref(organizationID), Statuses: statuses, Cursor: deref(after), Limit: deref(first)}
	if filter != nil {
		f.Q, f.Skills, f.Seniority, f.EmploymentType = deref(filter.Q), filter.Skills, deref(filter.Seniority), deref(filter.EmploymentType)
		f.Country, f.Region, f.PostedSince = deref(filter.Country), deref(filter.Region), deref(filter.PostedSince)
	}
	page, err := r.app().Jobs(ctx, f)
	if err != nil {
		return nil, err
	}
	return &gql.JobPage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) SearchJobs(ctx context.Context, query *search.Query, facets *bool, first *int, after *string) (*gql.SearchResult, error) {
	q := deref(query)
	q.Limit, q.Cursor, q.Facets = deref(first), deref(after), deref(facets)
	page, err := r.app().SearchJobs(ctx, q)
	if err != nil {
		return nil, err
	}
	return &gql.SearchResult{Total: page.Total, Hits: page.Hits, Facets: page.Facets, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Organization(ctx context.Context, id string) (*readmodel.Org, error) {
	o, err := r.app().Org(ctx, id)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func (r queryResolver) Organizations(ctx context.Context, first *int, after *string) (*gql.OrganizationPage, error) {
	page, err := r.app().Orgs(ctx, deref(after), deref(first))
	if err != nil {
		return nil, err
	}
	return &gql.OrganizationPage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Profile(ctx context.Context, id string) (*readmodel.Profile, error) {
	p, err := r.app().Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (r queryResolver) MyProfiles(ctx context.Context, first *int, after *string) (*gql.ProfilePage, error) {
	page, err := r.app().Profiles(ctx, true, deref(after), deref(first))
	if err != nil {
		return nil, err
	}
	return &gql.ProfilePage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Application(ctx context.Context, id string) (*readmodel.Application, error) {
	a, err := r.app().Application(ctx, id)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (r queryResolver) Applications(ctx context.Context, organizationID, jobID, profileID, stage *string, first *int, after *string) (*gql.ApplicationPage, error) {
	page, err := r.app().Applications(ctx, readmodel.ApplicationFilter{
		OrgID: deref(organizationID), JobID: deref(jobID), ProfileID: deref(profileID), Stage: deref(stage),
		Cursor: deref(after), Limit: deref(first),
	})
	if err != nil {
		return nil, err
	}
	return &gql.ApplicationPage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Matches(ctx context.Context, profileID string, currency *string, first *int, after *string) (*gql.JobMatchPage, error) {
	page, err := r.app().ProfileMatches(ctx, profileID, search.MatchOptions{Limit: deref(first), Cursor: deref(after), Currency: deref(currency)})
	if err != nil {
		return nil, err
	}
	return &gql.JobMatchPage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Candidates(ctx context.Context, jobID string, currency *string, first *int, after *string) (*gql.CandidatePage, error) {
	page, err := r.app().JobCandidates(ctx, jobID, search.MatchOptions{Limit: deref(first), Cursor: deref(after), Currency: deref(currency)})
	if err != nil {
		return nil, err
	}
	return &gql.CandidatePage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) SavedSearches(ctx context.Context, first *int, after *string) (*gql.SavedSearchPage, error) {
	page, err := r.app().SavedSearches(ctx, deref(after), deref(first))
	if err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []alerts.SavedSearch{}
	}
	return &gql.SavedSearchPage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Notifications(ctx context.Context, first *int, after *string) (*gql.NotificationPage, error) {
	page, err := r.app().Notifications(ctx, deref(after), deref(first))
	if err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []alerts.Notification{}
	}
	return &gql.NotificationPage{Items: page.Items, NextCursor: cursorOf(page.NextCursor)}, nil
}

func (r queryResolver) Market(_ context.Context, filter *gql.MarketFilter) (*gql.Market, error) {
	f, err := marketFilter(filter)
	if err != nil {
		return nil, err
	}
	return &gql.Market{Filter: f}, nil
}

func (r queryResolver) SkillGaps(ctx context.Context, profileID string, currency *string, limit *int) (*market.SkillGaps, error) {
	g, err := r.app().SkillGaps(ctx, profileID, deref(currency), deref(limit))
	if err != nil {
		return nil, err
	}
	return &g, nil
}
