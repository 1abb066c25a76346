package graphql

import (
	"context"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// Mutations run the App's command, then read the object back through the
// App (as the REST API answers with the resource): the command has waited
// for the read models, so the caller reads its own write.
type mutationResolver struct{ *Resolver }

func (r mutationResolver) job(ctx context.Context, res app.Result, err error) (*readmodel.Job, error) {
	if err != nil {
		return nil, err
	}
	j, err := r.app().Job(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

func (r mutationResolver) CreateOrganization(ctx context.Context, input domain.OrgDetails, ownerID *string) (*readmodel.Org, error) {
	res, err := r.app().CreateOrg(ctx, input, deref(ownerID))
	if err != nil {
		return nil, err
	}
	o, err := r.app().Org(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func (r mutationResolver) DraftJob(ctx context.Context, organizationID string, input domain.JobDetails) (*readmodel.Job, error) {
	res, err := r.app().DraftJob(ctx, organizationID, input)
	return r.job(ctx, res, err)
}

func (r mutationResolver) UpdateJob(ctx context.Context, id string, input domain.JobDetails, expectedVersion *int) (*readmodel.Job, error) {
	res, err := r.app().UpdateJob(ctx, id, expected(expectedVersion), input)
	return r.job(ctx, res, err)
}

func (r mutationResolver) PublishJob(ctx context.Context, id string, expectedVersion *int) (*readmodel.Job, error) {
	res, err := r.app().PublishJob(ctx, id, expected(expectedVersion))
	return r.job(ctx, res, err)
}

func (r mutationResolver) CloseJob(ctx context.Context, id string, reason *string, expectedVersion *int) (*readmodel.Job, error) {
	res, err := r.app().CloseJob(ctx, id, expected(expectedVersion), deref(reason))
	return r.job(ctx, res, err)
}

func (r mutationResolver) profile(ctx context.Context, res app.Result, err error) (*readmodel.Profile, error) {
	if err != nil {
		return nil, err
	}
	p, err := r.app().Profile(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (r mutationResolver) CreateProfile(ctx context.Context, input domain.ProfileDetails, visibility, ownerID *string) (*readmodel.Profile, error) {
	res, err := r.app().CreateProfile(ctx, deref(ownerID), deref(visibility), input)
	return r.profile(ctx, res, err)
}

func (r mutationResolver) UpdateProfile(ctx context.Context, id string, input domain.ProfileDetails, expectedVersion *int) (*readmodel.Profile, error) {
	res, err := r.app().UpdateProfile(ctx, id, expected(expectedVersion), input)
	return r.profile(ctx, res, err)
}

func (r mutationResolver) application(ctx context.Context, res app.Result, err error) (*readmodel.Application, error) {
	if err != nil {
		return nil, err
	}
	a, err := r.app().Application(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (r mutationResolver) Apply(ctx context.Context, jobID, profileID string, coverLetter *string) (*readmodel.Application, error) {
	res, err := r.app().Apply(ctx, jobID, profileID, deref(coverLetter))
	return r.application(ctx, res, err)
}

func (r mutationResolver) MoveApplication(ctx context.Context, id, to string, reasonCode *string, expectedVersion *int) (*readmodel.Application, error) {
	res, err := r.app().MoveApplication(ctx, id, expected(expectedVersion), to, deref(reasonCode))
	return r.application(ctx, res, err)
}

func (r mutationResolver) CreateSavedSearch(ctx context.Context, input app.SavedSearchInput) (*alerts.SavedSearch, error) {
	res, err := r.app().CreateSavedSearch(ctx, input)
	if err != nil {
		return nil, err
	}
	s, err := r.app().SavedSearch(ctx, res.ID)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func (r mutationResolver) DeleteSavedSearch(ctx context.Context, id string, expectedVersion *int) (string, error) {
	res, err := r.app().DeleteSavedSearch(ctx, id, expected(expectedVersion))
	if err != nil {
		return "", err
	}
	return res.ID, nil
}
