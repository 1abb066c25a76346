package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// TestGroupCommitIsolatesFailures runs appends that land in shared
// transactions: the stale ones fail alone, the others all commit, and
// positions stay gapless.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			ev := func() []eventstore.NewEvent {
				return []eventstore.NewEvent{{Type: "test.happened.v1", Payload: json.RawMessage(`{"n":1}`)}}
			}
			if _, err := db.Append(ctx, eventstore.StreamAppend{StreamID: "shared", StreamType: "test", ExpectedVersion: 0, Events: ev()}); err != nil {
				t.Fatal(err)
			}
			const fresh, stale = 60, 60
			var wg sync.WaitGroup
			errs := make([]error, fresh+stale)
			for i := 0; i < fresh+stale; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					a := eventstore.StreamAppend{StreamID: fmt.Sprintf("fresh-%d", i), StreamType: "test", ExpectedVersion: 0, Events: ev()}
					if i >= fresh {
						a = eventstore.StreamAppend{StreamID: "shared", StreamType: "test", ExpectedVersion: 0, Events: ev()} // already exists: stale
					}
					_, errs[i] = db.Append(ctx, a)
				}(i)
			}
			wg.Wait()
			for i, err := range errs {
				if i < fresh && err != nil {
					t.Fatalf("fresh append %d failed: %v", i, err)
				}
				if i >= fresh && meridian.ErrorCode(err) != meridian.EConflict {
					t.Fatalf("stale append %d: %v, want conflict", i, err)
				}
			}
			evs, err := db.ReadAll(ctx, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1+fresh {
				t.Fatalf("%d events stored, want %d", len(evs), 1+fresh)
			}
			for i, e := range evs {
				if e.Position != int64(i+1) {
					t.Fatalf("position %d at index %d: not gapless", e.Position, i)
				}
			}
			// An append whose caller gave up before its turn writes nothing.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := db.Append(cctx, eventstore.StreamAppend{StreamID: "late", StreamType: "test", Events: ev()}); err == nil {
				t.Fatal("append with a cancelled context succeeded")
			}
			if v, _ := db.StreamVersion(ctx, "late"); v != 0 {
				t.Fatalf("cancelled append was written (version %d)", v)
			}
		})
	}
}
