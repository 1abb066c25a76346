package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
)

// groupCommit funnels appends through one committer goroutine that takes
// every append waiting at that moment into one transaction, each in its own
// savepoint. A failing append (a stale version, say) rolls back to its
// savepoint and fails alone; the others commit together, so concurrent
// writers share one commit (one fsync on SQLite, one round of lock
// hand-offs on PostgreSQL) instead of queueing for one each.
//
// Written by hand because it is the store's own concurrency protocol: it
// depends on how appends claim streams and positions inside a transaction.
type groupCommit struct {
	db       *DB
	requests chan *appendRequest
	stop     chan struct{}
	once     sync.Once
	stopOnce sync.Once
	done     sync.WaitGroup
}

type appendRequest struct {
	ctx   context.Context
	batch []eventstore.StreamAppend
	meta  eventstore.Meta
	out   []eventstore.Event
	err   error
	done  chan struct{}
}

// maxGroup bounds how many appends share a transaction.
const maxGroup = 256

func newGroupCommit(db *DB) *groupCommit {
	return &groupCommit{db: db, requests: make(chan *appendRequest), stop: make(chan struct{})}
}

func (g *groupCommit) start() {
	g.once.Do(func() {
		g.done.Add(1)
		go g.run()
	})
}

func (g *groupCommit) close() {
	g.start() // so that done is balanced
	g.stopOnce.Do(func() { close(g.stop) })
	g.done.Wait()
}

func (g *groupCommit) submit(ctx context.Context, batch []eventstore.StreamAppend, meta eventstore.Meta) ([]eventstore.Event, error) {
	g.start()
	r := &appendRequest{ctx: ctx, batch: batch, meta: meta, done: make(chan struct{})}
	select {
	case g.requests <- r:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-g.stop:
		return nil, fmt.Errorf("store is closed")
	}
	// Once handed over, the append's outcome is decided by the committer;
	// waiting for it keeps "acknowledged" and "committed" the same thing.
	<-r.done
	return r.out, r.err
}

func (g *groupCommit) run() {
	defer g.done.Done()
	for {
		var group []*appendRequest
		select {
		case r := <-g.requests:
			group = append(group, r)
		case <-g.stop:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case r := <-g.requests:
				group = append(group, r)
			default:
				break gather
			}
		}
		g.commit(group)
	}
}

// commit runs one group. Statements use a background context: cancelling
// one caller must not interrupt a transaction that carries others' appends
// (SQLite rolls back the whole transaction on an interrupted statement).
// A caller whose context ended before its turn is skipped.
//
// The group is first written set-based, as if it were one batch: one read
// of every stream's version, then one insert, one update, one head advance
// and multi-row event inserts for all of them. An append whose expected
// version does not hold is refused before anything is written for it, so
// it needs no rollback. Should anything fail after writing (say a duplicate
// event id), the whole transaction is rolled back and the group is run
// again with one savepoint per append, so that only the culprit fails.
func (g *groupCommit) commit(group []*appendRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Microsecond)
	var live []*appendRequest
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err
		} else {
			live = append(live, r)
		}
	}
	var err error
	if len(live) > 0 {
		err = g.db.InTx(ctx, func(tx *Tx) error { return g.db.appendSetBased(ctx, tx, live, now) })
		if err != nil && len(live) > 1 {
			err = g.db.InTx(ctx, func(tx *Tx) error { return g.db.appendOneByOne(ctx, tx, live, now) })
		}
	}
	for _, r := range live {
		if err != nil && r.err == nil {
			r.out, r.err = nil, err
		}
	}
	for _, r := range group {
		close(r.done)
	}
	if err == nil && len(live) > 0 {
		g.db.signalAppended()
	}
}
