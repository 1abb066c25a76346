package outbox_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/store"
)

// Outbox publishing throughput against raw JetStream publishing
// (docs/BENCHMARKS.md). Run with
//
//	go test ./internal/outbox -run '^$' -bench . -benchtime 50000x
//
// One op is one message. The external sub-benchmarks use the NATS server at
// MERIDIAN_TEST_NATS_URL (default nats://127.0.0.1:4222) and skip when it
// is unreachable.

func benchStacks(b *testing.B) []struct {
	name string
	spec bench.StackSpec
} {
	b.Helper()
	out := []struct {
		name string
		spec bench.StackSpec
	}{{"embedded", bench.StackSpec{Target: bench.Target{Dialect: store.SQLite}}}}
	url := os.Getenv("MERIDIAN_TEST_NATS_URL")
	if url == "" {
		url = bench.DefaultNATSURL
	}
	if nc, err := nats.Connect(url, nats.Timeout(2*time.Second), nats.MaxReconnects(0)); err == nil {
		nc.Close()
		out = append(out, struct {
			name string
			spec bench.StackSpec
		}{"external", bench.StackSpec{Target: bench.Target{Dialect: store.SQLite}, NATSURL: url}})
	} else {
		b.Logf("external NATS at %s unreachable (%v): external sub-benchmarks skipped", url, err)
	}
	return out
}

func openStack(b *testing.B, spec bench.StackSpec) *bench.Stack {
	b.Helper()
	s, err := bench.OpenStack(context.Background(), spec)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

// BenchmarkRelay times the outbox relay publishing b.N events that were
// appended beforehand (not timed), until its cursor reaches the head.
func BenchmarkRelay(b *testing.B) {
	for _, st := range benchStacks(b) {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			s := openStack(b, st.spec)
			if _, err := bench.Prefill(ctx, s.DB, b.N); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			if err := s.DrainOutbox(ctx, 5*time.Minute); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkRawPublish is the baseline: b.N asynchronous JetStream publishes
// of a message the size of an encoded event, with Nats-Msg-Id, on the same
// kind of stack.
func BenchmarkRawPublish(b *testing.B) {
	for _, st := range benchStacks(b) {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			s := openStack(b, st.spec)
			sample, err := bench.Prefill(ctx, s.DB, 1)
			if err != nil {
				b.Fatal(err)
			}
			body, err := bench.Encoded(sample)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			if err := s.PublishRaw(ctx, b.N, sample.Type, body); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
