package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// Append throughput (docs/BENCHMARKS.md). Run with
//
//	go test ./internal/store -run '^$' -bench 'BenchmarkAppend' -benchtime 3s
//
// Each benchmark reports events/s; the PostgreSQL sub-benchmarks skip when
// the server (storetest.PostgresURL) is unreachable.

// benchBackends opens a fresh database per sub-benchmark run.
var benchBackends = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{"sqlite-full", storetest.OpenSQLite},
	{"sqlite-normal", func(tb testing.TB) *store.DB {
		tb.Helper()
		db, err := store.Open(context.Background(), store.Config{DataDir: tb.TempDir(), SQLiteSync: "normal", MasterKey: storetest.MasterKey(tb)})
		if err != nil {
			tb.Fatalf("open sqlite: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	}},
	{"postgres", storetest.OpenPostgres},
}

var benchKinds = []bench.Kind{bench.Plain, bench.Personal}

// BenchmarkAppendSingle appends one event per Append call (one transaction
// per event), rotating over 1000 streams.
func BenchmarkAppendSingle(b *testing.B) {
	for _, be := range benchBackends {
		for _, k := range benchKinds {
			b.Run(fmt.Sprintf("%s/%s", be.name, k), func(b *testing.B) {
				runAppend(b, be.open(b), k, 1, 1)
			})
		}
	}
}

// BenchmarkAppendBatch appends batches of 100 and 500 events per
// AppendBatch transaction: one event per stream (a group commit of many
// single-event commands) and ten events per stream.
func BenchmarkAppendBatch(b *testing.B) {
	for _, be := range benchBackends {
		for _, k := range benchKinds {
			for _, size := range []int{100, 500} {
				for _, per := range []int{1, 10} {
					b.Run(fmt.Sprintf("%s/%s/batch=%d/perStream=%d", be.name, k, size, per), func(b *testing.B) {
						runAppend(b, be.open(b), k, size, per)
					})
				}
			}
		}
	}
}

func runAppend(b *testing.B, db *store.DB, k bench.Kind, size, perStream int) {
	ctx := eventstore.WithMeta(context.Background(), eventstore.Meta{Actor: "bench", CorrelationID: "bench-correlation"})
	const prebuilt = 64
	batches := make([][]eventstore.StreamAppend, prebuilt)
	for i := range batches {
		batches[i] = bench.Batch(k, i, size, perStream, 1000)
	}
	events := 0
	i := 0
	b.ReportAllocs()
	b.SetBytes(int64(size * 500))
	b.ResetTimer()
	for b.Loop() {
		batch := withoutIDs(batches[i%prebuilt])
		i++
		var err error
		if size == 1 {
			_, err = db.Append(ctx, batch[0])
		} else {
			_, err = db.AppendBatch(ctx, batch)
		}
		if err != nil {
			b.Fatal(err)
		}
		events += size
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// withoutIDs copies a prebuilt batch with empty event ids (the store
// assigns them; ids must be unique).
func withoutIDs(batch []eventstore.StreamAppend) []eventstore.StreamAppend {
	out := make([]eventstore.StreamAppend, len(batch))
	for k, a := range batch {
		evs := make([]eventstore.NewEvent, len(a.Events))
		for j, e := range a.Events {
			e.ID = ""
			evs[j] = e
		}
		a.Events = evs
		out[k] = a
	}
	return out
}
