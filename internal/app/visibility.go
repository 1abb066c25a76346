package app

import (
	"context"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// Who sees what, decided once per kind of object and for many at a time:
// visibleJobs, visibleProfiles and memberRoles are the rules; the one-id
// reads (Job, Profile, memberRole) apply them to a batch of one, and the
// batch reads below serve per-request loaders (the GraphQL API's
// dataloaders) in a constant number of SQL queries.
// Objects the principal may not see are absent from the results, as
// missing ones are: callers answer ENotFound for both.

// memberRoles is the principal's role in each of several organizations
// (absent where it has none): people by their membership, platform admins
// as owners, a machine as a viewer of its own organization when it holds
// scope (or the write scope implying it). memberRole asks it for one.
func (a *App) memberRoles(ctx context.Context, p meridian.Principal, orgIDs []string, scope string) (map[string]string, error) {
	out := map[string]string{}
	switch {
	case !p.Authenticated() || len(orgIDs) == 0:
	case p.PlatformAdmin:
		for _, id := range orgIDs {
			out[id] = domain.RoleOwner
		}
	case p.Kind == meridian.PrincipalService:
		for _, id := range orgIDs {
			if id == p.OrgID && canRead(p, scope) {
				out[id] = domain.RoleViewer
			}
		}
	default:
		return a.Q.RolesIn(ctx, p.ID, orgIDs)
	}
	return out, nil
}

// JobsVisible returns the postings with these ids that the principal may
// see (as Job decides), by id, with their effective status.
func (a *App) JobsVisible(ctx context.Context, ids []string) (map[string]readmodel.Job, error) {
	jobs, err := a.Q.JobsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return jobs, a.visibleJobs(ctx, jobs)
}

// visibleJobs is the one rule of who sees a posting, for a batch: it sets
// each posting's effective status and removes those the principal may not
// see (drafts, closed and expired ones are for the organization's members
// and keys with jobs:read; a closed or expired one also for the people who
// applied to it, whose applications name it).
func (a *App) visibleJobs(ctx context.Context, jobs map[string]readmodel.Job) error {
	now := a.now()
	var hidden []string // orgs of postings only members see
	for id, j := range jobs {
		j.Status = j.EffectiveStatus(now)
		jobs[id] = j
		if j.Status != domain.StatusPublished {
			hidden = append(hidden, j.OrgID)
		}
	}
	if len(hidden) == 0 {
		return nil
	}
	roles, err := a.memberRoles(ctx, meridian.PrincipalFrom(ctx), uniqueIDs(hidden), ScopeJobsRead)
	if err != nil {
		return err
	}
	var unseen []string
	for id, j := range jobs {
		if j.Status != domain.StatusPublished && roles[j.OrgID] == "" {
			unseen = append(unseen, id)
		}
	}
	applied := map[string]bool{}
	if p := meridian.PrincipalFrom(ctx); p.Kind == meridian.PrincipalUser && len(unseen) > 0 {
		if applied, err = a.Q.AppliedTo(ctx, p.ID, unseen); err != nil {
			return err
		}
	}
	for _, id := range unseen {
		if !applied[id] || jobs[id].Status == domain.StatusDraft {
			delete(jobs, id)
		}
	}
	return nil
}

// OrgsByID returns the organizations with these ids (public information,
// as Org), by id.
func (a *App) OrgsByID(ctx context.Context, ids []string) (map[string]readmodel.Org, error) {
	return a.Q.OrgsByID(ctx, ids)
}

// ProfilesVisible returns the profiles with these ids that the principal
// may see (as Profile decides), by id.
func (a *App) ProfilesVisible(ctx context.Context, ids []string) (map[string]readmodel.Profile, error) {
	profs, err := a.Q.ProfilesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return a.visibleProfiles(ctx, profs)
}

// visibleProfiles is the one rule of who sees a profile, for a batch: the
// profiles of profs the principal may see. Public profiles are anyone's,
// the owner's are theirs; "employers" profiles are for members of any
// organization; an organization sees the profiles that applied to it
// (its keys only with applications:read); erased ones are nobody's.
func (a *App) visibleProfiles(ctx context.Context, profs map[string]readmodel.Profile) (map[string]readmodel.Profile, error) {
	p := meridian.PrincipalFrom(ctx)
	out := make(map[string]readmodel.Profile, len(profs))
	var undecided []string
	for id, prof := range profs {
		switch {
		case prof.Erased:
		case p.PlatformAdmin || (p.Kind == meridian.PrincipalUser && prof.OwnerID == p.ID) || prof.Visibility == "public":
			out[id] = prof
		case p.Authenticated():
			undecided = append(undecided, id)
		}
	}
	if len(undecided) == 0 {
		return out, nil
	}
	var orgs []string
	if p.Kind == meridian.PrincipalService {
		// A machine sees applicants' profiles only, and only with the scope.
		if canRead(p, ScopeApplicationsRead) {
			orgs = []string{p.OrgID}
		}
	} else {
		var err error
		if orgs, err = a.Q.OrgsOf(ctx, p.ID); err != nil {
			return nil, err
		}
		if len(orgs) > 0 {
			rest := undecided[:0]
			for _, id := range undecided {
				if profs[id].Visibility == "employers" {
					out[id] = profs[id]
				} else {
					rest = append(rest, id)
				}
			}
			undecided = rest
		}
	}
	if len(undecided) == 0 || len(orgs) == 0 {
		return out, nil
	}
	applied, err := a.Q.ApplicantsAmong(ctx, orgs, undecided)
	if err != nil {
		return nil, err
	}
	for _, id := range undecided {
		if applied[id] {
			out[id] = profs[id]
		}
	}
	return out, nil
}

// MembersOf lists the members of the organizations the principal may list
// them of (as Members decides), by organization id; the others are absent.
func (a *App) MembersOf(ctx context.Context, orgIDs []string) (map[string][]readmodel.Member, error) {
	roles, err := a.memberRoles(ctx, meridian.PrincipalFrom(ctx), uniqueIDs(orgIDs), ScopeOrgRead)
	if err != nil {
		return nil, err
	}
	allowed := make([]string, 0, len(roles))
	for id := range roles {
		allowed = append(allowed, id)
	}
	if len(allowed) == 0 {
		return map[string][]readmodel.Member{}, nil
	}
	return a.Q.MembersOfOrgs(ctx, allowed)
}

func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
