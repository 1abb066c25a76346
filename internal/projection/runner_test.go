package projection_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

var discard = slog.New(slog.DiscardHandler)

// recorder is a Handler that records the events it applies.
type recorder struct {
	mu      sync.Mutex
	applied []eventstore.Event
	resets  int
}

func (*recorder) Name() string { return "test-recorder" }

func (h *recorder) Apply(_ context.Context, _ *store.Tx, e eventstore.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.applied = append(h.applied, e)
	return nil
}

func (h *recorder) Reset(context.Context, *store.Tx) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.applied = nil
	h.resets++
	return nil
}

func (h *recorder) events() []eventstore.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]eventstore.Event(nil), h.applied...)
}

func (h *recorder) positions() []int64 {
	var out []int64
	for _, e := range h.events() {
		out = append(out, e.Position)
	}
	return out
}

func seq(n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

// appendEvents appends n events, one append each, every third with personal data.
func appendEvents(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		ne := eventstore.NewEvent{Type: "test.happened.v1", Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		if i%3 == 0 {
			ne.Subject, ne.Personal = "person-1", []byte(`{"name":"Ada"}`)
		}
		if _, err := db.Append(context.Background(), eventstore.StreamAppend{StreamID: fmt.Sprintf("s-%d", i%2), StreamType: "test", ExpectedVersion: eventstore.Any, Events: []eventstore.NewEvent{ne}}); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
}

// deliveries returns the stored events at the given positions as the
// broker delivers them (personal parts sealed), marked as delivered.
func deliveries(t *testing.T, db *store.DB, positions ...int64) []eventstore.Event {
	t.Helper()
	all, err := db.ReadSealed(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []eventstore.Event
	for _, p := range positions {
		e := all[p-1]
		e.CausationID = "delivered"
		out = append(out, e)
	}
	return out
}

func wantApplied(t *testing.T, h *recorder, n int64) {
	t.Helper()
	if diff := cmp.Diff(seq(n), h.positions()); diff != "" {
		t.Errorf("applied positions (-want +got):\n%s", diff)
	}
}

func TestStepFillsGapsFromTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		delivered [][]int64 // one Step per entry
		applied   []int     // events applied by each Step
		fromStore []int64   // positions that must come from the store, not the delivery
	}{
		{"contiguous then gap", [][]int64{{1, 2}, {5}, {1, 2, 3, 4, 5, 6}}, []int{2, 4, 0}, []int64{3, 4, 5, 6}},
		{"gap in one delivery", [][]int64{{1, 2, 5}, {6}}, []int{6, 0}, []int64{1, 2, 3, 4, 5, 6}},
		{"duplicates and disorder", [][]int64{{2, 1, 2, 1}, {3, 3, 2}, {4, 6, 5, 4}}, []int{2, 1, 3}, nil},
		{"nothing delivered", [][]int64{nil, nil}, []int{6, 0}, []int64{1, 2, 3, 4, 5, 6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.OpenSQLite(t)
			appendEvents(t, db, 6)
			h := &recorder{}
			r := &projection.Runner{DB: db, Handler: h, Log: discard}
			for i, d := range tc.delivered {
				n, err := r.Step(ctx, deliveries(t, db, d...))
				if err != nil {
					t.Fatalf("Step %d: %v", i, err)
				}
				if n != tc.applied[i] {
					t.Errorf("Step %d (delivered %v) applied %d, want %d", i, d, n, tc.applied[i])
				}
			}
			wantApplied(t, h, 6)
			stored, err := db.ReadAll(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			fromStore := map[int64]bool{}
			for _, p := range tc.fromStore {
				fromStore[p] = true
			}
			for i, e := range h.events() {
				want := stored[i]
				if !fromStore[e.Position] {
					want.CausationID = "delivered"
				}
				// Whatever the path, the handler sees the full event with its personal part opened.
				if diff := cmp.Diff(want, e); diff != "" {
					t.Errorf("applied event %d (-want +got):\n%s", e.Position, diff)
				}
			}
			if cp, err := r.Checkpoint(ctx); err != nil || cp != 6 {
				t.Errorf("Checkpoint = %d, %v; want 6", cp, err)
			}
		})
	}
}

func TestStepBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	appendEvents(t, db, 10)
	h := &recorder{}
	r := &projection.Runner{DB: db, Handler: h, Log: discard, Batch: 4}
	var ns []int
	for {
		n, err := r.Step(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		ns = append(ns, n)
	}
	if diff := cmp.Diff([]int{4, 4, 2}, ns); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	wantApplied(t, h, 10)
}

// subscriber is a fake broker: the test delivers messages by hand.
type subscriber struct {
	mu  sync.Mutex
	fn  func(eventstore.Event)
	ok  chan struct{}
	err error
}

func (s *subscriber) Subscribe(_ context.Context, fn func(eventstore.Event)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.fn = fn
	close(s.ok)
	return nil
}

func (s *subscriber) deliver(evs ...eventstore.Event) {
	s.mu.Lock()
	fn := s.fn
	s.mu.Unlock()
	for _, e := range evs {
		fn(e)
	}
}

// run starts r.Run until the test ends.
func run(t *testing.T, r *projection.Runner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

func waitFor(t *testing.T, r *projection.Runner, pos int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, pos); err != nil {
		t.Fatalf("WaitFor(%d): %v", pos, err)
	}
}

func TestRunFillsGapsInDeliveries(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	h := &recorder{}
	sub := &subscriber{ok: make(chan struct{})}
	// A poll this long never fires: only deliveries drive the runner.
	r := &projection.Runner{DB: db, Broker: sub, Handler: h, Log: discard, Poll: time.Hour}
	run(t, r)
	select {
	case <-sub.ok:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not subscribe")
	}
	appendEvents(t, db, 6)
	sub.deliver(deliveries(t, db, 1, 2, 5)...) // 3, 4 and 6 were "lost"
	waitCheckpoint(t, r, 6)
	wantApplied(t, h, 6)

	appendEvents(t, db, 3)
	sub.deliver(deliveries(t, db, 7, 8, 9, 8, 7)...)
	waitCheckpoint(t, r, 9)
	wantApplied(t, h, 9)
}

func TestRunPollsWhenSubscribeFails(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	h := &recorder{}
	sub := &subscriber{ok: make(chan struct{}), err: errors.New("broker down (test)")}
	r := &projection.Runner{DB: db, Broker: sub, Handler: h, Log: discard, Poll: 10 * time.Millisecond}
	run(t, r)
	appendEvents(t, db, 4)
	waitCheckpoint(t, r, 4)
	wantApplied(t, h, 4)
}

// waitCheckpoint polls the stored checkpoint (unlike WaitFor, it does not
// nudge the runner).
func waitCheckpoint(t *testing.T, r *projection.Runner, pos int64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		cp, err := r.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cp >= pos {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d did not reach %d", cp, pos)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunWithoutBrokerConvergesByPolling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	appendEvents(t, db, 5) // before the runner starts
	h := &recorder{}
	r := &projection.Runner{DB: db, Handler: h, Log: discard, Poll: 10 * time.Millisecond}
	run(t, r)
	for round := range 3 {
		appendEvents(t, db, 4+round) // while it runs
		head, err := db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		waitCheckpoint(t, r, head)
	}
	wantApplied(t, h, 5+4+5+6)
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	db := storetest.OpenSQLite(t)
	h := &recorder{}
	r := &projection.Runner{DB: db, Handler: h, Log: discard, Poll: time.Hour}
	run(t, r)
	appendEvents(t, db, 5)
	// Without a broker, WaitFor nudges the runner, so it returns long before the next poll.
	waitFor(t, r, 5)
	if got := h.positions(); len(got) < 5 {
		t.Fatalf("WaitFor(5) returned with %v applied", got)
	}
	waitFor(t, r, 3) // already applied
	wantApplied(t, h, 5)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.WaitFor(ctx, 6); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor of a position never appended: %v, want a deadline error", err)
	}

	// Another node's runner on the same database sees the shared checkpoint.
	other := &projection.Runner{DB: db, Handler: &recorder{}, Log: discard}
	waitFor(t, other, 5)
}

func TestRebuild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	appendEvents(t, db, 7)
	h := &recorder{}
	r := &projection.Runner{DB: db, Handler: h, Log: discard}
	if _, err := r.Step(ctx, nil); err != nil {
		t.Fatal(err)
	}
	n, err := projection.Rebuild(ctx, db, h)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if n != 7 || h.resets != 1 {
		t.Errorf("Rebuild applied %d events after %d resets, want 7 after 1", n, h.resets)
	}
	wantApplied(t, h, 7)
	if cp, _ := r.Checkpoint(ctx); cp != 7 {
		t.Errorf("Checkpoint after Rebuild = %d, want 7", cp)
	}
}
