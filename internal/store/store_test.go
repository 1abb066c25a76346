package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/eventstore/eventstoretest"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

func TestEventStoreSQLite(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(t *testing.T) (eventstore.Store, eventstore.Keyring) {
		db := storetest.OpenSQLite(t)
		return db, db.Keyring()
	})
}

func TestEventStorePostgres(t *testing.T) {
	t.Parallel()
	storetest.PostgresURL(t) // skip the whole suite at once when PostgreSQL is unreachable
	eventstoretest.Run(t, func(t *testing.T) (eventstore.Store, eventstore.Keyring) {
		db := storetest.OpenPostgres(t)
		return db, db.Keyring()
	})
}

// backends opens a fresh database of each dialect.
var backends = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{store.SQLite, storetest.OpenSQLite},
	{store.Postgres, storetest.OpenPostgres},
}

func TestMigrationsAreIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := storetest.MasterKey(t)
	tests := []struct {
		name string
		cfg  func(t *testing.T) store.Config
	}{
		{store.SQLite, func(t *testing.T) store.Config { return store.Config{DataDir: t.TempDir(), MasterKey: key} }},
		{store.Postgres, func(t *testing.T) store.Config {
			return store.Config{DatabaseURL: storetest.PostgresURL(t), MasterKey: key}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg(t)
			open := func() *store.DB {
				t.Helper()
				db, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return db
			}
			db := open()
			if db.Dialect() != tc.name {
				t.Errorf("Dialect = %q, want %q", db.Dialect(), tc.name)
			}
			first := migrationStatus(t, db)
			if len(first) == 0 {
				t.Fatal("no migrations")
			}
			for i, m := range first {
				if m.AppliedAt == "" {
					t.Errorf("migration %s is not applied", m.Name)
				}
				if m.Version != i+1 {
					t.Errorf("migration %d has version %d; versions must be 1..n without gaps", i, m.Version)
				}
				if !strings.HasPrefix(m.Name, "000") || m.SQL == "" {
					t.Errorf("migration %d: name %q, %d bytes of SQL", i, m.Name, len(m.SQL))
				}
			}
			out, err := db.Append(ctx, eventstore.StreamAppend{StreamID: "s", StreamType: "test", Events: []eventstore.NewEvent{{Type: "x.v1", Subject: "p", Personal: []byte(`{"a":1}`)}}})
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			db.Close()

			// Reopen twice at the same time: migrations run once, data and keys survive.
			var wg sync.WaitGroup
			dbs := make([]*store.DB, 2)
			errs := make([]error, 2)
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					dbs[i], errs[i] = store.Open(ctx, cfg)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("reopen %d: %v", i, err)
				}
				defer dbs[i].Close()
			}
			second := migrationStatus(t, dbs[0])
			if diff := cmp.Diff(first, second); diff != "" {
				t.Errorf("MigrationStatus changed by reopening (-first +second):\n%s", diff)
			}
			loaded, err := dbs[1].Load(ctx, "s")
			if err != nil {
				t.Fatalf("Load after reopen: %v", err)
			}
			if diff := cmp.Diff(out, loaded); diff != "" {
				t.Errorf("events after reopen (-before +after):\n%s", diff)
			}
			var n int
			if err := dbs[0].QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != len(first) {
				t.Errorf("schema_migrations has %d rows, want %d", n, len(first))
			}
		})
	}
}

