package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config selects and tunes the database.
type Config struct {
	// DatabaseURL selects PostgreSQL (postgres://...). Empty means SQLite
	// under DataDir.
	DatabaseURL string
	// DataDir holds meridian.db in embedded mode.
	DataDir string
	// SQLiteSync is the SQLite synchronous pragma: "full" (default; every
	// commit reaches the disk) or "normal" (WAL default; survives process
	// crashes, may lose the last commits on power loss).
	SQLiteSync string
	// MasterKey wraps the per-subject data keys (32 bytes). Required.
	MasterKey []byte
	// MaxConns caps PostgreSQL connections (default 16).
	MaxConns int
}

// DB is an open Meridian database.
type DB struct {
	dialect string
	// w is the write pool: one connection on SQLite (the single writer), the
	// shared pool on PostgreSQL. r is the read pool (same as w on PostgreSQL).
	w, r *sql.DB

	keys *Keyring

	rebindMu sync.RWMutex
	rebound  map[string]string

	// appended is signalled after every committed append, so the outbox
	// relay in the same process publishes without waiting for its poll.
	appendedMu sync.Mutex
	appended   chan struct{}

	commits *groupCommit
}

// Open opens (creating if needed) the database and applies migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if len(cfg.MasterKey) != 32 {
		return nil, meridian.Errorf(meridian.EInvalid, "master key must be 32 bytes, got %d", len(cfg.MasterKey))
	}
	db := &DB{rebound: map[string]string{}, appended: make(chan struct{})}
	db.commits = newGroupCommit(db)
	var err error
	switch {
	case cfg.DatabaseURL == "":
		err = db.openSQLite(cfg)
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://") || strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		err = db.openPostgres(cfg)
	default:
		return nil, meridian.Errorf(meridian.EInvalid, "database URL must start with postgres:// (got %q)", RedactURL(cfg.DatabaseURL))
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.w.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: fmt.Sprintf("cannot reach the %s database: %v", db.dialect, err)}
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.keys = newKeyring(db, cfg.MasterKey)
	return db, nil
}

func (db *DB) openSQLite(cfg Config) error {
	db.dialect = SQLite
	dir := cfg.DataDir
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	sync := strings.ToUpper(cfg.SQLiteSync)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return meridian.Errorf(meridian.EInvalid, "sqlite sync must be full or normal, got %q", cfg.SQLiteSync)
	}
	path := filepath.Join(dir, "meridian.db")
	common := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)&_pragma=foreign_keys(ON)&_pragma=synchronous(" + sync + ")"
	var err error
	db.w, err = sql.Open("sqlite", "file:"+path+"?"+common+"&_txlock=immediate")
	if err != nil {
		return err
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetConnMaxIdleTime(0)
	db.r, err = sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(ON)")
	if err != nil {
		return err
	}
	db.r.SetMaxOpenConns(8)
	return nil
}

func (db *DB) openPostgres(cfg Config) error {
	db.dialect = Postgres
	var err error
	db.w, err = sql.Open("pgx", cfg.DatabaseURL)
	if err != nil {
		return meridian.Errorf(meridian.EInvalid, "database URL: %v", err)
	}
	n := cfg.MaxConns
	if n <= 0 {
		n = 16
	}
	db.w.SetMaxOpenConns(n)
	db.w.SetMaxIdleConns(n)
	db.r = db.w
	return nil
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// Close closes the pools.
func (db *DB) Close() error {
	db.commits.close()
	var errs []error
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Keyring returns the per-subject Keyring.
func (db *DB) Keyring() *Keyring { return db.keys }

// Rebind turns a statement written with ? placeholders into the dialect's form.
func (db *DB) Rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	db.rebindMu.RLock()
	s, ok := db.rebound[q]
	db.rebindMu.RUnlock()
	if ok {
		return s
	}
	var b strings.Builder
	n := 0
	inStr := false
	for _, c := range q {
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteRune(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteRune(c)
		}
	}
	s = b.String()
	db.rebindMu.Lock()
	db.rebound[q] = s
	db.rebindMu.Unlock()
	return s
}

// Tx is a write transaction with dialect-aware helpers.
type Tx struct {
	tx *sql.Tx
	db *DB
	// createdKeys are the subject keys created in this transaction, which
	// must not be cached before it commits.
	createdKeys map[string]bool
}

// Exec runs a statement written with ? placeholders.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.Rebind(q), args...)
}

// Query runs a query written with ? placeholders.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.Rebind(q), args...)
}

// QueryRow runs a one-row query written with ? placeholders.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.Rebind(q), args...)
}

// Dialect returns the database dialect.
func (t *Tx) Dialect() string { return t.db.dialect }

// InTx runs fn in one write transaction, committing when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.wrapErr("begin", err)
	}
	t := &Tx{tx: tx, db: db}
	if err := fn(t); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return db.wrapErr("commit", err)
	}
	return nil
}

// Query runs a read query written with ? placeholders on the read pool.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, db.Rebind(q), args...)
}

// QueryRow runs a one-row read query on the read pool.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.Rebind(q), args...)
}

// Exec runs one write statement in its own transaction.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, db.Rebind(q), args...)
}

func (db *DB) wrapErr(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s %s: %w", db.dialect, op, err)
}

// RedactURL hides the password of a URL for logs and `meridian config`:
// the password of user:password@, a password query parameter (which pgx
// also accepts), and, in text that does not parse as a URL (a key=value
// DSN, an unescaped character in the password), whatever could hold one.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return redactText(s)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

var passwordSettingRE = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|[^\s&]*)`)

// redactText hides the user information of scheme://user:password@host and
// any password=... setting in text that is not a parseable URL.
func redactText(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.LastIndex(s, "@"); j > i {
			s = s[:i+3] + "REDACTED@" + s[j+1:]
		}
	}
	return passwordSettingRE.ReplaceAllString(s, "${1}REDACTED")
}
