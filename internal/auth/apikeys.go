package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Credential kinds.
const (
	KindAPIKey = "key"    // sent as X-API-Key or Authorization: Bearer mk_...
	KindClient = "client" // OAuth2 client credentials at /oauth/token
)

// secretPrefix marks Meridian secrets so that scanners can find leaked ones.
const secretPrefix = "mk_"

// APIKey is an organization's machine credential (secret not included).
type APIKey struct {
	ID         string     `json:"id" doc:"also the OAuth2 client_id of a client"`
	OrgID      string     `json:"orgId"`
	Kind       string     `json:"kind" enum:"key,client"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix" doc:"the first characters of the secret, to recognize it"`
	Scopes     []string   `json:"scopes"`
	CreatedBy  string     `json:"createdBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

// APIKeys stores machine credentials: only a SHA-256 of each secret (the
// secrets are 256-bit random, so a fast hash is enough), shown once.
type APIKeys struct {
	db     *store.DB
	scopes []string
	clock  func() time.Time
}

// NewAPIKeys returns the key store; scopes lists the grantable scopes.
func NewAPIKeys(db *store.DB, scopes []string) *APIKeys {
	return &APIKeys{db: db, scopes: scopes, clock: meridian.SystemClock}
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewKeyInput describes a credential to create.
type NewKeyInput struct {
	OrgID, Kind, Name, CreatedBy string
	Scopes                       []string
	ExpiresAt                    time.Time // zero: never
}

// Create makes a credential and returns it with its secret (the only time
// the secret is available).
func (k *APIKeys) Create(ctx context.Context, in NewKeyInput) (APIKey, string, error) {
	if in.Kind == "" {
		in.Kind = KindAPIKey
	}
	if in.Kind != KindAPIKey && in.Kind != KindClient {
		return APIKey{}, "", meridian.Errorf(meridian.EInvalid, "kind must be key or client")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return APIKey{}, "", meridian.Errorf(meridian.EInvalid, "name must be 1 to 100 characters")
	}
	if len(in.Scopes) == 0 {
		return APIKey{}, "", meridian.Errorf(meridian.EInvalid, "grant at least one scope (%s)", strings.Join(k.scopes, ", "))
	}
	scopes := map[string]bool{}
	for _, s := range in.Scopes {
		ok := false
		for _, v := range k.scopes {
			ok = ok || v == s
		}
		if !ok {
			return APIKey{}, "", meridian.Errorf(meridian.EInvalid, "unknown scope %q (known: %s)", s, strings.Join(k.scopes, ", "))
		}
		scopes[s] = true
	}
	list := make([]string, 0, len(scopes))
	for s := range scopes {
		list = append(list, s)
	}
	sort.Strings(list)
	now := k.clock().UTC()
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(now) {
		return APIKey{}, "", meridian.Errorf(meridian.EInvalid, "expiresAt must be in the future")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return APIKey{}, "", err
	}
	secret := secretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	key := APIKey{ID: meridian.NewID(), OrgID: in.OrgID, Kind: in.Kind, Name: in.Name, Prefix: secret[:11], Scopes: list, CreatedBy: in.CreatedBy, CreatedAt: now}
	if !in.ExpiresAt.IsZero() {
		e := in.ExpiresAt.UTC()
		key.ExpiresAt = &e
	}
	_, err := k.db.Exec(ctx, `INSERT INTO api_keys (id, org_id, kind, name, prefix, secret_hash, scopes, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		key.ID, key.OrgID, key.Kind, key.Name, key.Prefix, hashSecret(secret), strings.Join(list, " "), key.CreatedBy, meridian.FormatTime(now), meridian.FormatTime(in.ExpiresAt))
	if err != nil {
		return APIKey{}, "", err
	}
	return key, secret, nil
}

const keyCols = `id, org_id, kind, name, prefix, scopes, created_by, created_at, expires_at, revoked_at, last_used_at`

