package projection_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/meridianhq/meridian/bench"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// BenchmarkProjectJobUpdates measures how fast the SQL read-model projector
// applies job.updated.v1 events (~500-byte details: 3 skills, 2-4
// countries), reading them from the store in batches of 500 as it does
// after a gap or a WaitFor nudge (docs/BENCHMARKS.md). One op is one event.
//
//	go test ./internal/projection -run '^$' -bench ProjectJobUpdates -benchtime 5000x
func BenchmarkProjectJobUpdates(b *testing.B) {
	for _, be := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite-full", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			db := be.open(b)
			const jobs = 200
			// The postings, drafted and projected before the clock starts.
			drafts := make([]eventstore.StreamAppend, jobs)
			for i := range drafts {
				p, err := json.Marshal(domain.JobDraftedEvent{OrgID: "bench-org", Details: bench.JobDetails(i), At: time.Now().UTC()})
				if err != nil {
					b.Fatal(err)
				}
				drafts[i] = eventstore.StreamAppend{StreamID: fmt.Sprintf("bench-job-%d", i), StreamType: "job", ExpectedVersion: eventstore.NoStream,
					Events: []eventstore.NewEvent{{Type: domain.JobDrafted, Payload: p}}}
			}
			if _, err := db.AppendBatch(ctx, drafts); err != nil {
				b.Fatal(err)
			}
			run := &projection.Runner{DB: db, Handler: readmodel.Projection{}, Log: discard}
			catchUp(b, run)
			// b.N updates, one per posting per batch.
			for i := 0; i < b.N; i += jobs {
				batch := make([]eventstore.StreamAppend, 0, jobs)
				for j := 0; j < jobs && i+j < b.N; j++ {
					batch = append(batch, eventstore.StreamAppend{StreamID: fmt.Sprintf("bench-job-%d", j), StreamType: "job", ExpectedVersion: eventstore.Any,
						Events: []eventstore.NewEvent{{Type: domain.JobUpdated, Payload: bench.JobPayload(i + j)}}})
				}
				if _, err := db.AppendBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			n := catchUp(b, run)
			b.StopTimer()
			if n != b.N {
				b.Fatalf("applied %d events, want %d", n, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func catchUp(b *testing.B, run *projection.Runner) int {
	total := 0
	for {
		n, err := run.Step(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}
