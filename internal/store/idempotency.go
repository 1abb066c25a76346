package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// IdempotencyRecord is a stored response for an Idempotency-Key.
type IdempotencyRecord struct {
	Scope       string
	RequestHash string
	State       string // "pending" or "done"
	Status      int
	Headers     string // JSON object of header → values
	Body        []byte
}

// ClaimIdempotencyKey inserts a pending record for scope unless one exists.
// It returns (nil, true) when this caller claimed the key, or the existing
// record and false.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, scope, hash string, ttl time.Duration) (*IdempotencyRecord, bool, error) {
	now := time.Now()
	res, err := db.Exec(ctx, `INSERT INTO idempotency (scope, request_hash, state, created_at, expires_at) VALUES (?, ?, 'pending', ?, ?) ON CONFLICT (scope) DO NOTHING`,
		scope, hash, meridian.FormatTime(now), meridian.FormatTime(now.Add(ttl)))
	if err != nil {
		return nil, false, db.wrapErr("claim idempotency key", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, true, nil
	}
	rec, err := db.IdempotencyRecord(ctx, scope)
	if err != nil {
		return nil, false, err
	}
	if rec == nil { // expired and purged between the two statements: try once more
		return db.ClaimIdempotencyKey(ctx, scope, hash, ttl)
	}
	return rec, false, nil
}

// IdempotencyRecord reads a record (nil when absent). The write pool is
// used so that a record completed a moment ago is seen on SQLite too.
func (db *DB) IdempotencyRecord(ctx context.Context, scope string) (*IdempotencyRecord, error) {
	var r IdempotencyRecord
	err := db.w.QueryRowContext(ctx, db.Rebind(`SELECT scope, request_hash, state, status, headers, body FROM idempotency WHERE scope = ?`), scope).
		Scan(&r.Scope, &r.RequestHash, &r.State, &r.Status, &r.Headers, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.wrapErr("read idempotency key", err)
	}
	return &r, nil
}

// CompleteIdempotencyKey stores the response of a claimed key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, scope string, status int, headers string, body []byte) error {
	_, err := db.Exec(ctx, `UPDATE idempotency SET state = 'done', status = ?, headers = ?, body = ? WHERE scope = ?`, status, headers, body, scope)
	return err
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed in a way
// worth retrying (a 5xx), so that the client's retry runs again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, scope string) error {
	_, err := db.Exec(ctx, `DELETE FROM idempotency WHERE scope = ? AND state = 'pending'`, scope)
	return err
}

// PurgeIdempotencyKeys deletes expired records.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.Exec(ctx, `DELETE FROM idempotency WHERE expires_at < ?`, meridian.FormatTime(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