func migrationStatus(t *testing.T, db *store.DB) []store.Migration {
	t.Helper()
	ms, err := db.MigrationStatus(context.Background())
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	return ms
}

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  store.Config
		code string
	}{
		{"short master key", store.Config{DataDir: t.TempDir(), MasterKey: make([]byte, 16)}, meridian.EInvalid},
		{"not a postgres URL", store.Config{DatabaseURL: "mysql://u:hunter2@db/x", MasterKey: make([]byte, 32)}, meridian.EInvalid},
		{"bad sqlite sync", store.Config{DataDir: t.TempDir(), SQLiteSync: "sometimes", MasterKey: make([]byte, 32)}, meridian.EInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(ctx, tc.cfg)
			if err == nil {
				db.Close()
			}
			if got := meridian.ErrorCode(err); got != tc.code {
				t.Fatalf("Open: code %q (err %v), want %q", got, err, tc.code)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT * FROM t WHERE a = ? AND b = ?`, `SELECT * FROM t WHERE a = $1 AND b = $2`},
		{`SELECT '?' || ?`, `SELECT '?' || $1`},
		{`SELECT 'is it?', ?, '??', ?`, `SELECT 'is it?', $1, '??', $2`},
		{`SELECT 'it''s ?' || ? || ''`, `SELECT 'it''s ?' || $1 || ''`},
		{`UPDATE t SET a = ? WHERE b LIKE ? ESCAPE '\' AND c = ?`, `UPDATE t SET a = $1 WHERE b LIKE $2 ESCAPE '\' AND c = $3`},
	}
	t.Run(store.SQLite, func(t *testing.T) {
		t.Parallel()
		db := storetest.OpenSQLite(t)
		for _, tc := range tests {
			if got := db.Rebind(tc.in); got != tc.in {
				t.Errorf("Rebind(%q) = %q; SQLite keeps ? placeholders", tc.in, got)
			}
		}
	})
	t.Run(store.Postgres, func(t *testing.T) {
		t.Parallel()
		db := storetest.OpenPostgres(t)
		for _, tc := range tests {
			for range 2 { // the second call is served from the cache
				if got := db.Rebind(tc.in); got != tc.want {
					t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
				}
			}
		}
	})
	// The rebound statements run and keep their quoted question marks.
	for _, b := range backends {
		t.Run(b.name+"/query", func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			var got string
			if err := db.QueryRow(context.Background(), `SELECT '?' || ? || 'it''s ?' || ?`, "a", "b").Scan(&got); err != nil {
				t.Fatalf("query: %v", err)
			}
			if want := "?ait's ?b"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"postgres://meridian:s3cret@db.example.com:5432/meridian?sslmode=require", "postgres://meridian:REDACTED@db.example.com:5432/meridian?sslmode=require"},
		{"postgres://meridian@db:5432/meridian", "postgres://meridian@db:5432/meridian"},
		{"postgres://db/meridian", "postgres://db/meridian"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := store.RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Wherever else a password can hide, it must not come out.
	hidden := []string{
		"postgres://meridian:s3cret@db:5432/meridian",
		"postgresql://meridian:s3cret@db/meridian",
		"postgres://meridian:p%40ss%2Fs3cret@db/meridian",
		"postgres://db/meridian?user=meridian&password=s3cret&sslmode=disable",
		"postgres://meridian:s3cret/x@db/meridian",        // unescaped slash: not a parseable URL
		"postgres://meridian:s3cret@db:notaport/meridian", // bad port: not a parseable URL
		"host=db user=meridian password=s3cret dbname=meridian",
		"nats://user:s3cret@nats:4222",
	}
	for _, in := range hidden {
		got := store.RedactURL(in)
		if strings.Contains(got, "s3cret") {
			t.Errorf("RedactURL(%q) = %q reveals the password", in, got)
		}
		if !strings.Contains(got, "REDACTED") {
			t.Errorf("RedactURL(%q) = %q does not say it redacted something", in, got)
		}
	}
}

func TestCursors(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := b.open(t)
			if p, err := db.Cursor(ctx, "c"); err != nil || p != 0 {
				t.Fatalf("Cursor of a new name = %d, %v; want 0", p, err)
			}
			for _, step := range []struct{ set, want int64 }{{5, 5}, {3, 5}, {9, 9}, {9, 9}} {
				if err := db.AdvanceCursor(ctx, "c", step.set); err != nil {
					t.Fatalf("AdvanceCursor(%d): %v", step.set, err)
				}
				if p, err := db.Cursor(ctx, "c"); err != nil || p != step.want {
					t.Fatalf("after AdvanceCursor(%d): Cursor = %d, %v; want %d (never backward)", step.set, p, err, step.want)
				}
			}
			err := db.InTx(ctx, func(tx *store.Tx) error {
				p, err := tx.LockCursor(ctx, "d")
				if err != nil || p != 0 {
					t.Errorf("LockCursor of a new name = %d, %v", p, err)
				}
				return tx.SetCursor(ctx, "d", 7)
			})
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := db.Cursor(ctx, "d"); p != 7 {
				t.Errorf("Cursor after SetCursor = %d, want 7", p)
			}
		})
	}
}
