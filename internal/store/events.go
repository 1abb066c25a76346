package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

var _ eventstore.Store = (*DB)(nil)

// Append implements eventstore.Store.
func (db *DB) Append(ctx context.Context, a eventstore.StreamAppend) ([]eventstore.Event, error) {
	return db.AppendBatch(ctx, []eventstore.StreamAppend{a})
}

// AppendBatch implements eventstore.Store. Appends from concurrent callers
// are committed together (see groupCommit); each keeps its own outcome.
func (db *DB) AppendBatch(ctx context.Context, batch []eventstore.StreamAppend) ([]eventstore.Event, error) {
	for _, a := range batch {
		if a.StreamID == "" || a.StreamType == "" {
			return nil, meridian.Errorf(meridian.EInvalid, "append: stream id and type are required")
		}
		if len(a.Events) == 0 {
			return nil, meridian.Errorf(meridian.EInvalid, "append to %s: no events", a.StreamID)
		}
		for _, e := range a.Events {
			if e.Type == "" {
				return nil, meridian.Errorf(meridian.EInvalid, "append to %s: event without type", a.StreamID)
			}
			if len(e.Personal) > 0 && e.Subject == "" {
				return nil, meridian.Errorf(meridian.EInvalid, "append to %s: personal data without a subject", a.StreamID)
			}
		}
	}
	if len(batch) == 0 {
		return nil, nil
	}
	return db.commits.submit(ctx, batch, eventstore.MetaFrom(ctx))
}

// appendInTx appends one batch inside tx. Stream rows are locked in id
// order so that concurrent batches cannot deadlock; the single event_head
// row then serializes position assignment, which keeps positions gapless
// and in commit order (a rolled-back transaction returns its positions).
func (db *DB) appendInTx(ctx context.Context, tx *Tx, batch []eventstore.StreamAppend, meta eventstore.Meta, now time.Time) ([]eventstore.Event, error) {
	total := 0
	for _, a := range batch {
		total += len(a.Events)
	}
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return batch[order[i]].StreamID < batch[order[j]].StreamID })
	out := make([]eventstore.Event, 0, total)
	versions, err := db.claimStreams(ctx, tx, batch, order)
	if err != nil {
		return nil, err
	}
	last, err := db.advanceHead(ctx, tx, total)
	if err != nil {
		return nil, err
	}
	out, err = db.buildEvents(ctx, tx, out, batch, versions, meta, now, last-int64(total))
	if err != nil {
		return nil, err
	}
	if err := db.insertEvents(ctx, tx, out, batch); err != nil {
		return nil, err
	}
	return out, nil
}

// advanceHead reserves n positions and returns the last one.
func (db *DB) advanceHead(ctx context.Context, tx *Tx, n int) (int64, error) {
	var last int64
	if err := tx.QueryRow(ctx, `UPDATE event_head SET position = position + ? WHERE id = 1 RETURNING position`, n).Scan(&last); err != nil {
		return 0, db.wrapErr("advance head", err)
	}
	return last, nil
}

