package app

import (
	"context"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

// requireOrgAdmin loads an organization and checks that a person is its
// admin or owner (machines never manage credentials or read the audit log).
func (a *App) requireOrgAdmin(ctx context.Context, orgID string) (meridian.Principal, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return p, err
	}
	org, err := a.loadOrg(ctx, orgID)
	if err != nil {
		return p, err
	}
	return p, requireOrgRole(p, org, domain.RoleAdmin, "")
}

// CreateAPIKey issues an API key or OAuth2 client for an organization
// (admin or owner). The secret is returned once.
func (a *App) CreateAPIKey(ctx context.Context, in auth.NewKeyInput) (auth.APIKey, string, error) {
	p, err := a.requireOrgAdmin(ctx, in.OrgID)
	if err != nil {
		return auth.APIKey{}, "", err
	}
	in.CreatedBy = p.ID
	key, secret, err := a.Keys.Create(ctx, in)
	if err != nil {
		return key, "", err
	}
	a.audit(ctx, auth.AuditEntry{OrgID: in.OrgID, Actor: p.ID, Action: auth.AuditKeyCreated, Target: key.ID, Detail: key.Kind + " " + key.Name})
	return key, secret, nil
}

// APIKeys lists an organization's credentials (admin or owner).
func (a *App) APIKeys(ctx context.Context, orgID string) ([]auth.APIKey, error) {
	if _, err := a.requireOrgAdmin(ctx, orgID); err != nil {
		return nil, err
	}
	return a.Keys.List(ctx, orgID)
}

// RevokeAPIKey revokes a credential (admin or owner).
func (a *App) RevokeAPIKey(ctx context.Context, orgID, id string) (auth.APIKey, error) {
	p, err := a.requireOrgAdmin(ctx, orgID)
	if err != nil {
		return auth.APIKey{}, err
	}
	key, err := a.Keys.Revoke(ctx, orgID, id)
	if err != nil {
		return key, err
	}
	a.audit(ctx, auth.AuditEntry{OrgID: orgID, Actor: p.ID, Action: auth.AuditKeyRevoked, Target: id})
	return key, nil
}

// AuditLog returns an organization's security events (admin or owner).
func (a *App) AuditLog(ctx context.Context, orgID string, before int64, limit int) ([]auth.AuditEntry, error) {
	if _, err := a.requireOrgAdmin(ctx, orgID); err != nil {
		return nil, err
	}
	return a.Audit.List(ctx, orgID, before, limit)
}

// audit records a security event; a failure is logged, not returned (the
// action it describes has already happened).
func (a *App) audit(ctx context.Context, e auth.AuditEntry) {
	if a.Audit == nil {
		return
	}
	if e.IP == "" {
		e.IP = meridian.ClientIPFrom(ctx)
	}
	if err := a.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		a.Log.Error("audit log write failed", "err", err, "action", e.Action)
	}
}

// auditChange records entry once the command it describes was committed.
func (a *App) auditChange(ctx context.Context, res Result, err error, entry auth.AuditEntry) {
	if err == nil && res.Position > 0 && entry.Action != "" {
		a.audit(ctx, entry)
	}
}
