package app

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// CreateOrg creates an organization owned by the principal (or, for a
// platform admin, by OwnerID when given).
func (a *App) CreateOrg(ctx context.Context, d domain.OrgDetails, ownerID string) (Result, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return Result{}, err
	}
	if ownerID == "" || !p.PlatformAdmin {
		ownerID = p.ID
	}
	id := meridian.NewID()
	org := domain.NewOrg()
	return a.execute(ctx, org, id, 0, false, func() error { return org.Create(d, ownerID, a.now()) })
}

// UpdateOrg changes an organization's details (admin or owner).
func (a *App) UpdateOrg(ctx context.Context, id string, expected int64, d domain.OrgDetails) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	org := domain.NewOrg()
	return a.execute(ctx, org, id, expected, true, func() error {
		if err := requireOrgRole(p, org, domain.RoleAdmin, ""); err != nil {
			return err
		}
		return org.Update(d)
	})
}

// AddMember adds a user to an organization (admin or owner; only owners
// may add owners).
func (a *App) AddMember(ctx context.Context, orgID string, expected int64, userID, role string) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	org := domain.NewOrg()
	var entry auth.AuditEntry
	res, err := a.execute(ctx, org, orgID, expected, true, func() error {
		need := domain.RoleAdmin
		if role == domain.RoleOwner {
			need = domain.RoleOwner
		}
		if err := requireOrgRole(p, org, need, ""); err != nil {
			return err
		}
		if err := org.AddMember(userID, role); err != nil {
			return err
		}
		entry = auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditMemberAdded, Target: userID, Detail: role}
		return nil
	})
	a.auditChange(ctx, res, err, entry)
	return res, err
}

// ChangeMemberRole changes a member's role (admin or owner; owner for owner changes).
func (a *App) ChangeMemberRole(ctx context.Context, orgID string, expected int64, userID, role string) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	org := domain.NewOrg()
	var entry auth.AuditEntry
	res, err := a.execute(ctx, org, orgID, expected, true, func() error {
		need := domain.RoleAdmin
		if role == domain.RoleOwner || org.Role(userID) == domain.RoleOwner {
			need = domain.RoleOwner
		}
		if err := requireOrgRole(p, org, need, ""); err != nil {
			return err
		}
		before := org.Role(userID)
		if err := org.ChangeRole(userID, role); err != nil {
			return err
		}
		entry = auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditRoleChanged, Target: userID, Detail: before + " → " + role}
		return nil
	})
	a.auditChange(ctx, res, err, entry)
	return res, err
}

// RemoveMember removes a member (admin or owner; owner to remove an owner;
// anyone may leave).
func (a *App) RemoveMember(ctx context.Context, orgID string, expected int64, userID string) (Result, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return Result{}, err
	}
	org := domain.NewOrg()
	var entry auth.AuditEntry
	res, err := a.execute(ctx, org, orgID, expected, true, func() error {
		if userID != p.ID {
			need := domain.RoleAdmin
			if org.Role(userID) == domain.RoleOwner {
				need = domain.RoleOwner
			}
			if err := requireOrgRole(p, org, need, ""); err != nil {
				return err
			}
		} else if p.Kind == meridian.PrincipalService || org.Role(p.ID) == "" {
			return meridian.Errorf(meridian.ENotFound, "organization %s not found", orgID)
		}
		if err := org.RemoveMember(userID); err != nil {
			return err
		}
		entry = auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditMemberRemoved, Target: userID}
		return nil
	})
	a.auditChange(ctx, res, err, entry)
	return res, err
}

// Org returns an organization's public view.
func (a *App) Org(ctx context.Context, id string) (readmodel.Org, error) {
	return a.Q.Org(ctx, id)
}

// Orgs lists organizations (public information).
func (a *App) Orgs(ctx context.Context, cursor string, limit int) (readmodel.Page[readmodel.Org], error) {
	return a.Q.Orgs(ctx, cursor, limit)
}

// Members lists an organization's members (members only).
func (a *App) Members(ctx context.Context, orgID string) ([]readmodel.Member, error) {
	p := meridian.PrincipalFrom(ctx)
	role, err := a.memberRole(ctx, p, orgID, ScopeOrgRead)
	if err != nil {
		return nil, err
	}
	if role == "" {
		return nil, meridian.Errorf(meridian.ENotFound, "organization %s not found", orgID)
	}
	return a.Q.Members(ctx, orgID)
}

// Membership is one organization of the signed-in person, with their role.
type Membership struct {
	Org  readmodel.Org
	Role string
}

// MyOrgs lists the organizations the signed-in person belongs to, by name.
func (a *App) MyOrgs(ctx context.Context) ([]Membership, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := a.Q.OrgsOf(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	roles, err := a.Q.RolesIn(ctx, p.ID, ids)
	if err != nil {
		return nil, err
	}
	orgs, err := a.Q.OrgsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Membership, 0, len(ids))
	for _, id := range ids {
		if o, ok := orgs[id]; ok && roles[id] != "" {
			out = append(out, Membership{Org: o, Role: roles[id]})
		}
	}
	slices.SortFunc(out, func(x, y Membership) int {
		return cmp.Or(strings.Compare(strings.ToLower(x.Org.Name), strings.ToLower(y.Org.Name)), strings.Compare(x.Org.ID, y.Org.ID))
	})
	return out, nil
}