// buildEvents appends batch's recorded events to out, numbered from
// position pos+1, sealing personal parts.
func (db *DB) buildEvents(ctx context.Context, tx *Tx, out []eventstore.Event, batch []eventstore.StreamAppend, versions []int64, meta eventstore.Meta, now time.Time, pos int64) ([]eventstore.Event, error) {
	for i, a := range batch {
		for j, ne := range a.Events {
			pos++
			e := eventstore.Event{
				ID: ne.ID, StreamID: a.StreamID, StreamType: a.StreamType,
				Version: versions[i] + int64(j) + 1, Position: pos, Type: ne.Type, Time: now,
				Actor: meta.Actor, CorrelationID: meta.CorrelationID, CausationID: meta.CausationID,
				Payload: ne.Payload, Subject: ne.Subject, Personal: ne.Personal,
			}
			if e.ID == "" {
				e.ID = meridian.NewID()
			}
			if len(e.Payload) == 0 {
				e.Payload = json.RawMessage(`{}`)
			}
			if len(ne.Personal) > 0 {
				sealed, err := db.keys.seal(ctx, tx, ne.Subject, a.StreamID, ne.Personal)
				if err != nil {
					return nil, err
				}
				e.Sealed = sealed
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// eventInsertRows is how many events one INSERT statement carries: fewer
// round trips (which dominate on PostgreSQL) within every driver's limit on
// bound parameters (13 per row).
const eventInsertRows = 100

// insertEvents writes events with multi-row INSERT statements.
func (db *DB) insertEvents(ctx context.Context, tx *Tx, evs []eventstore.Event, batch []eventstore.StreamAppend) error {
	const cols = 13
	for start := 0; start < len(evs); start += eventInsertRows {
		chunk := evs[start:min(start+eventInsertRows, len(evs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO events (position, id, stream_id, stream_type, version, type, time, actor, correlation_id, causation_id, payload, subject, sealed) VALUES `)
		args := make([]any, 0, len(chunk)*cols)
		for i, e := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Position, e.ID, e.StreamID, e.StreamType, e.Version, e.Type, meridian.FormatTime(e.Time), e.Actor, e.CorrelationID, e.CausationID, string(e.Payload), e.Subject, nullBytes(e.Sealed))
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			if isUniqueViolation(err) {
				if len(batch) == 1 {
					return conflict(batch[0].StreamID, batch[0].ExpectedVersion, -1)
				}
				return meridian.Errorf(meridian.EConflict, "a stream or event of the batch was written concurrently")
			}
			return db.wrapErr("insert events", err)
		}
	}
	return nil
}

// claimStreams checks every stream's expected version and advances its
// version, returning the versions before the append (per batch entry).
// Streams are handled in id order so that concurrent batches lock rows in
// the same order and cannot deadlock. A batch naming no stream twice is done
// with one read, one insert and one update however many streams it has.
func (db *DB) claimStreams(ctx context.Context, tx *Tx, batch []eventstore.StreamAppend, order []int) ([]int64, error) {
	versions := make([]int64, len(batch))
	if hasDuplicateStreams(batch) {
		return versions, db.claimStreamsOneByOne(ctx, tx, batch, order, versions)
	}
	ids := make([]string, len(order))
	for i, bi := range order {
		ids[i] = batch[bi].StreamID
	}
	current, err := db.readVersions(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	if versions, err = checkVersions(batch, current); err != nil {
		return nil, err
	}
	return versions, db.writeStreams(ctx, tx, batch, order, current)
}

func hasDuplicateStreams(batch []eventstore.StreamAppend) bool {
	seen := make(map[string]bool, len(batch))
	for _, a := range batch {
		if seen[a.StreamID] {
			return true
		}
		seen[a.StreamID] = true
	}
	return false
}

// streamChunk bounds the ids per IN list.
const streamChunk = 500

// readVersions locks and reads the versions of existing streams; ids must
// be sorted, so that every transaction locks rows in the same order.
func (db *DB) readVersions(ctx context.Context, tx *Tx, ids []string) (map[string]int64, error) {
	return db.versions(ctx, tx.Query, ids, " ORDER BY id"+db.forUpdate())
}

// versions reads the versions of the existing streams among ids, in chunks
// of streamChunk, with query (a transaction's or the pool's) and suffix
// appended to each statement (ordering and locking).
func (db *DB) versions(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), ids []string, suffix string) (map[string]int64, error) {
	current := make(map[string]int64, len(ids))
	for start := 0; start < len(ids); start += streamChunk {
		part := ids[start:min(start+streamChunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := query(ctx, `SELECT id, version FROM streams WHERE id IN (`+placeholders(len(part))+`)`+suffix, args...)
		if err != nil {
			return nil, db.wrapErr("read streams", err)
		}
		for rows.Next() {
			var id string
			var v int64
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return nil, err
			}
			current[id] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return current, nil
}

// checkVersions compares expectations with the current versions (absent
// streams are at 0) and returns each entry's version before the append.
// It writes nothing, so a conflict here needs no rollback.
func checkVersions(batch []eventstore.StreamAppend, current map[string]int64) ([]int64, error) {
	versions := make([]int64, len(batch))
	for i, a := range batch {
		cur, ok := current[a.StreamID]
		switch {
		case !ok && a.ExpectedVersion > 0:
			return nil, conflict(a.StreamID, a.ExpectedVersion, 0)
		case ok && a.ExpectedVersion != eventstore.Any && a.ExpectedVersion != cur:
			return nil, conflict(a.StreamID, a.ExpectedVersion, cur)
		}
		versions[i] = cur
	}
	return versions, nil
}

// writeStreams creates the new streams and advances the existing ones, in
// id order (order indexes batch).
func (db *DB) writeStreams(ctx context.Context, tx *Tx, batch []eventstore.StreamAppend, order []int, current map[string]int64) error {
	var fresh, existing []int
	for _, bi := range order {
		if _, ok := current[batch[bi].StreamID]; ok {
			existing = append(existing, bi)
		} else {
			fresh = append(fresh, bi)
		}
	}
	for start := 0; start < len(fresh); start += streamChunk {
		part := fresh[start:min(start+streamChunk, len(fresh))]
		var q strings.Builder
		q.WriteString(`INSERT INTO streams (id, type, version) VALUES `)
		args := make([]any, 0, 3*len(part))
		for i, bi := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, batch[bi].StreamID, batch[bi].StreamType, len(batch[bi].Events))
		}
		q.WriteString(` ON CONFLICT (id) DO NOTHING`)
		res, err := tx.Exec(ctx, q.String(), args...)
		if err != nil {
			return db.wrapErr("insert streams", err)
		}
		if k, _ := res.RowsAffected(); k != int64(len(part)) {
			// Another transaction created one of these streams meanwhile.
			if len(batch) == 1 {
				return conflict(batch[0].StreamID, batch[0].ExpectedVersion, -1)
			}
			return meridian.Errorf(meridian.EConflict, "a stream of the batch was created concurrently")
		}
	}
	for start := 0; start < len(existing); start += streamChunk {
		part := existing[start:min(start+streamChunk, len(existing))]
		var q strings.Builder
		q.WriteString(`UPDATE streams SET version = version + CASE id`)
		args := make([]any, 0, 3*len(part))
		for _, bi := range part {
			q.WriteString(` WHEN ? THEN CAST(? AS BIGINT)`)
			args = append(args, batch[bi].StreamID, len(batch[bi].Events))
		}
		q.WriteString(` END WHERE id IN (` + placeholders(len(part)) + `)`)
		for _, bi := range part {
			args = append(args, batch[bi].StreamID)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return db.wrapErr("update streams", err)
		}
	}
	return nil
}

// claimStreamsOneByOne is claimStreams for batches that append to a stream
// more than once: each entry sees the versions the ones before it set.
func (db *DB) claimStreamsOneByOne(ctx context.Context, tx *Tx, batch []eventstore.StreamAppend, order []int, versions []int64) error {
	for _, i := range order {
		a := batch[i]
		n := int64(len(a.Events))
		var cur int64
		err := tx.QueryRow(ctx, `SELECT version FROM streams WHERE id = ?`+db.forUpdate(), a.StreamID).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if a.ExpectedVersion > 0 {
				return conflict(a.StreamID, a.ExpectedVersion, 0)
			}
			res, err := tx.Exec(ctx, `INSERT INTO streams (id, type, version) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, a.StreamID, a.StreamType, n)
			if err != nil {
				return db.wrapErr("insert stream", err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return conflict(a.StreamID, a.ExpectedVersion, -1)
			}
			cur = 0
		case err != nil:
			return db.wrapErr("read stream", err)
		default:
			if a.ExpectedVersion != eventstore.Any && a.ExpectedVersion != cur {
				return conflict(a.StreamID, a.ExpectedVersion, cur)
			}
			if _, err := tx.Exec(ctx, `UPDATE streams SET version = version + ? WHERE id = ?`, n, a.StreamID); err != nil {
				return db.wrapErr("update stream", err)
			}
		}
		versions[i] = cur
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func conflict(stream string, expected, actual int64) error {
	if actual < 0 {
		return meridian.Errorf(meridian.EConflict, "stream %s was changed concurrently (expected version %d)", stream, expected)
	}
	if expected == 0 {
		return meridian.Errorf(meridian.EConflict, "stream %s already exists (version %d)", stream, actual)
	}
	return meridian.Errorf(meridian.EConflict, "stale version for %s: expected %d, current %d", stream, expected, actual)
}

func (db *DB) forUpdate() string {
	if db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

const eventColumns = `position, id, stream_id, stream_type, version, type, time, actor, correlation_id, causation_id, payload, subject, sealed`

func scanEvents(rows *sql.Rows) ([]eventstore.Event, error) {
	defer rows.Close()
	var out []eventstore.Event
	for rows.Next() {
		var e eventstore.Event
		var ts, payload string
		if err := rows.Scan(&e.Position, &e.ID, &e.StreamID, &e.StreamType, &e.Version, &e.Type, &ts, &e.Actor, &e.CorrelationID, &e.CausationID, &payload, &e.Subject, &e.Sealed); err != nil {
			return nil, err
		}
		t, err := meridian.ParseTime(ts)
		if err != nil {
			return nil, fmt.Errorf("event %s: bad time %q: %w", e.ID, ts, err)
		}
		e.Time = t
		e.Payload = json.RawMessage(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Load implements eventstore.Store.
func (db *DB) Load(ctx context.Context, streamID string) ([]eventstore.Event, error) {
	rows, err := db.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE stream_id = ? ORDER BY version`, streamID)
	if err != nil {
		return nil, db.wrapErr("load stream", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, db.wrapErr("load stream", err)
	}
	return evs, db.openAll(ctx, evs)
}

// ReadAll implements eventstore.Store.
func (db *DB) ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	evs, err := db.ReadSealed(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	return evs, db.openAll(ctx, evs)
}

// ReadSealed implements eventstore.Store.
func (db *DB) ReadSealed(ctx context.Context, after int64, limit int) ([]eventstore.Event, error) {
	if limit <= 0 {
		limit = 500
	}
	rows, err := db.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE position > ? ORDER BY position LIMIT ?`, after, limit)
	if err != nil {
		return nil, db.wrapErr("read events", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, db.wrapErr("read events", err)
	}
	return evs, nil
}

// Head implements eventstore.Store.
func (db *DB) Head(ctx context.Context) (int64, error) {
	var p int64
	if err := db.QueryRow(ctx, `SELECT position FROM event_head WHERE id = 1`).Scan(&p); err != nil {
		return 0, db.wrapErr("read head", err)
	}
	return p, nil
}

// StreamVersion returns the current version of a stream (0 when absent).
func (db *DB) StreamVersion(ctx context.Context, streamID string) (int64, error) {
	var v int64
	err := db.QueryRow(ctx, `SELECT version FROM streams WHERE id = ?`, streamID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// StreamVersions returns the current versions of the streams that exist
// among ids (absent streams are left out), without locking them: bulk
// writers use it to tell new streams from existing ones before appending
// with the matching expected versions.
func (db *DB) StreamVersions(ctx context.Context, ids []string) (map[string]int64, error) {
	return db.versions(ctx, db.Query, ids, "")
}

func (db *DB) openAll(ctx context.Context, evs []eventstore.Event) error {
	for i := range evs {
		if err := db.keys.Open(ctx, &evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Appended returns a channel closed after the next committed append in
// this process.
func (db *DB) Appended() <-chan struct{} {
	db.appendedMu.Lock()
	defer db.appendedMu.Unlock()
	return db.appended
}

func (db *DB) signalAppended() {
	db.appendedMu.Lock()
	close(db.appended)
	db.appended = make(chan struct{})
	db.appendedMu.Unlock()
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}
