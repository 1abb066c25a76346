package token

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

const (
	// refreshPrefix marks Meridian refresh tokens (and lets secret scanners
	// find leaked ones).
	refreshPrefix = "mrt_"
	// refreshBytes is the entropy of a refresh token: 256 bits.
	refreshBytes = 32
)

// refreshLen is the length of a well-formed refresh token.
var refreshLen = len(refreshPrefix) + (refreshBytes*8+5)/6

// IssueRefresh returns a new refresh token for userID that starts a new
// family and expires RefreshTTL from now. userID must not be empty
// (meridian.EInvalid); database failures are internal errors.
func (s *Service) IssueRefresh(ctx context.Context, userID string) (string, error) {
	if userID == "" {
		return "", meridian.Errorf(meridian.EInvalid, "a refresh token needs a user id")
	}
	var tok string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		tok, err = s.insertRefresh(ctx, tx, meridian.NewID(), userID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("issue refresh token: %w", err)
	}
	return tok, nil
}

func (s *Service) insertRefresh(ctx context.Context, tx *store.Tx, familyID, userID string) (string, error) {
	secret, err := randomString(refreshBytes)
	if err != nil {
		return "", err
	}
	tok := refreshPrefix + secret
	now := s.now()
	_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, used_at, revoked_at, expires_at, created_at) VALUES (?, ?, ?, ?, '', '', ?, ?)`,
		meridian.NewID(), familyID, userID, hashRefresh(tok), meridian.FormatTime(now.Add(s.cfg.RefreshTTL)), meridian.FormatTime(now))
	if err != nil {
		return "", fmt.Errorf("insert refresh token: %w", err)
	}
	return tok, nil
}

// hashRefresh is what refresh_tokens stores instead of the token: the token
// has 256 random bits, so a plain SHA-256 suffices (no password hashing).
func hashRefresh(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// wellFormedRefresh reports whether tok has the shape IssueRefresh writes,
// so that garbage never reaches the database.
func wellFormedRefresh(tok string) bool {
	if len(tok) != refreshLen || !strings.HasPrefix(tok, refreshPrefix) {
		return false
	}
	_, err := decodePart(tok[len(refreshPrefix):])
	return err == nil
}

// refreshRow is the part of a refresh_tokens row that Refresh reads.
type refreshRow struct {
	id, familyID, userID string
	usedAt, revokedAt    string
	expiresAt            time.Time
}

func scanRefresh(row *sql.Row) (refreshRow, error) {
	var r refreshRow
	var exp string
	if err := row.Scan(&r.id, &r.familyID, &r.userID, &r.usedAt, &r.revokedAt, &exp); err != nil {
		return r, err
	}
	t, err := meridian.ParseTime(exp)
	if err != nil {
		return r, fmt.Errorf("refresh token expiry: %w", err)
	}
	r.expiresAt = t
	return r, nil
}

const refreshCols = `id, family_id, user_id, used_at, revoked_at, expires_at`

// Refresh exchanges a refresh token for a new access token and a new refresh
// token of the same family; the presented one is used up. principal returns
// the current principal of the token's user (it may refuse, e.g. for a
// disabled user; its error is returned as it is). An unknown, expired, used
// or revoked token gets meridian.EUnauthorized ("invalid or expired
// token"); a used or revoked one also revokes its whole family, and a used
// one is reported to OnReuse. Database failures are internal errors.
func (s *Service) Refresh(ctx context.Context, refreshToken string, principal func(userID string) (meridian.Principal, error)) (access string, accessExp time.Time, refresh string, err error) {
	const what = "refresh token"
	if !wellFormedRefresh(refreshToken) {
		return "", time.Time{}, "", s.reject(ctx, what, "malformed", nil)
	}
	hash := hashRefresh(refreshToken)

	// Look the token up first (without a lock) to learn whose it is, so that
	// principal runs outside the write transaction and a refusal there does
	// not use the token up. The transaction below decides.
	pre, err := scanRefresh(s.db.QueryRow(ctx, `SELECT `+refreshCols+` FROM refresh_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, "", s.reject(ctx, what, "unknown", nil)
	}
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("look up refresh token: %w", err)
	}
	if pre.usedAt == "" && pre.revokedAt == "" && !s.now().Before(pre.expiresAt) {
		return "", time.Time{}, "", s.reject(ctx, what, "expired", nil)
	}
	var p meridian.Principal
	var k *signingKey
	if pre.usedAt == "" && pre.revokedAt == "" {
		if p, err = principal(pre.userID); err != nil {
			return "", time.Time{}, "", err
		}
		if p.Kind != meridian.PrincipalUser || p.ID != pre.userID {
			return "", time.Time{}, "", fmt.Errorf("refresh: principal callback returned %s %q for user %q", p.Kind, p.ID, pre.userID)
		}
		if err := checkPrincipal(p); err != nil {
			return "", time.Time{}, "", err
		}
		if k, err = s.signer(ctx); err != nil {
			return "", time.Time{}, "", err
		}
	}

	var outcome string // "ok", "reuse", "revoked", "expired", "unknown"
	var r refreshRow
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		q := `SELECT ` + refreshCols + ` FROM refresh_tokens WHERE token_hash = ?`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE`
		}
		var err error
		r, err = scanRefresh(tx.QueryRow(ctx, q, hash))
		if errors.Is(err, sql.ErrNoRows) {
			outcome = "unknown" // purged meanwhile
			return nil
		}
		if err != nil {
			return fmt.Errorf("lock refresh token: %w", err)
		}
		now := s.now()
		switch {
		case r.usedAt != "" || r.revokedAt != "":
			outcome = "revoked"
			if r.usedAt != "" {
				outcome = "reuse"
			}
			return revokeFamily(ctx, tx, r.familyID, now)
		case !now.Before(r.expiresAt):
			outcome = "expired"
			return nil
		case k == nil:
			// The pre-read saw it used or revoked, yet it is not: impossible
			// (tokens never become unused); refuse rather than guess.
			outcome = "unknown"
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE id = ?`, meridian.FormatTime(now), r.id); err != nil {
			return fmt.Errorf("use refresh token: %w", err)
		}
		refresh, err = s.insertRefresh(ctx, tx, r.familyID, r.userID)
		if err != nil {
			return err
		}
		outcome = "ok"
		return nil
	})
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("refresh: %w", err)
	}
	switch outcome {
	case "ok":
	case "reuse":
		if s.OnReuse != nil {
			s.OnReuse(ctx, r.userID, r.familyID)
		}
		return "", time.Time{}, "", s.reject(ctx, what, "reused; family "+r.familyID+" revoked", nil)
	default:
		return "", time.Time{}, "", s.reject(ctx, what, outcome, nil)
	}
	access, accessExp, err = s.sign(k, p, s.now())
	if err != nil {
		return "", time.Time{}, "", err
	}
	return access, accessExp, refresh, nil
}

