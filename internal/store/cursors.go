package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Cursor names.
const (
	// CursorOutbox is the position up to which events were published.
	CursorOutbox = "outbox"
)

// Cursor returns a named position (0 when never set).
func (db *DB) Cursor(ctx context.Context, name string) (int64, error) {
	var p int64
	err := db.QueryRow(ctx, `SELECT position FROM cursors WHERE name = ?`, name).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, db.wrapErr("read cursor", err)
	}
	return p, nil
}

// AdvanceCursor moves a named position forward (never backward).
func (db *DB) AdvanceCursor(ctx context.Context, name string, pos int64) error {
	_, err := db.Exec(ctx, `INSERT INTO cursors (name, position, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
		WHERE cursors.position < excluded.position`, name, pos, meridian.FormatTime(time.Now()))
	if err != nil {
		return db.wrapErr("advance cursor", err)
	}
	return nil
}

// LockCursor reads a named position inside tx, locking its row on
// PostgreSQL so that concurrent projectors on several nodes take turns.
// (On SQLite the write transaction itself is exclusive.)
func (tx *Tx) LockCursor(ctx context.Context, name string) (int64, error) {
	var p int64
	q := `SELECT position FROM cursors WHERE name = ?` + tx.db.forUpdate()
	err := tx.QueryRow(ctx, q, name).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.Exec(ctx, `INSERT INTO cursors (name, position, updated_at) VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING`, name, meridian.FormatTime(time.Now())); err != nil {
			return 0, err
		}
		err = tx.QueryRow(ctx, q, name).Scan(&p)
	}
	return p, err
}

// SetCursor sets a named position inside tx.
func (tx *Tx) SetCursor(ctx context.Context, name string, pos int64) error {
	_, err := tx.Exec(ctx, `UPDATE cursors SET position = ?, updated_at = ? WHERE name = ?`, pos, meridian.FormatTime(time.Now()), name)
	return err
}

// Lease is a leadership lease held by one process at a time.
type Lease interface {
	// Held reports whether this process still holds the lease.
	Held(ctx context.Context) bool
	Release()
}

// TryLease tries to become the single holder of the named lease. On
// PostgreSQL it is a session advisory lock on a dedicated connection, so a
// crashed node's lease ends with its connection; on SQLite the serve process
// holds the data directory's lock file, so the lease is always granted.
func (db *DB) TryLease(ctx context.Context, key int64) (Lease, bool, error) {
	if db.dialect != Postgres {
		return localLease{}, true, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, false, db.wrapErr("lease connection", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, db.wrapErr("try lease", err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return &pgLease{conn: conn, key: key}, true, nil
}

type localLease struct{}

func (localLease) Held(context.Context) bool { return true }
func (localLease) Release()                  {}

type pgLease struct {
	conn *sql.Conn
	key  int64
}

func (l *pgLease) Held(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return l.conn.PingContext(ctx) == nil
}

func (l *pgLease) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	l.conn.Close()
}
