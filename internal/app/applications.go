package app

import (
	"context"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// Apply submits an application from a profile (owned by the principal) to
// a published job. A second application for the same pair is a conflict.
func (a *App) Apply(ctx context.Context, jobID, profileID, coverLetter string) (Result, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return Result{}, err
	}
	job := domain.NewJob()
	evs, err := a.DB.Load(ctx, jobID)
	if err != nil {
		return Result{}, err
	}
	if err := domain.Load(job, jobID, evs); err != nil {
		return Result{}, err
	}
	if !job.Exists() || (job.Status() == domain.StatusDraft && !p.PlatformAdmin) {
		return Result{}, meridian.Errorf(meridian.ENotFound, "job %s not found", jobID)
	}
	prof := domain.NewProfile()
	if evs, err = a.DB.Load(ctx, profileID); err != nil {
		return Result{}, err
	}
	if err := domain.Load(prof, profileID, evs); err != nil {
		return Result{}, err
	}
	if !prof.Exists() || (prof.OwnerID() != p.ID && !p.PlatformAdmin) {
		return Result{}, meridian.Errorf(meridian.ENotFound, "profile %s not found", profileID)
	}
	app := domain.NewApplication()
	return a.execute(ctx, app, domain.ApplicationID(profileID, jobID), -1, false, func() error {
		return app.Submit(job, prof, coverLetter, a.now())
	})
}

// MoveApplication changes an application's stage. The organization
// (recruiter or above) moves it forward or rejects it; the candidate may
// only withdraw.
func (a *App) MoveApplication(ctx context.Context, id string, expected int64, to, reasonCode string) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	app := domain.NewApplication()
	return a.execute(ctx, app, id, expected, true, func() error {
		if app.CandidateID() == p.ID && !p.PlatformAdmin {
			if to != domain.StageWithdrawn {
				return meridian.Errorf(meridian.EForbidden, "a candidate can only withdraw an application")
			}
			return app.Move(to, reasonCode, a.now())
		}
		if err := a.requireApplicationOrgRole(ctx, p, app); err != nil {
			return err
		}
		if to == domain.StageWithdrawn {
			return meridian.Errorf(meridian.EForbidden, "only the candidate can withdraw an application; reject it instead")
		}
		return app.Move(to, reasonCode, a.now())
	})
}

// requireApplicationOrgRole checks that the principal is a recruiter (or
// above) of the organization the application was made to; to anyone else
// the application does not exist.
func (a *App) requireApplicationOrgRole(ctx context.Context, p meridian.Principal, app *domain.Application) error {
	org, err := a.loadOrg(ctx, app.OrgID())
	if err != nil {
		return err
	}
	if err := requireOrgRole(p, org, domain.RoleRecruiter, ScopeApplicationsWrite); err != nil {
		if meridian.ErrorCode(err) == meridian.ENotFound {
			return meridian.Errorf(meridian.ENotFound, "application %s not found", app.ID())
		}
		return err
	}
	return nil
}

// AddNote adds an organization-private note (recruiter or above).
func (a *App) AddNote(ctx context.Context, id, body string) (Result, string, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, "", err
	}
	app := domain.NewApplication()
	var noteID string
	res, err := a.execute(ctx, app, id, -1, true, func() error {
		if err := a.requireApplicationOrgRole(ctx, p, app); err != nil {
			return err
		}
		var err error
		noteID, err = app.AddNote(p.ID, body, a.now())
		return err
	})
	return res, noteID, err
}

// applicationAccess says how the principal relates to an application.
func (a *App) applicationAccess(ctx context.Context, app readmodel.Application) (candidate, orgMember bool, err error) {
	p := meridian.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return false, false, nil
	}
	if p.PlatformAdmin {
		return true, true, nil
	}
	if app.CandidateID == p.ID && p.Kind != meridian.PrincipalService {
		candidate = true
	}
	role, err := a.memberRole(ctx, p, app.OrgID, ScopeApplicationsRead)
	return candidate, role != "", err
}