func revokeFamily(ctx context.Context, tx *store.Tx, familyID string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at = ''`, meridian.FormatTime(now), familyID); err != nil {
		return fmt.Errorf("revoke refresh token family: %w", err)
	}
	return nil
}

// Revoke signs a session out: the access token's jti is refused until
// accessExp (AccessTTL from now when zero), and the refresh token's whole
// family is revoked. Either may be empty; an unknown or malformed refresh
// token is ignored, so that signing out twice succeeds. Database failures
// are internal errors.
func (s *Service) Revoke(ctx context.Context, accessJTI string, accessExp time.Time, refreshToken string) error {
	now := s.now()
	if accessExp.IsZero() {
		accessExp = now.Add(s.cfg.AccessTTL)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if accessJTI != "" {
			// Keep the row past the last instant the token could pass.
			until := meridian.FormatTime(accessExp.Add(maxSkew))
			if _, err := tx.Exec(ctx, `INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING`, accessJTI, until); err != nil {
				return fmt.Errorf("revoke access token: %w", err)
			}
		}
		if refreshToken == "" || !wellFormedRefresh(refreshToken) {
			return nil
		}
		var family string
		err := tx.QueryRow(ctx, `SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, hashRefresh(refreshToken)).Scan(&family)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up refresh token: %w", err)
		}
		return revokeFamily(ctx, tx, family, now)
	})
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	return nil
}

// RevokeUser revokes every refresh token family of userID (sign out
// everywhere, password change, disabled user). Access tokens already issued
// stay valid until they expire, at most AccessTTL; revoke their jtis with
// Revoke where they are known. Database failures are internal errors.
func (s *Service) RevokeUser(ctx context.Context, userID string) error {
	_, err := s.db.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = ''`, meridian.FormatTime(s.now()), userID)
	if err != nil {
		return fmt.Errorf("revoke user tokens: %w", err)
	}
	return nil
}

// Purge deletes what can no longer matter at now: revoked jtis past their
// token's expiry, expired refresh tokens, and retired signing keys that no
// longer verify anything. Run it periodically on one node (it is safe on
// several). Database failures are internal errors.
func (s *Service) Purge(ctx context.Context, now time.Time) error {
	ts := meridian.FormatTime(now)
	keysBefore := meridian.FormatTime(now.Add(-s.retireGrace()))
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM revoked_tokens WHERE expires_at < ?`, ts); err != nil {
			return fmt.Errorf("purge revoked tokens: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at < ?`, ts); err != nil {
			return fmt.Errorf("purge refresh tokens: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM signing_keys WHERE active = 0 AND retired_at <> '' AND retired_at <= ?`, keysBefore); err != nil {
			return fmt.Errorf("purge signing keys: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	return nil
}
