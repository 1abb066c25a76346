package password

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

var backends = []struct {
	name string
	open func(testing.TB) *store.DB
}{
	{store.SQLite, storetest.OpenSQLite},
	{store.Postgres, storetest.OpenPostgres},
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			ctx := context.Background()
			c := &clock{t: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
			th := NewThrottle(db, ThrottleConfig{Clock: c.now})
			const key = "acct:blind-index-1"

			wait := func(want time.Duration) {
				t.Helper()
				got, err := th.Check(ctx, key)
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if got != want {
					t.Fatalf("Check = %v, want %v", got, want)
				}
			}
			fail := func() {
				t.Helper()
				if err := th.Fail(ctx, key); err != nil {
					t.Fatalf("Fail: %v", err)
				}
			}

			wait(0) // never seen
			for i := 1; i <= 4; i++ {
				fail()
				wait(0)
			}
			// From the 5th failure on: 1s, 2s, 4s, ... capped at 15 minutes.
			want := time.Second
			for i := 5; i <= 20; i++ {
				fail()
				wait(want)
				c.advance(want / 2)
				wait(want - want/2)
				c.advance(want - want/2)
				wait(0)
				want = min(want*2, 15*time.Minute)
			}
			if want != 15*time.Minute {
				t.Fatalf("the delay did not reach its cap: %v", want)
			}

			// Other keys are independent.
			if d, err := th.Check(ctx, "ip:192.0.2.1"); err != nil || d != 0 {
				t.Fatalf("another key: %v, %v", d, err)
			}

			// A success clears the key.
			if err := th.Succeed(ctx, key); err != nil {
				t.Fatal(err)
			}
			wait(0)
			for i := 1; i <= 4; i++ {
				fail()
			}
			wait(0)
			fail()
			wait(time.Second)

			// 24 hours without a failure start afresh: the lock is gone, and
			// the next failure counts as the first.
			c.advance(24 * time.Hour)
			wait(0)
			fail()
			wait(0)
			for i := 2; i <= 4; i++ {
				fail()
			}
			wait(0)
			fail()
			wait(time.Second)

			// Guard checks several keys and reports the longest wait.
			if err := th.Guard(ctx, "ip:192.0.2.1", key); meridian.ErrorCode(err) != meridian.ERateLimited {
				t.Fatalf("Guard = %v, want rate_limited", err)
			} else if got := meridian.ErrorMessage(err); got != "Too many failed sign-in attempts; try again in 1 seconds." {
				t.Fatalf("Guard message %q", got)
			}
			c.advance(time.Second)
			if err := th.Guard(ctx, "ip:192.0.2.1", key); err != nil {
				t.Fatalf("Guard after the wait = %v", err)
			}

			// Purge removes quiet keys only.
			if err := th.Fail(ctx, "ip:old"); err != nil {
				t.Fatal(err)
			}
			c.advance(24 * time.Hour)
			if err := th.Fail(ctx, "ip:fresh"); err != nil {
				t.Fatal(err)
			}
			n, err := th.Purge(ctx)
			if err != nil || n != 2 { // key and ip:old
				t.Fatalf("Purge = %d, %v; want 2", n, err)
			}
			var left int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&left); err != nil || left != 1 {
				t.Fatalf("%d rows left (%v), want 1", left, err)
			}
		})
	}
}

func TestThrottleCountsConcurrentFailures(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			ctx := context.Background()
			th := NewThrottle(db, ThrottleConfig{})
			const n = 20
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- th.Fail(ctx, "ip:203.0.113.7")
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("Fail: %v", err)
				}
			}
			var failures int
			if err := db.QueryRow(ctx, `SELECT failures FROM login_failures WHERE key = ?`, "ip:203.0.113.7").Scan(&failures); err != nil {
				t.Fatal(err)
			}
			if failures != n {
				t.Fatalf("%d failures recorded, want %d", failures, n)
			}
			if d, err := th.Check(ctx, "ip:203.0.113.7"); err != nil || d < 14*time.Minute || d > 15*time.Minute {
				t.Fatalf("Check after %d failures = %v, %v; want the 15-minute cap", n, d, err)
			}
		})
	}
}

func TestThrottleDelays(t *testing.T) {
	t.Parallel()
	th := NewThrottle(nil, ThrottleConfig{})
	for failures, want := range map[int64]time.Duration{
		0: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second, 14: 512 * time.Second,
		15: 15 * time.Minute, 60: 15 * time.Minute, 1 << 40: 15 * time.Minute,
	} {
		if got := th.delay(failures); got != want {
			t.Errorf("delay(%d) = %v, want %v", failures, got, want)
		}
	}
}
