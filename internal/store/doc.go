// Package store is Meridian's SQL adapter: the event store with its outbox
// cursor, the per-subject keyring, projection checkpoints, idempotency
// records and the SQL read models' connection, on SQLite (embedded mode) or
// PostgreSQL (cluster mode).
//
// One implementation serves both databases over database/sql. The two
// dialects differ only in placeholders, a few column types and locking, which
// Dialect captures; keeping one code path means the contract suite exercises
// the same statements on both. Migrations are numbered SQL files per dialect,
// embedded and forward-only.
//
// Errors: Append returns meridian.EConflict on a stale expected version;
// Open returns meridian.EInvalid for a bad URL and meridian.EUnavailable when
// the database cannot be reached.
package store
