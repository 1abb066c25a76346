package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered SQL file.
type Migration struct {
	Version   int
	Name      string
	SQL       string
	AppliedAt string // empty when pending
}

func (db *DB) migrations() ([]Migration, error) {
	dir := "migrations/" + db.dialect
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", name)
		}
		b, err := migrationFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// MigrationStatus lists every migration with the time it was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	ms, err := db.migrations()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		applied[v] = at
	}
	for i := range ms {
		ms[i].AppliedAt = applied[ms[i].Version]
	}
	return ms, rows.Err()
}

// migrate applies pending migrations, each in its own transaction. On
// PostgreSQL an advisory lock keeps two starting nodes from racing.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return db.wrapErr("connect", err)
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(72431001)`); err != nil {
			return db.wrapErr("migration lock", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(72431001)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return db.wrapErr("create schema_migrations", err)
	}
	for _, m := range ms {
		var n int
		if err := conn.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
			return db.wrapErr("read schema_migrations", err)
		}
		if n > 0 {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return db.wrapErr("begin migration", err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			_ = tx.Rollback()
			return &meridian.Error{Code: meridian.EInternal, Message: fmt.Sprintf("migration %s failed: %v", m.Name, err)}
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), m.Version, meridian.FormatTime(time.Now())); err != nil {
			_ = tx.Rollback()
			return db.wrapErr("record migration", err)
		}
		if err := tx.Commit(); err != nil {
			return db.wrapErr("commit migration", err)
		}
	}
	return nil
}