func scanKey(row interface{ Scan(...any) error }) (APIKey, string, error) {
	var k APIKey
	var scopes, created, expires, revoked, used string
	if err := row.Scan(&k.ID, &k.OrgID, &k.Kind, &k.Name, &k.Prefix, &scopes, &k.CreatedBy, &created, &expires, &revoked, &used); err != nil {
		return k, "", err
	}
	k.Scopes = strings.Fields(scopes)
	k.CreatedAt, _ = meridian.ParseTime(created)
	k.ExpiresAt, k.RevokedAt, k.LastUsedAt = timePtr(expires), timePtr(revoked), timePtr(used)
	return k, used, nil
}

func timePtr(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := meridian.ParseTime(s)
	if err != nil {
		return nil
	}
	return &t
}

// List returns an organization's credentials, newest first.
func (k *APIKeys) List(ctx context.Context, orgID string) ([]APIKey, error) {
	rows, err := k.db.Query(ctx, `SELECT `+keyCols+` FROM api_keys WHERE org_id = ? ORDER BY id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		key, _, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, key)
	}
	return out, rows.Err()
}

// Get returns one credential of an organization.
func (k *APIKeys) Get(ctx context.Context, orgID, id string) (APIKey, error) {
	key, _, err := scanKey(k.db.QueryRow(ctx, `SELECT `+keyCols+` FROM api_keys WHERE org_id = ? AND id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return key, meridian.Errorf(meridian.ENotFound, "API key %s not found", id)
	}
	return key, err
}

// Revoke revokes an organization's credential (idempotent).
func (k *APIKeys) Revoke(ctx context.Context, orgID, id string) (APIKey, error) {
	key, err := k.Get(ctx, orgID, id)
	if err != nil {
		return key, err
	}
	if key.RevokedAt == nil {
		now := k.clock().UTC()
		if _, err := k.db.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at = ''`, meridian.FormatTime(now), orgID, id); err != nil {
			return key, err
		}
		key.RevokedAt = &now
	}
	return key, nil
}

var errBadCredential = meridian.Errorf(meridian.EUnauthorized, "invalid or expired credentials")

// Authenticate turns a secret into the service principal it stands for.
// kind limits which kind of credential is accepted. Last use is recorded at
// most once a minute.
func (k *APIKeys) Authenticate(ctx context.Context, secret, kind string) (meridian.Principal, error) {
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 100 {
		return meridian.Principal{}, errBadCredential
	}
	h := hashSecret(secret)
	var storedHash string
	row := k.db.QueryRow(ctx, `SELECT `+keyCols+`, secret_hash FROM api_keys WHERE secret_hash = ?`, h)
	var key APIKey
	var scopes, created, expires, revoked, used string
	err := row.Scan(&key.ID, &key.OrgID, &key.Kind, &key.Name, &key.Prefix, &scopes, &key.CreatedBy, &created, &expires, &revoked, &used, &storedHash)
	if errors.Is(err, sql.ErrNoRows) {
		return meridian.Principal{}, errBadCredential
	}
	if err != nil {
		return meridian.Principal{}, err
	}
	now := k.clock().UTC()
	if subtle.ConstantTimeCompare([]byte(h), []byte(storedHash)) != 1 || key.Kind != kind || revoked != "" {
		return meridian.Principal{}, errBadCredential
	}
	exp := timePtr(expires)
	if exp != nil && !now.Before(*exp) {
		return meridian.Principal{}, errBadCredential
	}
	if last := timePtr(used); last == nil || now.Sub(*last) > time.Minute {
		_, _ = k.db.Exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, meridian.FormatTime(now), key.ID)
	}
	p := meridian.Principal{Kind: meridian.PrincipalService, ID: "key:" + key.ID, OrgID: key.OrgID, Scopes: strings.Fields(scopes), TokenID: key.ID}
	if exp != nil {
		p.Expires = *exp
	}
	return p, nil
}