// Application returns an application to its candidate or its organization.
func (a *App) Application(ctx context.Context, id string) (readmodel.Application, error) {
	app, err := a.Q.Application(ctx, id)
	if err != nil {
		return app, err
	}
	cand, member, err := a.applicationAccess(ctx, app)
	if err != nil {
		return readmodel.Application{}, err
	}
	if !cand && !member {
		return readmodel.Application{}, meridian.Errorf(meridian.ENotFound, "application %s not found", id)
	}
	return app, nil
}

// Applications lists applications: the principal's own, or an
// organization's (members only, filtered by orgId or jobId).
func (a *App) Applications(ctx context.Context, f readmodel.ApplicationFilter) (readmodel.Page[readmodel.Application], error) {
	f, err := a.applicationFilter(ctx, f)
	if err != nil {
		return readmodel.Page[readmodel.Application]{}, err
	}
	return a.Q.Applications(ctx, f)
}

// Pipeline is a posting's pipeline board: its applications counted by
// stage, a page of each stage's newest (or of those after its cursor) and
// the organization's notes on them.
type Pipeline struct {
	Counts map[string]int
	Pages  map[string]readmodel.Page[readmodel.Application]
	Notes  map[string][]readmodel.Note // by application id
}

// Pipeline reads posting jobID's board for the members of organization
// orgID (applications:read), authorizing once: limit applications per
// stage, after cursors[stage] where given.
func (a *App) Pipeline(ctx context.Context, orgID, jobID string, limit int, cursors map[string]string) (Pipeline, error) {
	f, err := a.applicationFilter(ctx, readmodel.ApplicationFilter{OrgID: orgID, JobID: jobID})
	if err != nil {
		return Pipeline{}, err
	}
	b := Pipeline{Pages: map[string]readmodel.Page[readmodel.Application]{}}
	if b.Counts, err = a.Q.ApplicationStages(ctx, f); err != nil {
		return Pipeline{}, err
	}
	var ids []string
	for stage, n := range b.Counts {
		if n == 0 {
			continue
		}
		g := f
		g.Stage, g.Limit, g.Cursor = stage, limit, cursors[stage]
		page, err := a.Q.Applications(ctx, g)
		if err != nil {
			return Pipeline{}, err
		}
		b.Pages[stage] = page
		for _, app := range page.Items {
			ids = append(ids, app.ID)
		}
	}
	if b.Notes, err = a.Q.NotesOf(ctx, orgID, ids); err != nil {
		return Pipeline{}, err
	}
	return b, nil
}

// applicationFilter narrows f to what the principal may list (see
// Applications).
func (a *App) applicationFilter(ctx context.Context, f readmodel.ApplicationFilter) (readmodel.ApplicationFilter, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return f, err
	}
	switch {
	case p.PlatformAdmin:
	case f.OrgID == "" && f.JobID != "" && p.Kind != meridian.PrincipalService:
		// A job filter alone: the organization's view for its members, the
		// caller's own applications for everyone else. Whether the job exists
		// or whose it is is not revealed either way.
		role := ""
		if j, err := a.Q.Job(ctx, f.JobID); err == nil {
			if role, err = a.memberRole(ctx, p, j.OrgID, ScopeApplicationsRead); err != nil {
				return f, err
			}
			if role != "" {
				f.OrgID = j.OrgID
			}
		} else if meridian.ErrorCode(err) != meridian.ENotFound {
			return f, err
		}
		if role == "" {
			f.CandidateID = p.ID
		}
	case f.OrgID != "" || p.Kind == meridian.PrincipalService:
		if f.OrgID == "" {
			f.OrgID = p.OrgID
		}
		role, err := a.memberRole(ctx, p, f.OrgID, ScopeApplicationsRead)
		if err != nil {
			return f, err
		}
		if role == "" {
			return f, meridian.Errorf(meridian.ENotFound, "organization %s not found", f.OrgID)
		}
	default:
		f.CandidateID = p.ID
	}
	return f, nil
}

// Notes lists an application's notes (organization members only).
func (a *App) Notes(ctx context.Context, id string) ([]readmodel.Note, error) {
	app, err := a.Q.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	_, member, err := a.applicationAccess(ctx, app)
	if err != nil {
		return nil, err
	}
	if !member {
		return nil, meridian.Errorf(meridian.ENotFound, "application %s not found", id)
	}
	return a.Q.Notes(ctx, id)
}
