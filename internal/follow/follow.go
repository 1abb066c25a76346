// Package follow keeps an in-memory read model (the search index, the
// market aggregates) current from the event stream. Unlike the SQL
// projections, such a model lives in each node's memory, with its position
// in itself rather than in a checkpoint row: the follower reads the events
// after that position from the store, in position order, so it never has
// gaps to fill, and is woken by the broker (events committed on any node),
// by local appends, and by a poll that bounds convergence when no signal
// arrives.
package follow

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/store"
)

// Model is a read model the follower feeds.
type Model interface {
	// Position is the last event position the model has applied.
	Position() int64
	// Apply applies the next events, in position order, and advances the
	// position to the last one.
	Apply(ctx context.Context, evs []eventstore.Event) error
}

// Subscriber wakes the follower when the broker delivers events (the
// broker package implements it). Messages are only a signal.
type Subscriber interface {
	Subscribe(ctx context.Context, fn func(eventstore.Event)) error
}

// Follower feeds one model.
type Follower struct {
	Name   string // in logs and metric names ("search", "market")
	DB     *store.DB
	Broker Subscriber // nil: local appends and polling only
	Log    *slog.Logger
	Model  Model
	// Poll bounds convergence when no signal arrives (default 500ms);
	// Batch is the most events read at once (default 2000).
	Poll  time.Duration
	Batch int
	// Every, when set, runs Tick that often from Run (a snapshot).
	Every time.Duration
	Tick  func()
	// Stop, when set, runs once Run's context ends.
	Stop func()

	applyMu sync.Mutex // one batch at a time
	mu      sync.Mutex
	changed chan struct{}
	kick    chan struct{}
	lag     prometheus.Gauge
	applied prometheus.Counter
}

func (f *Follower) init() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.changed == nil {
		f.changed = make(chan struct{})
		f.kick = make(chan struct{}, 1)
	}
}

// Metrics registers the follower's lag and applied-events metrics.
func (f *Follower) Metrics(reg prometheus.Registerer) {
	f.lag = prometheus.NewGauge(prometheus.GaugeOpts{Name: "meridian_" + f.Name + "_lag_events", Help: "Committed events the node's " + f.Name + " model has not applied yet."})
	f.applied = prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_" + f.Name + "_applied_total", Help: "Events applied to the node's " + f.Name + " model."})
	reg.MustRegister(f.lag, f.applied)
}

// CatchUp applies every stored event after the model's position.
func (f *Follower) CatchUp(ctx context.Context) error {
	f.init()
	for {
		n, err := f.step(ctx)
		if err != nil || n == 0 {
			if err == nil && f.lag != nil {
				if head, herr := f.DB.Head(ctx); herr == nil {
					f.lag.Set(float64(max(0, head-f.Model.Position())))
				}
			}
			return err
		}
	}
}

// Locked runs fn while no batch is being applied (a snapshot, a swap).
func (f *Follower) Locked(fn func()) {
	f.applyMu.Lock()
	defer f.applyMu.Unlock()
	fn()
}

func (f *Follower) step(ctx context.Context) (int, error) {
	f.applyMu.Lock()
	defer f.applyMu.Unlock()
	limit := f.Batch
	if limit <= 0 {
		limit = 2000
	}
	evs, err := f.DB.ReadAll(ctx, f.Model.Position(), limit)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	if err := f.Model.Apply(ctx, evs); err != nil {
		return 0, err
	}
	if f.applied != nil {
		f.applied.Add(float64(len(evs)))
	}
	f.mu.Lock()
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return len(evs), nil
}

// Run follows the stream until ctx ends.
func (f *Follower) Run(ctx context.Context) error {
	f.init()
	if f.Broker != nil {
		if err := f.Broker.Subscribe(ctx, func(eventstore.Event) { f.nudge() }); err != nil {
			f.Log.Warn(f.Name+" follower subscribe failed; polling the store", "err", err)
		}
	}
	poll := f.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	var tick <-chan time.Time
	if f.Every > 0 && f.Tick != nil {
		t := time.NewTicker(f.Every)
		defer t.Stop()
		tick = t.C
	}
	for {
		// Take the append signal before reading, so an append that lands
		// while catching up is not missed.
		wake := f.DB.Appended()
		if err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
			f.Log.Error(f.Name+" model update failed; will retry", "err", err)
			Sleep(ctx, time.Second)
		}
		select {
		case <-ctx.Done():
			if f.Stop != nil {
				f.Stop()
			}
			return nil
		case <-f.kick:
		case <-wake:
		case <-ticker.C:
		case <-tick:
			f.Tick()
		}
	}
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (f *Follower) nudge() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// WaitFor blocks until the model has applied position pos or ctx ends.
func (f *Follower) WaitFor(ctx context.Context, pos int64) error {
	f.init()
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if f.Model.Position() >= pos {
			return nil
		}
		f.nudge()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WriteFileAtomic writes a snapshot: into a temporary file next to path,
// synced, then renamed over path, so a crash leaves the old snapshot or
// the new one, never half of one.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Leased is what Lead needs of the store (store.DB implements it).
type Leased interface {
	TryLease(ctx context.Context, key int64) (store.Lease, bool, error)
}

// Lead runs fn while this process holds the lease key, until ctx ends:
// it takes the lease when free (retrying every retry), runs fn with a
// context that ends when the lease is lost (checked every 5 s), and
// releases it when fn returns, to try again. For work one node of a
// cluster does at a time (the MQTT bridge, webhook delivery); embedded,
// the lease is always granted.
func Lead(ctx context.Context, db Leased, key int64, retry time.Duration, log *slog.Logger, name string, fn func(ctx context.Context) error) {
	for ctx.Err() == nil {
		lease, ok, err := db.TryLease(ctx, key)
		if err != nil || !ok {
			if err != nil && ctx.Err() == nil {
				log.Warn(name+" lease", "err", err)
			}
			Sleep(ctx, retry)
			continue
		}
		lctx, cancel := context.WithCancel(ctx)
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-lctx.Done():
					return
				case <-t.C:
					if !lease.Held(lctx) {
						cancel()
						return
					}
				}
			}
		}()
		if err := fn(lctx); err != nil && ctx.Err() == nil {
			log.Warn(name+" stopped; retrying", "err", err)
			Sleep(ctx, retry)
		}
		cancel()
		lease.Release()
	}
}
