package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// OutboxSpec describes one outbox-versus-raw publishing comparison.
type OutboxSpec struct {
	Stack    StackSpec
	Messages int // default 100,000
}

// OutboxResult is the outcome of RunOutbox.
type OutboxResult struct {
	Messages int
	MsgBytes int // size of one message body
	Raw      time.Duration
	Relay    time.Duration
	Prefill  time.Duration // appending the events (not part of the relay figure)
	Load     Load          // what other processes and VMs took during raw and relay
}

// RawRate is raw publishing in messages per second.
func (r OutboxResult) RawRate() float64 { return float64(r.Messages) / r.Raw.Seconds() }

// RelayRate is the relay's publishing in messages per second.
func (r OutboxResult) RelayRate() float64 { return float64(r.Messages) / r.Relay.Seconds() }

// Ratio is the relay's rate as a fraction of raw publishing.
func (r OutboxResult) Ratio() float64 { return r.RelayRate() / r.RawRate() }

// RunOutbox measures (a) raw asynchronous JetStream publishing of Messages
// messages with Nats-Msg-Id headers and (b) the outbox relay draining the
// same number of appended events, against the same server and stream.
func RunOutbox(ctx context.Context, spec OutboxSpec) (OutboxResult, error) {
	if spec.Messages <= 0 {
		spec.Messages = 100000
	}
	s, err := OpenStack(ctx, spec.Stack)
	if err != nil {
		return OutboxResult{}, err
	}
	defer s.Close()
	res := OutboxResult{Messages: spec.Messages}

	t0 := time.Now()
	sample, err := Prefill(ctx, s.DB, spec.Messages)
	if err != nil {
		return res, err
	}
	res.Prefill = time.Since(t0)
	body, err := Encoded(sample)
	if err != nil {
		return res, err
	}
	res.MsgBytes = len(body)

	load := SampleLoad()
	t0 = time.Now()
	if err := s.PublishRaw(ctx, spec.Messages, sample.Type, body); err != nil {
		return res, err
	}
	res.Raw = time.Since(t0)
	s.Purge(ctx)

	t0 = time.Now()
	if err := s.DrainOutbox(ctx, 5*time.Minute); err != nil {
		return res, err
	}
	res.Relay = time.Since(t0)
	res.Load = load.Foreign()
	return res, nil
}

// Prefill appends n plain events in AppendBatch calls of 500 (one event per
// stream) and returns the last one.
func Prefill(ctx context.Context, db *store.DB, n int) (eventstore.Event, error) {
	const batch = 500
	ctx = eventstore.WithMeta(ctx, eventstore.Meta{Actor: "bench", CorrelationID: "bench-correlation"})
	var last eventstore.Event
	for i := 0; i < n; i += batch {
		m := min(batch, n-i)
		evs, err := db.AppendBatch(ctx, Batch(Plain, i/batch, m, 1, 1000))
		if err != nil {
			return last, fmt.Errorf("prefill: %w", err)
		}
		last = evs[len(evs)-1]
	}
	return last, nil
}

// Encoded is an event's message body as the broker publishes it (the
// envelope with the personal part sealed).
func Encoded(e eventstore.Event) ([]byte, error) {
	e.Personal, e.Erased = nil, false
	return json.Marshal(e)
}

// PublishRaw publishes n copies of body on the stream's subject for typ
// with js.PublishMsgAsync, each with a fresh Nats-Msg-Id, on the broker's
// own JetStream context (same connection and async limits as the relay),
// and waits for every ack: what `nats bench js pub --async` does.
func (s *Stack) PublishRaw(ctx context.Context, n int, typ string, body []byte) error {
	js := s.Broker.JetStream()
	subject := s.subjectPrefix(ctx) + typ
	for i := 0; i < n; i++ {
		m := &nats.Msg{Subject: subject, Data: body, Header: nats.Header{}}
		m.Header.Set(jetstream.MsgIDHeader, meridian.NewID())
		if _, err := js.PublishMsgAsync(m); err != nil {
			return fmt.Errorf("raw publish: %w", err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Minute):
		return fmt.Errorf("raw publish: %d acks still pending after a minute", js.PublishAsyncPending())
	}
}

// Purge empties the events stream (between raw and relay runs).
func (s *Stack) Purge(ctx context.Context) {
	if st, err := s.Broker.JetStream().Stream(ctx, s.Broker.Stream()); err == nil {
		_ = st.Purge(ctx)
	}
}

// DrainOutbox starts the relay (without the projector) and returns when
// the outbox cursor reaches the store's head.
func (s *Stack) DrainOutbox(ctx context.Context, timeout time.Duration) error {
	head, err := s.DB.Head(ctx)
	if err != nil {
		return err
	}
	if s.cancel == nil {
		s.Start(false)
	}
	deadline := time.Now().Add(timeout)
	for {
		cur, err := s.DB.Cursor(ctx, store.CursorOutbox)
		if err != nil {
			return err
		}
		if cur >= head {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("relay reached %d of %d within %s", cur, head, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// subjectPrefix is the broker's subject prefix, read from the stream's
// subjects filter "<prefix>>" (the broker does not export it).
func (s *Stack) subjectPrefix(ctx context.Context) string {
	st, err := s.Broker.JetStream().Stream(ctx, s.Broker.Stream())
	if err == nil && len(st.CachedInfo().Config.Subjects) > 0 {
		sub := st.CachedInfo().Config.Subjects[0]
		return sub[:len(sub)-1]
	}
	return "meridian.events."
}
