// Package projection runs projections: idempotent consumers that fold the
// event stream into read models. A Runner applies each event exactly once
// by advancing the projection's checkpoint in the same transaction as its
// writes. Events normally arrive from the broker; when positions skip (a
// message lost, a subscription started late, the broker down) the runner
// reads the missing range from the event store, which is the source of truth.
package projection

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/store"
)

// Handler is one projection.
type Handler interface {
	// Name is the projection's checkpoint name.
	Name() string
	// Apply folds one event into the read model inside tx.
	Apply(ctx context.Context, tx *store.Tx, e eventstore.Event) error
	// Reset deletes the read model's rows inside tx, before a rebuild.
	Reset(ctx context.Context, tx *store.Tx) error
}

// Subscriber delivers broker messages (the broker package implements it).
type Subscriber interface {
	Subscribe(ctx context.Context, fn func(eventstore.Event)) error
}

// Runner keeps one handler's read model current.
type Runner struct {
	DB      *store.DB
	Broker  Subscriber // nil: poll the store only
	Handler Handler
	Log     *slog.Logger
	// Poll is how often the store is checked when no message arrives
	// (default 500ms). It bounds convergence while the broker is down.
	Poll time.Duration
	// Batch is the most events applied in one transaction (default 500).
	Batch int

	mu      sync.Mutex
	applied int64
	changed chan struct{}
	inbox   []eventstore.Event
	kick    chan struct{}
	// refreshed is when a waiter last read the stored checkpoint.
	refreshed time.Time

	lag     prometheus.Gauge
	counter prometheus.Counter
}

// Metrics registers the runner's metrics.
func (r *Runner) Metrics(reg prometheus.Registerer) {
	labels := prometheus.Labels{"projection": r.Handler.Name()}
	r.lag = prometheus.NewGauge(prometheus.GaugeOpts{Name: "meridian_projection_lag_events", Help: "Committed events not yet applied to the projection.", ConstLabels: labels})
	r.counter = prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_projection_applied_total", Help: "Events applied to the projection by this node.", ConstLabels: labels})
	reg.MustRegister(r.lag, r.counter)
}

func (r *Runner) init() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changed == nil {
		r.changed = make(chan struct{})
		r.kick = make(chan struct{}, 1)
	}
}

// Run keeps the projection current until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	r.init()
	if r.Broker != nil {
		// Subscribe before catching up, so nothing published meanwhile is missed.
		if err := r.Broker.Subscribe(ctx, r.deliver); err != nil {
			r.Log.Warn("projection subscribe failed; polling the store", "projection", r.Handler.Name(), "err", err)
		}
	}
	poll := r.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		if err := r.drain(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("projection step failed; will retry", "projection", r.Handler.Name(), "err", err)
			sleep(ctx, time.Second)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.kick:
		case <-ticker.C:
		}
	}
}

