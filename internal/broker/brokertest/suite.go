// Package brokertest is the contract suite for Meridian's broker: every way
// of running it (embedded server, external server or cluster) must pass it.
package brokertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meridianhq/meridian/internal/broker"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Open returns a connected broker with its own, empty events stream. It is
// called once per subtest, from parallel subtests, and must release what it
// opens (and delete the stream on a shared server) through t.Cleanup.
type Open func(t *testing.T) *broker.Broker

// Run runs the broker contract suite.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b *broker.Broker)
	}{
		{"Ping", testPing},
		{"PublishThenSubscribe", testPublishSubscribe},
		{"SubscribeDeliversNewOnly", testDeliverNew},
		{"DuplicatesAreDropped", testDuplicates},
		{"EverySubscriberGetsEverything", testFanOut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// Timeout bounds every wait in the suite.
const Timeout = 15 * time.Second

// Events returns n events at positions from, from+1, ...: every second one
// carries personal data (Personal as well as its Sealed form, as the outbox
// never has, to check that Personal is stripped).
func Events(from int64, n int) []eventstore.Event {
	now := time.Now().UTC().Truncate(time.Microsecond)
	out := make([]eventstore.Event, n)
	for i := range out {
		pos := from + int64(i)
		e := eventstore.Event{
			ID: meridian.NewID(), StreamID: fmt.Sprintf("stream-%d", pos%3), StreamType: "job",
			Version: pos, Position: pos, Type: []string{"job.drafted.v1", "job.published.v1", "profile.updated.v1"}[i%3],
			Time: now.Add(time.Duration(i) * time.Millisecond), Actor: "user-1", CorrelationID: "corr-" + fmt.Sprint(pos), CausationID: "cause",
			Payload: json.RawMessage(fmt.Sprintf(`{"n":%d,"title":"Go engineer"}`, pos)),
		}
		if i%2 == 0 {
			e.Subject = "person-1"
			e.Sealed = []byte{1, 2, 3, byte(i), 0, 255}
			e.Personal = json.RawMessage(`{"displayName":"Ada Lovelace"}`)
		}
		out[i] = e
	}
	return out
}

// OnWire is what subscribers receive for evs: Personal stripped, the rest intact.
func OnWire(evs []eventstore.Event) []eventstore.Event {
	out := make([]eventstore.Event, len(evs))
	for i, e := range evs {
		e.Personal, e.Erased = nil, false
		out[i] = e
	}
	return out
}

// Collector records the events a subscription delivers.
type Collector struct {
	mu  sync.Mutex
	evs []eventstore.Event
}

// Add is the subscription callback.
func (c *Collector) Add(e eventstore.Event) {
	c.mu.Lock()
	c.evs = append(c.evs, e)
	c.mu.Unlock()
}

// Events returns what was delivered so far.
func (c *Collector) Events() []eventstore.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]eventstore.Event(nil), c.evs...)
}

// WaitFor waits until at least n events were delivered and returns them.
func (c *Collector) WaitFor(t testing.TB, n int) []eventstore.Event {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		evs := c.Events()
		if len(evs) >= n {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d events within %v, want %d", len(evs), Timeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func subscribe(t *testing.T, b *broker.Broker) *Collector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &Collector{}
	if err := b.Subscribe(ctx, c.Add); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return c
}

func publish(t *testing.T, b *broker.Broker, evs []eventstore.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := b.PublishEvents(ctx, evs); err != nil {
		t.Fatalf("PublishEvents: %v", err)
	}
}

func wantEvents(t *testing.T, want, got []eventstore.Event) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("received events (-want +got):\n%s", diff)
	}
}

// StoredMessages returns the number of messages in the broker's stream.
func StoredMessages(t testing.TB, b *broker.Broker) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	s, err := b.JetStream().Stream(ctx, b.Stream())
	if err != nil {
		t.Fatalf("stream %s: %v", b.Stream(), err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream info %s: %v", b.Stream(), err)
	}
	return info.State.Msgs
}

func testPing(t *testing.T, b *broker.Broker) {
	if err := b.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if b.Stream() == "" {
		t.Error("Stream() is empty")
	}
}

func testPublishSubscribe(t *testing.T, b *broker.Broker) {
	c := subscribe(t, b)
	evs := Events(1, 25)
	publish(t, b, evs[:10])
	publish(t, b, evs[10:])
	wantEvents(t, OnWire(evs), c.WaitFor(t, len(evs)))
	for _, e := range c.Events() {
		if e.Personal != nil {
			t.Fatalf("event %d arrived with its personal part in clear", e.Position)
		}
	}
	if n := StoredMessages(t, b); n != uint64(len(evs)) {
		t.Errorf("stream holds %d messages, want %d", n, len(evs))
	}
}

func testDeliverNew(t *testing.T, b *broker.Broker) {
	old := Events(1, 5)
	publish(t, b, old)
	c := subscribe(t, b)
	fresh := Events(6, 5)
	publish(t, b, fresh)
	// Delivery is in stream order, so an old message would come first.
	wantEvents(t, OnWire(fresh), c.WaitFor(t, len(fresh)))
}

func testDuplicates(t *testing.T, b *broker.Broker) {
	c := subscribe(t, b)
	evs := Events(1, 10)
	publish(t, b, evs)
	// A relay retrying after a crash publishes the same ids again, possibly
	// in a larger batch; only the new ones are stored.
	more := Events(11, 2)
	again := append([]eventstore.Event{evs[3], evs[7]}, evs...)
	again = append(again, more...)
	publish(t, b, again)
	if n := StoredMessages(t, b); n != uint64(len(evs)+len(more)) {
		t.Errorf("stream holds %d messages after republishing, want %d", n, len(evs)+len(more))
	}
	want := OnWire(append(append([]eventstore.Event(nil), evs...), more...))
	wantEvents(t, want, c.WaitFor(t, len(want)))
}

func testFanOut(t *testing.T, b *broker.Broker) {
	c1, c2 := subscribe(t, b), subscribe(t, b)
	evs := Events(1, 12)
	publish(t, b, evs)
	wantEvents(t, OnWire(evs), c1.WaitFor(t, len(evs)))
	wantEvents(t, OnWire(evs), c2.WaitFor(t, len(evs)))
}
