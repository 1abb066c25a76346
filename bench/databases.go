package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"

	"github.com/meridianhq/meridian/internal/store"
)

// DefaultPostgresURL is the server the PostgreSQL figures use unless
// MERIDIAN_TEST_DATABASE_URL (or -postgres) says otherwise; it matches
// storetest.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DefaultNATSURL is the external NATS server of the external-broker figures.
const DefaultNATSURL = "nats://127.0.0.1:4222"

// PostgresBase returns the PostgreSQL URL from the environment or the default.
func PostgresBase() string {
	if u := os.Getenv("MERIDIAN_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// RandomHex returns 2n random hex digits.
func RandomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// MasterKey returns a random 32-byte master key.
func MasterKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}

// Target says which database a scenario runs on.
type Target struct {
	Dialect    string // store.SQLite or store.Postgres
	SQLiteSync string // "full" (default) or "normal"
	// PostgresURL is the server's base URL (a database is created on it).
	PostgresURL string
}

// Name is a short label for tables.
func (t Target) Name() string {
	if t.Dialect == store.Postgres {
		return "PostgreSQL"
	}
	if t.SQLiteSync == "" {
		return "SQLite (synchronous=FULL)"
	}
	return "SQLite (synchronous=" + map[string]string{"full": "FULL", "normal": "NORMAL"}[t.SQLiteSync] + ")"
}

// OpenDB opens a fresh, empty Meridian database for t: SQLite in a new
// temporary directory, or a new database meridian_bench_<hex> on the
// PostgreSQL server. The returned cleanup closes it and removes the
// directory or drops the database.
func OpenDB(ctx context.Context, t Target) (*store.DB, string, func(), error) {
	if t.Dialect != store.Postgres {
		dir, err := os.MkdirTemp("", "meridian-bench-")
		if err != nil {
			return nil, "", nil, err
		}
		db, err := store.Open(ctx, store.Config{DataDir: dir, SQLiteSync: t.SQLiteSync, MasterKey: MasterKey()})
		if err != nil {
			os.RemoveAll(dir)
			return nil, "", nil, err
		}
		return db, dir, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
	base := t.PostgresURL
	if base == "" {
		base = PostgresBase()
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, "", nil, err
	}
	actx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(actx); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("PostgreSQL not reachable at %s: %w", store.RedactURL(base), err)
	}
	name := "meridian_bench_" + RandomHex(6)
	if _, err := admin.ExecContext(actx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(dctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	u.Path = "/" + name
	db, err := store.Open(ctx, store.Config{DatabaseURL: u.String(), MasterKey: MasterKey()})
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	dir, err := os.MkdirTemp("", "meridian-bench-")
	if err != nil {
		db.Close()
		drop()
		return nil, "", nil, err
	}
	return db, dir, func() { db.Close(); drop(); os.RemoveAll(dir) }, nil
}
