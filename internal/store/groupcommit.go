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
func (g *groupCommit) commit(group []*appendRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Microsecond)
	single := len(group) == 1
	committed := false
	err := g.db.InTx(ctx, func(tx *Tx) error {
		for _, r := range group {
			r.out, r.err = nil, nil
			if err := r.ctx.Err(); err != nil {
				r.err = err
				continue
			}
			if single {
				r.out, r.err = g.db.appendInTx(ctx, tx, r.batch, r.meta, now)
				return r.err
			}
			if _, err := tx.Exec(ctx, `SAVEPOINT append_group`); err != nil {
				return err
			}
			r.out, r.err = g.db.appendInTx(ctx, tx, r.batch, r.meta, now)
			stmt := `RELEASE SAVEPOINT append_group`
			if r.err != nil {
				r.out = nil
				stmt = `ROLLBACK TO SAVEPOINT append_group`
			}
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
			if r.err != nil {
				if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT append_group`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		committed = true
	}
	for _, r := range group {
		if !committed && r.err == nil {
			r.out, r.err = nil, err
		}
		close(r.done)
	}
	if committed {
		g.db.signalAppended()
	}
}
