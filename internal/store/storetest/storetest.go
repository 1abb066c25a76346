// Package storetest opens throw-away Meridian databases for tests: SQLite in
// a temporary directory, and PostgreSQL as a fresh database on the server at
// MERIDIAN_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable), dropped when the
// test ends.
//
// When PostgreSQL cannot be reached, tests that need it are skipped, unless
// the environment has CI=true, in which case they fail: CI must run every
// adapter.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"

	"github.com/meridianhq/meridian/internal/store"
)

// DefaultPostgresURL is used when MERIDIAN_TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// MasterKey returns 32 random bytes for store.Config.MasterKey.
func MasterKey(tb testing.TB) []byte {
	tb.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		tb.Fatalf("master key: %v", err)
	}
	return k
}

// OpenSQLite opens a SQLite database in a fresh temporary directory with a
// random master key; it is closed when the test ends.
func OpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), store.Config{DataDir: tb.TempDir(), MasterKey: MasterKey(tb)})
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// OpenPostgres opens a fresh PostgreSQL database (see PostgresURL) with a
// random master key; it is closed and dropped when the test ends.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	u := PostgresURL(tb)
	db, err := store.Open(context.Background(), store.Config{DatabaseURL: u, MasterKey: MasterKey(tb)})
	if err != nil {
		tb.Fatalf("open postgres %s: %v", store.RedactURL(u), err)
	}
	tb.Cleanup(func() { db.Close() }) // runs before the drop registered by PostgresURL
	return db
}

// PostgresURL creates an empty database meridian_test_<random hex> on the
// test server and returns its URL. The database is dropped (WITH (FORCE))
// when the test ends. It skips the test when the server is unreachable, or
// fails it when CI=true.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("MERIDIAN_TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	admin := adminPool(tb, base)
	name := "meridian_test_" + randomHex(tb, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("MERIDIAN_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// adminPools holds one connection pool per base URL, shared by the tests of
// a package (a failed connection attempt is remembered, so that a missing
// server costs one timeout, not one per test).
var adminPools sync.Map // base URL → *adminResult

type adminResult struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func adminPool(tb testing.TB, base string) *sql.DB {
	tb.Helper()
	v, _ := adminPools.LoadOrStore(base, &adminResult{})
	r := v.(*adminResult)
	r.once.Do(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			r.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			r.err = err
			return
		}
		db.SetMaxOpenConns(4)
		r.db = db
	})
	if r.err != nil {
		unavailable(tb, "PostgreSQL", store.RedactURL(base), r.err)
	}
	return r.db
}

// unavailable skips the test because an external service is not reachable,
// or fails it when the environment has CI=true.
func unavailable(tb testing.TB, service, addr string, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s not reachable at %s: %v (CI=true requires it)", service, addr, err)
	}
	tb.Skipf("%s not reachable at %s: %v; set CI=true to require it", service, addr, err)
}

func randomHex(tb testing.TB, n int) string {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// Unavailable skips the test because the named external service (at addr)
// is not reachable, or fails it when CI=true: for tests of other services
// (MQTT, SMTP) that follow the same rule.
func Unavailable(tb testing.TB, service, addr string, err error) {
	tb.Helper()
	unavailable(tb, service, addr, err)
}
