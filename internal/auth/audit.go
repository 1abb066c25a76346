package auth

import (
	"context"
	"strconv"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Audit actions.
const (
	AuditSignIn        = "auth.sign_in"
	AuditSignInFailed  = "auth.sign_in_failed"
	AuditSignOut       = "auth.sign_out"
	AuditTokenReuse    = "auth.refresh_token_reused"
	AuditKeyCreated    = "api_key.created"
	AuditKeyRevoked    = "api_key.revoked"
	AuditRoleChanged   = "org.role_changed"
	AuditMemberAdded   = "org.member_added"
	AuditMemberRemoved = "org.member_removed"
	AuditSigningRotate = "auth.signing_key_rotated"
	AuditUserCreated   = "auth.user_created"
	AuditRegisterTaken = "auth.register_address_taken"
	// Outgoing webhooks, managed like credentials.
	AuditWebhookCreated  = "webhook.created"
	AuditWebhookDeleted  = "webhook.deleted"
	AuditWebhookRotated  = "webhook.secret_rotated"
	AuditWebhookEnabled  = "webhook.enabled"
	AuditWebhookReplayed = "webhook.delivery_replayed"
)

// AuditEntry is one security event. The log is append-only: the database
// refuses updates and deletes of its rows.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	OrgID  string    `json:"orgId,omitempty"`
	Actor  string    `json:"actor,omitempty"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	IP     string    `json:"ip,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Audit writes and reads the audit log.
type Audit struct{ db *store.DB }

// NewAudit returns the audit log.
func NewAudit(db *store.DB) *Audit { return &Audit{db: db} }

// Record appends an entry (its time is now).
func (a *Audit) Record(ctx context.Context, e AuditEntry) error {
	_, err := a.db.Exec(ctx, `INSERT INTO audit_log (at, org_id, actor, action, target, ip, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		meridian.FormatTime(time.Now()), e.OrgID, e.Actor, e.Action, e.Target, e.IP, e.Detail)
	return err
}

// List returns an organization's entries, newest first, before the given
// id (0: from the newest).
func (a *Audit) List(ctx context.Context, orgID string, before int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := `SELECT id, at, org_id, actor, action, target, ip, detail FROM audit_log WHERE org_id = ?`
	args := []any{orgID}
	if before > 0 {
		q += ` AND id < ?`
		args = append(args, before)
	}
	rows, err := a.db.Query(ctx, q+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.OrgID, &e.Actor, &e.Action, &e.Target, &e.IP, &e.Detail); err != nil {
			return nil, err
		}
		e.At, _ = meridian.ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
