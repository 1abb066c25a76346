package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// BenchmarkAppendSketch is not Meridian's code path: it runs the same
// append transaction as store.AppendBatch (lock or create each stream,
// advance event_head, insert each event) on the same schema, written the
// way docs/BENCHMARKS.md suggests, to measure the headroom of those changes:
//
//   - sqlite/prepared: the very same statements, prepared once per
//     connection instead of parsed on every Exec.
//   - postgres/set-based: four statements per batch (lock the batch's
//     streams with = ANY, upsert them from arrays, advance the head, insert
//     the events from arrays with unnest) instead of three round trips per
//     event.
//
// Plain events only; expected versions are Any, as in BenchmarkAppendBatch.
func BenchmarkAppendSketch(b *testing.B) {
	for _, size := range []int{100, 500} {
		b.Run(fmt.Sprintf("sqlite-full/prepared/batch=%d", size), func(b *testing.B) {
			dir := b.TempDir()
			db, err := store.Open(context.Background(), store.Config{DataDir: dir, MasterKey: storetest.MasterKey(b)})
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
			raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "meridian.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)&_pragma=foreign_keys(ON)&_pragma=synchronous(FULL)&_txlock=immediate")
			if err != nil {
				b.Fatal(err)
			}
			raw.SetMaxOpenConns(1)
			b.Cleanup(func() { raw.Close() })
			runSketch(b, size, newSQLiteSketch(b, raw))
		})
		b.Run(fmt.Sprintf("postgres/set-based/batch=%d", size), func(b *testing.B) {
			u := storetest.PostgresURL(b)
			db, err := store.Open(context.Background(), store.Config{DatabaseURL: u, MasterKey: storetest.MasterKey(b)})
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
			raw, err := sql.Open("pgx", u)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { raw.Close() })
			runSketch(b, size, pgSketch{raw})
		})
	}
}

type sketch interface {
	append(ctx context.Context, batch []eventstore.StreamAppend) error
}

func runSketch(b *testing.B, size int, s sketch) {
	ctx := context.Background()
	const prebuilt = 64
	batches := make([][]eventstore.StreamAppend, prebuilt)
	for i := range batches {
		batches[i] = bench.Batch(bench.Plain, i, size, 1, 1000)
	}
	events, i := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.append(ctx, withoutIDs(batches[i%prebuilt])); err != nil {
			b.Fatal(err)
		}
		i++
		events += size
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

type sqliteSketch struct {
	db                                           *sql.DB
	selStream, insStream, updStream, head, event *sql.Stmt
}

func newSQLiteSketch(b *testing.B, db *sql.DB) *sqliteSketch {
	b.Helper()
	s := &sqliteSketch{db: db}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&s.selStream, `SELECT version FROM streams WHERE id = ?`},
		{&s.insStream, `INSERT INTO streams (id, type, version) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&s.updStream, `UPDATE streams SET version = version + ? WHERE id = ? AND version = ?`},
		{&s.head, `UPDATE event_head SET position = position + ? WHERE id = 1 RETURNING position`},
		{&s.event, `INSERT INTO events (position, id, stream_id, stream_type, version, type, time, actor, correlation_id, causation_id, payload, subject, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		st, err := db.Prepare(p.q)
		if err != nil {
			b.Fatal(err)
		}
		*p.dst = st
	}
	return s
}

func (s *sqliteSketch) append(ctx context.Context, batch []eventstore.StreamAppend) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	sel, ins, upd, head, ev := tx.Stmt(s.selStream), tx.Stmt(s.insStream), tx.Stmt(s.updStream), tx.Stmt(s.head), tx.Stmt(s.event)
	versions := make([]int64, len(batch))
	total := 0
	for i, a := range batch {
		n := int64(len(a.Events))
		total += len(a.Events)
		var cur int64
		switch err := sel.QueryRowContext(ctx, a.StreamID).Scan(&cur); {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := ins.ExecContext(ctx, a.StreamID, a.StreamType, n); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := upd.ExecContext(ctx, n, a.StreamID, cur); err != nil {
				return err
			}
		}
		versions[i] = cur
	}
	var last int64
	if err := head.QueryRowContext(ctx, total).Scan(&last); err != nil {
		return err
	}
	pos := last - int64(total)
	now := meridian.FormatTime(time.Now())
	for i, a := range batch {
		for j, e := range a.Events {
			pos++
			if _, err := ev.ExecContext(ctx, pos, meridian.NewID(), a.StreamID, a.StreamType, versions[i]+int64(j)+1, e.Type, now, "bench", "bench-correlation", "", string(e.Payload), "", nil); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

type pgSketch struct{ db *sql.DB }

func (s pgSketch) append(ctx context.Context, batch []eventstore.StreamAppend) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := make([]string, len(batch))
	types := make([]string, len(batch))
	counts := make([]int64, len(batch))
	total := 0
	for i, a := range batch {
		ids[i], types[i], counts[i] = a.StreamID, a.StreamType, int64(len(a.Events))
		total += len(a.Events)
	}
	// 1. Lock the existing streams, in id order (no deadlocks), and read their versions.
	rows, err := tx.QueryContext(ctx, `SELECT id, version FROM streams WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return err
	}
	cur := map[string]int64{}
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return err
		}
		cur[id] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// 2. Create or advance every stream of the batch in one statement.
	if _, err := tx.ExecContext(ctx, `INSERT INTO streams (id, type, version) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
		ON CONFLICT (id) DO UPDATE SET version = streams.version + excluded.version`, ids, types, counts); err != nil {
		return err
	}
	// 3. Positions.
	var last int64
	if err := tx.QueryRowContext(ctx, `UPDATE event_head SET position = position + $1 WHERE id = 1 RETURNING position`, total).Scan(&last); err != nil {
		return err
	}
	// 4. Every event in one statement.
	var (
		pos                                                          = make([]int64, 0, total)
		vers                                                         = make([]int64, 0, total)
		evIDs, streamIDs, streamTypes, evTypes, times, actors, corrs []string
		causes, payloads, subjects                                   []string
	)
	p := last - int64(total)
	now := meridian.FormatTime(time.Now())
	for _, a := range batch {
		for j, e := range a.Events {
			p++
			pos = append(pos, p)
			vers = append(vers, cur[a.StreamID]+int64(j)+1)
			evIDs = append(evIDs, meridian.NewID())
			streamIDs = append(streamIDs, a.StreamID)
			streamTypes = append(streamTypes, a.StreamType)
			evTypes = append(evTypes, e.Type)
			times = append(times, now)
			actors = append(actors, "bench")
			corrs = append(corrs, "bench-correlation")
			causes = append(causes, "")
			payloads = append(payloads, string(e.Payload))
			subjects = append(subjects, "")
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events (position, id, stream_id, stream_type, version, type, time, actor, correlation_id, causation_id, payload, subject)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])`,
		pos, evIDs, streamIDs, streamTypes, vers, evTypes, times, actors, corrs, causes, payloads, subjects); err != nil {
		return err
	}
	return tx.Commit()
}