func (r *Runner) deliver(e eventstore.Event) {
	r.mu.Lock()
	r.inbox = append(r.inbox, e)
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// drain applies delivered events and whatever the store has beyond them,
// until the projection has caught up with what it was told about. A batch
// read from the store that came back full means more may be waiting.
func (r *Runner) drain(ctx context.Context) error {
	first := true
	for ctx.Err() == nil {
		r.mu.Lock()
		hint := r.inbox
		r.inbox = nil
		r.mu.Unlock()
		if len(hint) == 0 && !first {
			r.updateLag(ctx)
			return nil
		}
		first = false
		n, full, err := r.step(ctx, hint)
		if err != nil {
			return err
		}
		if full {
			first = true // read on: the store had a whole batch
		}
		if n == 0 && len(hint) == 0 {
			r.updateLag(ctx)
			return nil
		}
	}
	return ctx.Err()
}

// Step applies one batch in one transaction: the delivered events when they
// continue the checkpoint without a gap, otherwise the next range read from
// the store. It returns how many events it applied.
func (r *Runner) Step(ctx context.Context, hint []eventstore.Event) (int, error) {
	n, _, err := r.step(ctx, hint)
	return n, err
}

// step is Step that also reports whether it read a full batch from the
// store (so more events may be waiting there).
func (r *Runner) step(ctx context.Context, hint []eventstore.Event) (int, bool, error) {
	r.init() // Step may be called without Run (rebuild tools, tests)
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	var last int64
	n, full := 0, false
	err := r.DB.InTx(ctx, func(tx *store.Tx) error {
		n, full = 0, false
		cp, err := tx.LockCursor(ctx, r.Handler.Name())
		if err != nil {
			return fmt.Errorf("lock checkpoint: %w", err)
		}
		last = cp
		evs := contiguous(hint, cp, batch)
		if evs == nil {
			if evs, err = r.DB.ReadAll(ctx, cp, batch); err != nil {
				return err
			}
			full = len(evs) == batch
		} else {
			for i := range evs {
				if err := r.DB.Keyring().Open(ctx, &evs[i]); err != nil {
					return err
				}
			}
		}
		for _, e := range evs {
			if err := r.Handler.Apply(ctx, tx, e); err != nil {
				return err
			}
			last = e.Position
			n++
		}
		if n == 0 {
			return nil
		}
		return tx.SetCursor(ctx, r.Handler.Name(), last)
	})
	if err != nil {
		return 0, false, err
	}
	r.advance(last)
	if r.counter != nil {
		r.counter.Add(float64(n))
	}
	return n, full, nil
}

// contiguous returns the delivered events that directly follow cp, or nil
// when they do not start at cp+1 or skip a position (a gap the store fills).
func contiguous(hint []eventstore.Event, cp int64, limit int) []eventstore.Event {
	if len(hint) == 0 {
		return nil
	}
	sort.Slice(hint, func(i, j int) bool { return hint[i].Position < hint[j].Position })
	var out []eventstore.Event
	next := cp + 1
	for _, e := range hint {
		switch {
		case e.Position < next:
			continue // already applied, or a duplicate delivery
		case e.Position == next:
			out = append(out, e)
			next++
		default:
			return nil
		}
		if len(out) == limit {
			break
		}
	}
	return out
}

func (r *Runner) advance(pos int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pos > r.applied {
		r.applied = pos
		close(r.changed)
		r.changed = make(chan struct{})
	}
}

func (r *Runner) updateLag(ctx context.Context) {
	if r.lag == nil {
		return
	}
	head, err := r.DB.Head(ctx)
	if err != nil {
		return
	}
	r.mu.Lock()
	applied := r.applied
	r.mu.Unlock()
	r.lag.Set(float64(max(head-applied, 0)))
}

// Checkpoint returns the projection's stored checkpoint.
func (r *Runner) Checkpoint(ctx context.Context) (int64, error) {
	return r.DB.Cursor(ctx, r.Handler.Name())
}

// WaitFor blocks until the projection has applied position pos (by this
// node or, on a shared database, by another), or ctx ends. However many
// callers wait, the stored checkpoint is read at most every refreshEvery.
func (r *Runner) WaitFor(ctx context.Context, pos int64) error {
	r.init()
	for {
		r.mu.Lock()
		applied, changed := r.applied, r.changed
		r.mu.Unlock()
		if applied >= pos {
			return nil
		}
		if r.Broker == nil {
			// Without a broker nothing else announces new events: nudge the
			// runner instead of waiting for its next poll.
			select {
			case r.kick <- struct{}{}:
			default:
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-time.After(refreshEvery):
			r.refresh(ctx)
		}
	}
}

// refreshEvery bounds how often waiters read the stored checkpoint.
const refreshEvery = 20 * time.Millisecond

// refresh reads the stored checkpoint (another node may have advanced it)
// unless a waiter did so within refreshEvery.
func (r *Runner) refresh(ctx context.Context) {
	r.mu.Lock()
	if time.Since(r.refreshed) < refreshEvery {
		r.mu.Unlock()
		return
	}
	r.refreshed = time.Now()
	r.mu.Unlock()
	if cp, err := r.Checkpoint(ctx); err == nil {
		r.advance(cp)
	}
}

// Rebuild deletes the read model and applies every event from position 0,
// all in one transaction: readers see the old rows until it commits, and a
// running server's projector waits on the checkpoint lock meanwhile.
func Rebuild(ctx context.Context, db *store.DB, h Handler) (int64, error) {
	var count int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		count = 0
		if _, err := tx.LockCursor(ctx, h.Name()); err != nil {
			return err
		}
		if err := h.Reset(ctx, tx); err != nil {
			return err
		}
		var pos int64
		for {
			evs, err := db.ReadAll(ctx, pos, 1000)
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				break
			}
			for _, e := range evs {
				if err := h.Apply(ctx, tx, e); err != nil {
					return err
				}
				pos = e.Position
				count++
			}
		}
		return tx.SetCursor(ctx, h.Name(), pos)
	})
	return count, err
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
