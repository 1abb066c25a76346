package password

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// ThrottleConfig tunes a Throttle. The zero value means the defaults.
type ThrottleConfig struct {
	// FreeFailures is the number of failures before the first delay
	// (default 5).
	FreeFailures int
	// BaseDelay is the delay after FreeFailures failures; it doubles with
	// every further failure (default 1s).
	BaseDelay time.Duration
	// MaxDelay caps the delay (default 15 minutes).
	MaxDelay time.Duration
	// Quiet is the time without failures after which a key starts afresh
	// (default 24 hours).
	Quiet time.Duration
	// Clock is the time source (default meridian.SystemClock).
	Clock meridian.Clock
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.FreeFailures <= 0 {
		c.FreeFailures = 5
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 15 * time.Minute
	}
	if c.Quiet <= 0 {
		c.Quiet = 24 * time.Hour
	}
	if c.Clock == nil {
		c.Clock = meridian.SystemClock
	}
	return c
}

// Throttle slows down password guessing. It counts failed sign-ins per key
// in the login_failures table; after FreeFailures failures each further
// attempt must wait BaseDelay, doubling with every failure (1s, 2s, 4s …)
// up to MaxDelay. A success clears the key; so does Quiet time without a
// failure. Keys are built by the caller, typically one per account
// ("acct:" + the e-mail blind index, never the address itself) and one per
// client address ("ip:" + address), checked together with Guard.
//
// A sign-in handler calls Guard (or Check) before verifying the password,
// and Fail or Succeed after. The delay is a wait, not a lockout: the
// attempts after it are judged as usual.
type Throttle struct {
	db  *store.DB
	cfg ThrottleConfig
}

// NewThrottle returns a Throttle over db's login_failures table.
func NewThrottle(db *store.DB, cfg ThrottleConfig) *Throttle {
	return &Throttle{db: db, cfg: cfg.withDefaults()}
}

// Check returns how long key must wait before its next attempt (zero when
// it may try now).
func (t *Throttle) Check(ctx context.Context, key string) (time.Duration, error) {
	var failures int64
	var lockedUntil, updatedAt string
	err := t.db.QueryRow(ctx, `SELECT failures, locked_until, updated_at FROM login_failures WHERE key = ?`, key).
		Scan(&failures, &lockedUntil, &updatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read login failures: %w", err)
	}
	now := t.cfg.Clock()
	if t.quiet(updatedAt, now) || lockedUntil == "" {
		return 0, nil
	}
	until, err := meridian.ParseTime(lockedUntil)
	if err != nil {
		return 0, fmt.Errorf("read login failures: locked_until: %w", err)
	}
	if d := until.Sub(now); d > 0 {
		return d, nil
	}
	return 0, nil
}

// Guard checks every key and returns a meridian.ERateLimited error naming
// the longest wait, or nil when all may try now.
func (t *Throttle) Guard(ctx context.Context, keys ...string) error {
	var wait time.Duration
	for _, k := range keys {
		d, err := t.Check(ctx, k)
		if err != nil {
			return err
		}
		wait = max(wait, d)
	}
	if wait <= 0 {
		return nil
	}
	secs := int64((wait + time.Second - 1) / time.Second)
	return meridian.Errorf(meridian.ERateLimited, "Too many failed sign-in attempts; try again in %d seconds.", secs)
}

// Fail records a failed attempt for key and sets its next delay.
func (t *Throttle) Fail(ctx context.Context, key string) error {
	now := t.cfg.Clock()
	stamp := meridian.FormatTime(now)
	staleBefore := meridian.FormatTime(now.Add(-t.cfg.Quiet))
	return t.db.InTx(ctx, func(tx *store.Tx) error {
		// One atomic upsert counts the failure (restarting at 1 after a
		// quiet period); the row stays locked until the transaction ends,
		// so concurrent failures are all counted.
		var failures int64
		err := tx.QueryRow(ctx, `INSERT INTO login_failures (key, failures, locked_until, updated_at) VALUES (?, 1, '', ?)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN login_failures.updated_at <= ? THEN 1 ELSE login_failures.failures + 1 END,
    updated_at = excluded.updated_at
RETURNING failures`, key, stamp, staleBefore).Scan(&failures)
		if err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		lockedUntil := ""
		if d := t.delay(failures); d > 0 {
			lockedUntil = meridian.FormatTime(now.Add(d))
		}
		if _, err := tx.Exec(ctx, `UPDATE login_failures SET locked_until = ? WHERE key = ?`, lockedUntil, key); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		return nil
	})
}

// Succeed clears key after a successful sign-in.
func (t *Throttle) Succeed(ctx context.Context, key string) error {
	if _, err := t.db.Exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// Purge deletes the keys that have been quiet for the Quiet period; they
// would be ignored anyway. It returns the number of keys deleted.
func (t *Throttle) Purge(ctx context.Context) (int64, error) {
	res, err := t.db.Exec(ctx, `DELETE FROM login_failures WHERE updated_at <= ?`, meridian.FormatTime(t.cfg.Clock().Add(-t.cfg.Quiet)))
	if err != nil {
		return 0, fmt.Errorf("purge login failures: %w", err)
	}
	return res.RowsAffected()
}

// delay is the wait after the given number of failures.
func (t *Throttle) delay(failures int64) time.Duration {
	extra := failures - int64(t.cfg.FreeFailures)
	if extra < 0 {
		return 0
	}
	if extra >= 40 {
		return t.cfg.MaxDelay
	}
	d := t.cfg.BaseDelay << extra
	if d <= 0 || d > t.cfg.MaxDelay {
		return t.cfg.MaxDelay
	}
	return d
}

func (t *Throttle) quiet(updatedAt string, now time.Time) bool {
	return updatedAt <= meridian.FormatTime(now.Add(-t.cfg.Quiet))
}
