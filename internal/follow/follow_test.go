package follow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// recorder is a model that keeps the positions it was given.
type recorder struct {
	mu  sync.Mutex
	pos int64
	got []int64
}

func (r *recorder) Position() int64 { r.mu.Lock(); defer r.mu.Unlock(); return r.pos }

func (r *recorder) Apply(_ context.Context, evs []eventstore.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.got = append(r.got, e.Position)
		r.pos = e.Position
	}
	return nil
}

// TestFollowerAppliesEveryEventInOrder appends events before and while the
// follower runs: the model sees each position once, in order; WaitFor
// returns once a position is applied; Tick runs on its period and Stop
// when the context ends.
func TestFollowerAppliesEveryEventInOrder(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	appendOne := func(i int) int64 {
		evs, err := db.Append(ctx, eventstore.StreamAppend{StreamID: fmt.Sprintf("s-%d", i), StreamType: "test",
			Events: []eventstore.NewEvent{{Type: "test.happened.v1", Payload: json.RawMessage(`{}`)}}})
		if err != nil {
			t.Fatal(err)
		}
		return evs[0].Position
	}
	for i := range 5 {
		appendOne(i)
	}
	m := &recorder{}
	var ticks, stops sync.WaitGroup
	ticks.Add(1)
	stops.Add(1)
	var once sync.Once
	f := &follow.Follower{Name: "test", DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Model: m, Batch: 2,
		Poll:  time.Hour, // only the append signal wakes it
		Every: 10 * time.Millisecond, Tick: func() { once.Do(ticks.Done) }, Stop: stops.Done}
	if err := f.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if m.Position() != 5 {
		t.Fatalf("after CatchUp at %d, want 5", m.Position())
	}
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	var last int64
	for i := 5; i < 40; i++ {
		last = appendOne(i)
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := f.WaitFor(wctx, last); err != nil {
		t.Fatalf("WaitFor(%d): %v", last, err)
	}
	ticks.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	stops.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, p := range m.got {
		if p != int64(i+1) {
			t.Fatalf("positions applied %v: want 1..%d, each once, in order", m.got, last)
		}
	}
	if len(m.got) != int(last) {
		t.Fatalf("applied %d events, want %d", len(m.got), last)
	}
}
