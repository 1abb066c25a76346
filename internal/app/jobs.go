package app

import (
	"context"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// DraftJob creates a draft posting for an organization (recruiter or above).
func (a *App) DraftJob(ctx context.Context, orgID string, d domain.JobDetails) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	org, err := a.loadOrg(ctx, orgID)
	if err != nil {
		return Result{}, err
	}
	if err := requireOrgRole(p, org, domain.RoleRecruiter, ScopeJobsWrite); err != nil {
		return Result{}, err
	}
	if d, err = a.jobSkills(d); err != nil {
		return Result{}, err
	}
	job := domain.NewJob()
	return a.execute(ctx, job, meridian.NewID(), 0, false, func() error { return job.Draft(orgID, d, a.now()) })
}

// jobCommand runs fn on a job after checking the principal's role in its organization.
func (a *App) jobCommand(ctx context.Context, id string, expected int64, fn func(*domain.Job) error) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	job := domain.NewJob()
	return a.execute(ctx, job, id, expected, true, func() error {
		org, err := a.loadOrg(ctx, job.OrgID())
		if err != nil {
			return err
		}
		if err := requireOrgRole(p, org, domain.RoleRecruiter, ScopeJobsWrite); err != nil {
			if meridian.ErrorCode(err) == meridian.ENotFound {
				return meridian.Errorf(meridian.ENotFound, "job %s not found", id)
			}
			return err
		}
		return fn(job)
	})
}

// UpdateJob replaces a posting's details.
func (a *App) UpdateJob(ctx context.Context, id string, expected int64, d domain.JobDetails) (Result, error) {
	return a.jobCommand(ctx, id, expected, func(j *domain.Job) error {
		d, err := a.jobSkills(d) // after authorization: outsiders learn nothing from a 422
		if err != nil {
			return err
		}
		return j.Update(d, a.now())
	})
}

// PublishJob publishes a draft.
func (a *App) PublishJob(ctx context.Context, id string, expected int64) (Result, error) {
	return a.jobCommand(ctx, id, expected, func(j *domain.Job) error { return j.Publish(a.now()) })
}

// CloseJob closes a posting.
func (a *App) CloseJob(ctx context.Context, id string, expected int64, reason string) (Result, error) {
	return a.jobCommand(ctx, id, expected, func(j *domain.Job) error { return j.Close(reason, a.now()) })
}

// RenewJob re-confirms a posting until validThrough.
func (a *App) RenewJob(ctx context.Context, id string, expected int64, validThrough time.Time) (Result, error) {
	return a.jobCommand(ctx, id, expected, func(j *domain.Job) error { return j.Renew(validThrough, a.now()) })
}

// ExpireDue records the expiry of published postings whose validThrough has
// passed (run by the scheduler as the system principal). It returns how many
// it expired; postings changed concurrently are left for the next run.
func (a *App) ExpireDue(ctx context.Context) (int, error) {
	ids, err := a.Q.DueForExpiry(ctx, a.now(), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		job := domain.NewJob()
		_, err := a.execute(ctx, job, id, -1, true, func() error { return job.Expire(a.now()) })
		switch meridian.ErrorCode(err) {
		case "":
			n++
		case meridian.EConflict, meridian.ERule:
		default:
			return n, err
		}
	}
	return n, nil
}

// canSeeJob decides whether the principal may read a posting: published and
// unexpired postings are public; others only to the organization's members.
func (a *App) canSeeJob(ctx context.Context, j *readmodel.Job) (bool, error) {
	one := map[string]readmodel.Job{j.ID: *j}
	if err := a.visibleJobs(ctx, one); err != nil {
		return false, err
	}
	_, ok := one[j.ID]
	j.Status = j.EffectiveStatus(a.now())
	return ok, nil
}

// Job returns a posting visible to the principal.
func (a *App) Job(ctx context.Context, id string) (readmodel.Job, error) {
	j, err := a.Q.Job(ctx, id)
	if err != nil {
		return j, err
	}
	ok, err := a.canSeeJob(ctx, &j)
	if err != nil {
		return j, err
	}
	if !ok {
		return readmodel.Job{}, meridian.Errorf(meridian.ENotFound, "job %s not found", id)
	}
	return j, nil
}

// Jobs lists postings. Without an organization filter, or for non-members,
// only published, unexpired postings are listed.
func (a *App) Jobs(ctx context.Context, f readmodel.JobFilter) (readmodel.Page[readmodel.Job], error) {
	f.Now = a.now()
	if len(f.Statuses) > 0 {
		role := ""
		if f.OrgID != "" {
			var err error
			if role, err = a.memberRole(ctx, meridian.PrincipalFrom(ctx), f.OrgID, ScopeJobsRead); err != nil {
				return readmodel.Page[readmodel.Job]{}, err
			}
		}
		if role == "" {
			onlyPublished := len(f.Statuses) == 1 && f.Statuses[0] == domain.StatusPublished
			if !onlyPublished {
				return readmodel.Page[readmodel.Job]{}, meridian.Errorf(meridian.EForbidden, "only members of the organization may list postings other than published ones; pass orgId as a member")
			}
			f.Statuses = nil
		}
	}
	page, err := a.Q.Jobs(ctx, f)
	for i := range page.Items {
		page.Items[i].Status = page.Items[i].EffectiveStatus(f.Now)
	}
	return page, err
}
