package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/store"
)

// AppendSpec describes one append-throughput figure.
type AppendSpec struct {
	Target Target
	Kind   Kind
	// Batch is the number of events per call: 1 uses Append (one event per
	// transaction), more uses AppendBatch.
	Batch int
	// PerStream is how many of a batch's events go to each stream (default 1:
	// a batch is many commands' single events, as a group commit would be).
	PerStream int
	// Streams is how many streams the events rotate through (default 1000).
	Streams int
	// Writers is the number of concurrent appending goroutines (default 1).
	Writers  int
	Duration time.Duration
}

// AppendResult is the outcome of RunAppend.
type AppendResult struct {
	Events  int64
	Calls   int64
	Elapsed time.Duration
	Load    Load // what other processes and VMs took meanwhile
}

// Rate is events per second.
func (r AppendResult) Rate() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// RunAppend appends to a fresh database for spec.Duration and returns how
// many events were committed.
func RunAppend(ctx context.Context, spec AppendSpec) (AppendResult, error) {
	db, _, cleanup, err := OpenDB(ctx, spec.Target)
	if err != nil {
		return AppendResult{}, err
	}
	defer cleanup()
	l := SampleLoad()
	r, err := AppendFor(ctx, db, spec)
	r.Load = l.Foreign() // before cleanup ends the database's server processes
	return r, err
}

// AppendFor appends to db for spec.Duration (see RunAppend).
func AppendFor(ctx context.Context, db *store.DB, spec AppendSpec) (AppendResult, error) {
	if spec.Batch <= 0 {
		spec.Batch = 1
	}
	if spec.Streams <= 0 {
		spec.Streams = 1000
	}
	if spec.Writers <= 0 {
		spec.Writers = 1
	}
	ctx = eventstore.WithMeta(ctx, eventstore.Meta{Actor: "bench", CorrelationID: "bench-correlation"})
	// Batches are built ahead of time so that building JSON is not measured.
	const prebuilt = 64
	batches := make([][]eventstore.StreamAppend, prebuilt)
	for i := range batches {
		batches[i] = Batch(spec.Kind, i, spec.Batch, spec.PerStream, spec.Streams)
	}
	var (
		seq    atomic.Int64
		events atomic.Int64
		calls  atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		first  error
	)
	deadline := time.Now().Add(spec.Duration)
	start := time.Now()
	for w := 0; w < spec.Writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := seq.Add(1) - 1
				b := fresh(batches[i%prebuilt], spec.Writers > 1, w)
				var err error
				if spec.Batch == 1 {
					_, err = db.Append(ctx, b[0])
				} else {
					_, err = db.AppendBatch(ctx, b)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("append: %w", err)
					}
					mu.Unlock()
					return
				}
				calls.Add(1)
				events.Add(int64(spec.Batch))
			}
		}(w)
	}
	wg.Wait()
	res := AppendResult{Events: events.Load(), Calls: calls.Load(), Elapsed: time.Since(start)}
	return res, first
}

// fresh gives a prebuilt batch new event ids (ids are unique in the store),
// and with concurrent writers also streams of their own, so that two
// writers never update one stream row at the same time.
func fresh(b []eventstore.StreamAppend, concurrent bool, writer int) []eventstore.StreamAppend {
	out := make([]eventstore.StreamAppend, len(b))
	for k, a := range b {
		evs := make([]eventstore.NewEvent, len(a.Events))
		for j, e := range a.Events {
			e.ID = ""
			evs[j] = e
		}
		a.Events = evs
		if concurrent {
			a.StreamID = fmt.Sprintf("%s-w%d", a.StreamID, writer)
		}
		out[k] = a
	}
	return out
}
