// Package outbox runs the outbox relay: it publishes committed events from
// the event store to the broker in position order and records how far it got.
//
// The events table is the outbox. Appends commit events and nothing else,
// so there is no second write to lose; the relay's cursor (the last
// published position) is advanced only after JetStream acknowledged every
// message up to it. A crash between publish and cursor update republishes a
// few events, which JetStream drops as duplicates of their event id. When
// the broker is down the relay retries with backoff and the events wait in
// the store.
package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/store"
)

// Publisher is the part of the broker the relay needs.
type Publisher interface {
	PublishEvents(ctx context.Context, evs []eventstore.Event) error
}

// Relay publishes committed events.
type Relay struct {
	DB        *store.DB
	Publisher Publisher
	Log       *slog.Logger
	// Poll is how often the store is checked for events appended by other
	// processes (default 25ms); appends in this process wake the relay at once.
	Poll time.Duration
	// Batch is the most events published per round (default 1000).
	Batch int

	published prometheus.Counter
	lag       prometheus.Gauge
}

// leaseKey identifies the relay's PostgreSQL advisory lock.
const leaseKey = 72431002

// Metrics registers the relay's metrics.
func (r *Relay) Metrics(reg prometheus.Registerer) {
	r.published = prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_outbox_published_total", Help: "Events published to the broker by this node's relay."})
	r.lag = prometheus.NewGauge(prometheus.GaugeOpts{Name: "meridian_outbox_lag_events", Help: "Committed events not yet published."})
	reg.MustRegister(r.published, r.lag)
}

// Run relays until ctx ends. On PostgreSQL only the node holding the relay
// lease publishes; the others wait to take over.
func (r *Relay) Run(ctx context.Context) error {
	poll := r.Poll
	if poll <= 0 {
		poll = 25 * time.Millisecond
	}
	follow.Lead(ctx, r.DB, leaseKey, time.Second, r.Log, "outbox", func(ctx context.Context) error {
		r.lead(ctx, poll)
		return nil
	})
	return nil
}

// lead publishes while ctx lasts (follow.Lead ends it when the lease is
// lost).
func (r *Relay) lead(ctx context.Context, poll time.Duration) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		wake := r.DB.Appended()
		n, err := r.publishPending(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.Log.Warn("outbox publish failed; events stay in the store and will be retried", "err", err, "retry_in", backoff)
			follow.Sleep(ctx, backoff)
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if n > 0 {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(poll):
		}
	}
}

// publishPending publishes one batch and returns how many events it published.
func (r *Relay) publishPending(ctx context.Context) (int, error) {
	batch := r.Batch
	if batch <= 0 {
		batch = 1000
	}
	cur, err := r.DB.Cursor(ctx, store.CursorOutbox)
	if err != nil {
		return 0, err
	}
	evs, err := r.DB.ReadSealed(ctx, cur, batch)
	if err != nil {
		return 0, err
	}
	if r.lag != nil {
		if head, err := r.DB.Head(ctx); err == nil {
			r.lag.Set(float64(head - cur))
		}
	}
	if len(evs) == 0 {
		return 0, nil
	}
	if err := r.Publisher.PublishEvents(ctx, evs); err != nil {
		return 0, err
	}
	if err := r.DB.AdvanceCursor(ctx, store.CursorOutbox, evs[len(evs)-1].Position); err != nil {
		return 0, err
	}
	if r.published != nil {
		r.published.Add(float64(len(evs)))
	}
	return len(evs), nil
}
