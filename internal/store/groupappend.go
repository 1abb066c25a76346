package store

import (
	"context"
	"sort"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
)

// appendSetBased writes several callers' appends with one set of
// statements (see groupCommit.commit). It returns an error only when the
// transaction must be rolled back; refused appends get their own error.
func (db *DB) appendSetBased(ctx context.Context, tx *Tx, reqs []*appendRequest, now time.Time) error {
	for _, r := range reqs {
		r.out, r.err = nil, nil
	}
	if len(reqs) == 1 {
		r := reqs[0]
		r.out, r.err = db.appendInTx(ctx, tx, r.batch, r.meta, now)
		return r.err
	}
	var all []eventstore.StreamAppend
	for _, r := range reqs {
		all = append(all, r.batch...)
	}
	if hasDuplicateStreams(all) {
		// Two callers append to one stream: they must see each other's
		// versions, which the savepoint path does.
		return db.appendOneByOne(ctx, tx, reqs, now)
	}
	ids := make([]string, len(all))
	for i, a := range all {
		ids[i] = a.StreamID
	}
	sort.Strings(ids)
	current, err := db.readVersions(ctx, tx, ids)
	if err != nil {
		return err
	}
	var accepted []eventstore.StreamAppend
	versions := make([][]int64, len(reqs))
	total := 0
	for i, r := range reqs {
		if versions[i], r.err = checkVersions(r.batch, current); r.err != nil {
			continue
		}
		accepted = append(accepted, r.batch...)
		for _, a := range r.batch {
			total += len(a.Events)
		}
	}
	if total == 0 {
		return nil
	}
	order := make([]int, len(accepted))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return accepted[order[i]].StreamID < accepted[order[j]].StreamID })
	if err := db.writeStreams(ctx, tx, accepted, order, current); err != nil {
		return err
	}
	last, err := db.advanceHead(ctx, tx, total)
	if err != nil {
		return err
	}
	pos := last - int64(total)
	var evs []eventstore.Event
	for i, r := range reqs {
		if r.err != nil {
			continue
		}
		start := len(evs)
		if evs, err = db.buildEvents(ctx, tx, evs, r.batch, versions[i], r.meta, now, pos); err != nil {
			return err
		}
		pos += int64(len(evs) - start)
		r.out = evs[start:len(evs):len(evs)]
	}
	return db.insertEvents(ctx, tx, evs, accepted)
}

// appendOneByOne runs each append in its own savepoint, so that one that
// fails after writing is rolled back alone.
func (db *DB) appendOneByOne(ctx context.Context, tx *Tx, reqs []*appendRequest, now time.Time) error {
	for _, r := range reqs {
		r.out, r.err = nil, nil
		if _, err := tx.Exec(ctx, `SAVEPOINT append_group`); err != nil {
			return err
		}
		r.out, r.err = db.appendInTx(ctx, tx, r.batch, r.meta, now)
		if r.err != nil {
			r.out = nil
			if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT append_group`); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT append_group`); err != nil {
			return err
		}
	}
	return nil
}
