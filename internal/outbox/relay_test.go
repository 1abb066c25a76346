package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/broker"
	"github.com/meridianhq/meridian/internal/broker/brokertest"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/outbox"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

var discard = slog.New(slog.DiscardHandler)

// publisher wraps the broker: it fails the calls fail selects (1-based),
// records what it published, and checks on every call that the relay's
// cursor never passed an event that was not published.
type publisher struct {
	next outbox.Publisher
	db   *store.DB
	fail func(call int) bool

	mu         sync.Mutex
	calls      int
	failures   int
	published  []eventstore.Event
	times      map[string]int // event id → times published successfully
	violations []string
}

func (p *publisher) PublishEvents(ctx context.Context, evs []eventstore.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	cur, err := p.db.Cursor(ctx, store.CursorOutbox)
	if err != nil {
		return err
	}
	var last int64
	if n := len(p.published); n > 0 {
		last = p.published[n-1].Position
	}
	if cur > last {
		p.violations = append(p.violations, fmt.Sprintf("call %d: cursor %d is past the last published position %d", p.calls, cur, last))
	}
	for i, e := range evs {
		if e.Position != cur+int64(i)+1 {
			p.violations = append(p.violations, fmt.Sprintf("call %d: event %d of the batch has position %d, cursor is %d", p.calls, i, e.Position, cur))
			break
		}
	}
	if p.fail != nil && p.fail(p.calls) {
		p.failures++
		return errors.New("broker unavailable (test)")
	}
	if err := p.next.PublishEvents(ctx, evs); err != nil {
		return err
	}
	p.published = append(p.published, evs...)
	for _, e := range evs {
		p.times[e.ID]++
	}
	return nil
}

type env struct {
	db  *store.DB
	b   *broker.Broker
	pub *publisher
	sub *brokertest.Collector
}

func setup(t *testing.T, fail func(int) bool) *env {
	t.Helper()
	db := storetest.OpenSQLite(t)
	b, err := broker.Open(context.Background(), broker.Config{DataDir: t.TempDir()}, discard)
	if err != nil {
		t.Fatalf("open broker: %v", err)
	}
	t.Cleanup(b.Close)
	e := &env{db: db, b: b, pub: &publisher{next: b, db: db, fail: fail, times: map[string]int{}}, sub: &brokertest.Collector{}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := b.Subscribe(ctx, e.sub.Add); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return e
}

// start runs a relay until the test ends.
func (e *env) start(t *testing.T) {
	t.Helper()
	r := &outbox.Relay{DB: e.db, Publisher: e.pub, Log: discard, Poll: 10 * time.Millisecond, Batch: 4}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Relay.Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Relay.Run did not return after cancel")
		}
	})
}

// appendEvents appends n events over a few streams, some with personal data.
func (e *env) appendEvents(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		ne := eventstore.NewEvent{Type: "test.happened.v1", Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		if i%3 == 0 {
			ne.Subject, ne.Personal = "person-1", []byte(`{"name":"Ada"}`)
		}
		if _, err := e.db.Append(ctx, eventstore.StreamAppend{StreamID: fmt.Sprintf("s-%d", i%4), StreamType: "test", ExpectedVersion: eventstore.Any, Events: []eventstore.NewEvent{ne}}); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
}

// waitForCursor polls until the outbox cursor reaches the head.
func (e *env) waitForCursor(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		head, err := e.db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := e.db.Cursor(ctx, store.CursorOutbox)
		if err != nil {
			t.Fatal(err)
		}
		if cur == head {
			return head
		}
		if cur > head {
			t.Fatalf("cursor %d is past the head %d", cur, head)
		}
		if time.Now().After(deadline) {
			t.Fatalf("cursor %d did not reach the head %d", cur, head)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// check asserts that every event up to the head was published exactly
// once, in position order, as stored.
func (e *env) check(t *testing.T, head int64) {
	t.Helper()
	stored, err := e.db.ReadSealed(context.Background(), 0, int(head)+10)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(stored)) != head {
		t.Fatalf("store holds %d events, head is %d", len(stored), head)
	}
	e.pub.mu.Lock()
	published := append([]eventstore.Event(nil), e.pub.published...)
	times := e.pub.times
	violations := e.pub.violations
	e.pub.mu.Unlock()

	for _, v := range violations {
		t.Error(v)
	}
	if diff := cmp.Diff(stored, published); diff != "" {
		t.Errorf("published events (-stored +published):\n%s", diff)
	}
	for _, ev := range stored {
		if n := times[ev.ID]; n != 1 {
			t.Errorf("event %d was published %d times, want once", ev.Position, n)
		}
		if ev.Personal != nil {
			t.Errorf("event %d handed to the publisher with its personal part opened", ev.Position)
		}
	}
	if diff := cmp.Diff(brokertest.OnWire(stored), e.sub.WaitFor(t, len(stored))); diff != "" {
		t.Errorf("events received from the broker (-stored +received):\n%s", diff)
	}
	if n := brokertest.StoredMessages(t, e.b); n != uint64(head) {
		t.Errorf("broker stream holds %d messages, want %d", n, head)
	}
}

func TestRelayPublishesInOrderExactlyOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	e.appendEvents(t, 10) // waiting before the relay starts
	e.start(t)
	e.waitForCursor(t)
	e.appendEvents(t, 7) // appended while it runs
	head := e.waitForCursor(t)
	if head != 17 {
		t.Fatalf("head = %d, want 17", head)
	}
	e.check(t, head)
}

func TestRelayRetriesWhilePublishFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail func(call int) bool
	}{
		{"broker down at start", func(call int) bool { return call <= 3 }},
		{"broker down mid-way", func(call int) bool { return call >= 2 && call <= 4 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tc.fail)
			e.appendEvents(t, 10)
			e.start(t)
			head := e.waitForCursor(t)
			e.check(t, head)
			e.pub.mu.Lock()
			defer e.pub.mu.Unlock()
			if e.pub.failures != 3 {
				t.Errorf("publisher failed %d times, want 3", e.pub.failures)
			}
		})
	}
}
