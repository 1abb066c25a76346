package ratelimit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/meridianhq/meridian/internal/meridian"
)

// harness is one Limiter under test. advance moves a fake clock; it is nil
// for limiters that run on real time (Redis), whose tests poll instead.
type harness struct {
	l       Limiter
	advance func(time.Duration)
	// tol is how far a duration in a Result may be off, for real-time
	// limiters whose clock moves between calls.
	tol time.Duration
}

// runContract is the suite every Limiter passes.
func runContract(t *testing.T, newHarness func(t *testing.T) harness) {
	ctx := context.Background()
	slow := Limit{Rate: 1.0 / 3600, Burst: 5} // no noticeable refill during a test

	t.Run("BurstThenDeny", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		for i := 0; i < slow.Burst; i++ {
			r := mustAllow(t, h.l, "k", slow)
			if !r.Allowed || r.Limit != 5 || r.Remaining != 4-i {
				t.Fatalf("request %d: got %+v, want allowed with limit 5, remaining %d", i+1, r, 4-i)
			}
		}
		r := mustAllow(t, h.l, "k", slow)
		if r.Allowed || r.Remaining != 0 || r.Limit != 5 {
			t.Fatalf("request 6: got %+v, want denied with 0 remaining", r)
		}
		within(t, "RetryAfter", r.RetryAfter, time.Hour, h.tol+time.Millisecond)
		within(t, "ResetAfter", r.ResetAfter, 5*time.Hour, h.tol+time.Millisecond)
		// A denied request spends nothing: the wait does not grow.
		r2 := mustAllow(t, h.l, "k", slow)
		if r2.Allowed || r2.RetryAfter > r.RetryAfter {
			t.Fatalf("request 7: got %+v, want denied, retry no later than %v", r2, r.RetryAfter)
		}
	})

	t.Run("Refill", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		if h.advance != nil {
			l := Limit{Rate: 10, Burst: 2} // a token every 100ms
			mustAllowed(t, h.l, "k", l, true)
			mustAllowed(t, h.l, "k", l, true)
			r := mustAllowed(t, h.l, "k", l, false)
			within(t, "RetryAfter", r.RetryAfter, 100*time.Millisecond, time.Microsecond)
			h.advance(99 * time.Millisecond)
			r = mustAllowed(t, h.l, "k", l, false)
			within(t, "RetryAfter", r.RetryAfter, time.Millisecond, time.Microsecond)
			h.advance(time.Millisecond)
			if r := mustAllowed(t, h.l, "k", l, true); r.Remaining != 0 {
				t.Fatalf("after one refill: remaining %d, want 0", r.Remaining)
			}
			mustAllowed(t, h.l, "k", l, false)
			h.advance(time.Second) // far past full: the bucket holds Burst, no more
			if r := mustAllowed(t, h.l, "k", l, true); r.Remaining != 1 {
				t.Fatalf("after a long pause: remaining %d, want 1", r.Remaining)
			}
			return
		}
		l := Limit{Rate: 20, Burst: 1} // a token every 50ms
		mustAllowed(t, h.l, "k", l, true)
		before := time.Now()
		r := mustAllowed(t, h.l, "k", l, false)
		if r.RetryAfter <= 0 || r.RetryAfter > 50*time.Millisecond {
			t.Fatalf("RetryAfter %v, want in (0, 50ms]", r.RetryAfter)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			r2 := mustAllow(t, h.l, "k", l)
			if r2.Allowed {
				// The bucket cannot refill before the time it announced.
				if waited := time.Since(before); waited < r.RetryAfter-2*time.Millisecond {
					t.Fatalf("allowed again after %v, before the announced %v", waited, r.RetryAfter)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("bucket did not refill within 5s (last %+v)", r2)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})

	t.Run("IndependentKeys", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		l := Limit{Rate: slow.Rate, Burst: 2}
		mustAllowed(t, h.l, "a", l, true)
		mustAllowed(t, h.l, "a", l, true)
		mustAllowed(t, h.l, "a", l, false)
		if r := mustAllowed(t, h.l, "b", l, true); r.Remaining != 1 {
			t.Fatalf("key b: remaining %d, want 1", r.Remaining)
		}
		// A different limit on the same key name is still the same bucket.
		mustAllowed(t, h.l, "a", Limit{Rate: slow.Rate, Burst: 2}, false)
	})

	t.Run("RemainingAndRetryAfter", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		l := Limit{Rate: 2, Burst: 4} // a token every 500ms
		tol := h.tol + time.Microsecond
		for i := 0; i < 4; i++ {
			r := mustAllowed(t, h.l, "k", l, true)
			if r.Remaining != 3-i {
				t.Fatalf("request %d: remaining %d, want %d", i+1, r.Remaining, 3-i)
			}
			within(t, "ResetAfter", r.ResetAfter, time.Duration(i+1)*500*time.Millisecond, tol)
			if r.RetryAfter != 0 {
				t.Fatalf("request %d: RetryAfter %v on an allowed request", i+1, r.RetryAfter)
			}
		}
		r := mustAllowed(t, h.l, "k", l, false)
		within(t, "RetryAfter", r.RetryAfter, 500*time.Millisecond, tol)
		within(t, "ResetAfter", r.ResetAfter, 2*time.Second, tol)
		if h.advance == nil {
			return
		}
		h.advance(250 * time.Millisecond)
		r = mustAllowed(t, h.l, "k", l, false)
		within(t, "RetryAfter", r.RetryAfter, 250*time.Millisecond, tol)
		h.advance(250 * time.Millisecond)
		r = mustAllowed(t, h.l, "k", l, true)
		if r.Remaining != 0 {
			t.Fatalf("after 500ms: remaining %d, want 0", r.Remaining)
		}
		h.advance(time.Second)
		if r := mustAllowed(t, h.l, "k", l, true); r.Remaining != 1 {
			t.Fatalf("after 1s more: remaining %d, want 1", r.Remaining)
		}
	})

	t.Run("Concurrency", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		l := Limit{Rate: slow.Rate, Burst: 10}
		const goroutines, each = 40, 5
		var allowed atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, goroutines*each)
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					r, err := h.l.Allow(ctx, "shared", l)
					if err != nil {
						errs <- err
						return
					}
					if r.Allowed {
						allowed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("Allow: %v", err)
		}
		if n := allowed.Load(); n != int64(l.Burst) {
			t.Fatalf("%d of %d concurrent requests allowed, want exactly %d", n, goroutines*each, l.Burst)
		}
	})

	t.Run("InvalidLimit", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		for _, l := range []Limit{{}, {Rate: 1}, {Burst: 1}, {Rate: -1, Burst: 1}, {Rate: 1e-12, Burst: 1e6}} {
			_, err := h.l.Allow(ctx, "k", l)
			if got := meridian.ErrorCode(err); got != meridian.EInvalid {
				t.Errorf("Allow(%+v): code %q (%v), want %q", l, got, err, meridian.EInvalid)
			}
		}
	})
}

func mustAllow(t *testing.T, l Limiter, key string, lim Limit) Result {
	t.Helper()
	r, err := l.Allow(context.Background(), key, lim)
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return r
}

func mustAllowed(t *testing.T, l Limiter, key string, lim Limit, want bool) Result {
	t.Helper()
	r := mustAllow(t, l, key, lim)
	if r.Allowed != want {
		t.Fatalf("Allow(%q) = %+v, want allowed=%v", key, r, want)
	}
	return r
}

func within(t *testing.T, what string, got, want, tol time.Duration) {
	t.Helper()
	if got < want-tol || got > want+tol {
		t.Fatalf("%s = %v, want %v ± %v", what, got, want, tol)
	}
}

// fakeClock is a manual clock for the memory limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryContract(t *testing.T) {
	t.Parallel()
	runContract(t, func(t *testing.T) harness {
		c := newFakeClock()
		return harness{l: NewMemory(1000, WithClock(c.Now)), advance: c.Advance}
	})
}

func TestRedisContract(t *testing.T) {
	t.Parallel()
	redisClient(t) // skip (or fail under CI=true) the whole suite at once
	runContract(t, func(t *testing.T) harness {
		c := redisClient(t)
		return harness{l: NewRedis(c, redisPrefix(t, c)), tol: 250 * time.Millisecond}
	})
}

// redisURL is the test server: MERIDIAN_TEST_REDIS_URL or the local default.
func redisURL() string {
	if u := os.Getenv("MERIDIAN_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// redisClient connects to the test server, closed when the test ends. It
// skips the test when the server is unreachable, or fails it under CI=true.
func redisClient(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatalf("MERIDIAN_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis not reachable at %s: %v (CI=true requires it)", opt.Addr, err)
		}
		t.Skipf("Redis not reachable at %s: %v; set CI=true to require it", opt.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// redisPrefix returns a random key prefix whose keys are deleted when the
// test ends.
func redisPrefix(t testing.TB, c *redis.Client) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	prefix := "meridian_test:ratelimit:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		keys, err := c.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Errorf("list test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("delete test keys: %v", err)
			}
		}
	})
	return prefix
}

func TestRedisKeysExpireAndUsePrefix(t *testing.T) {
	t.Parallel()
	c := redisClient(t)
	prefix := redisPrefix(t, c)
	l := NewRedis(c, prefix)
	mustAllowed(t, l, "k", Limit{Rate: 1, Burst: 3}, true)
	ttl, err := c.PTTL(context.Background(), prefix+"k").Result()
	if err != nil {
		t.Fatal(err)
	}
	// The key lives until the bucket is full again: ~1s for one token.
	if ttl <= 0 || ttl > 1100*time.Millisecond {
		t.Fatalf("TTL of the bucket key = %v, want in (0, 1.1s]", ttl)
	}
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRedisDownFallsBackToLocalBuckets(t *testing.T) {
	t.Parallel()
	c := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	clock := newFakeClock()
	l := NewRedis(c, "meridian_test:", WithLogger(logger), WithClock(clock.Now))

	lim := Limit{Rate: 1, Burst: 3}
	for i := 0; i < 3; i++ {
		if r := mustAllowed(t, l, "k", lim, true); r.Remaining != 2-i {
			t.Fatalf("request %d: remaining %d, want %d", i+1, r.Remaining, 2-i)
		}
	}
	r := mustAllowed(t, l, "k", lim, false)
	within(t, "RetryAfter", r.RetryAfter, time.Second, time.Microsecond)
	mustAllowed(t, l, "other", lim, true) // keys stay independent
	// Past the cooldown, Redis is tried again, still fails, and the local
	// bucket keeps its state (a refill of one token in 1s).
	clock.Advance(time.Second)
	mustAllowed(t, l, "k", lim, true)
	mustAllowed(t, l, "k", lim, false)

	out := logs.String()
	if n := strings.Count(out, "redis unavailable"); n != 1 {
		t.Fatalf("logged the outage %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "level=WARN") {
		t.Fatalf("outage not logged as a warning:\n%s", out)
	}
}

// flakyScripter fails every script call while broken is set.
type flakyScripter struct {
	redis.Scripter
	broken atomic.Bool
}

var errBroken = errors.New("connection reset by test")

func (f *flakyScripter) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	if f.broken.Load() {
		return redis.NewCmdResult(nil, errBroken)
	}
	return f.Scripter.EvalSha(ctx, sha1, keys, args...)
}

func (f *flakyScripter) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	if f.broken.Load() {
		return redis.NewCmdResult(nil, errBroken)
	}
	return f.Scripter.Eval(ctx, script, keys, args...)
}

func TestRedisRecoversAfterCooldown(t *testing.T) {
	t.Parallel()
	c := redisClient(t)
	prefix := redisPrefix(t, c)
	flaky := &flakyScripter{Scripter: c}
	var logs syncBuffer
	clock := newFakeClock()
	l := NewRedis(flaky, prefix, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), WithClock(clock.Now), WithCooldown(time.Minute))
	lim := Limit{Rate: 1.0 / 3600, Burst: 2}

	mustAllowed(t, l, "k", lim, true) // Redis: 1 left
	flaky.broken.Store(true)
	mustAllowed(t, l, "k", lim, true) // local: 1 left
	mustAllowed(t, l, "k", lim, true) // local: 0 left
	mustAllowed(t, l, "k", lim, false)
	flaky.broken.Store(false)
	mustAllowed(t, l, "k", lim, false) // still cooling down: local decides
	clock.Advance(time.Minute)
	if r := mustAllowed(t, l, "k", lim, true); r.Remaining != 0 { // Redis again: its bucket had 1 left
		t.Fatalf("after recovery: remaining %d, want 0 (Redis's own bucket)", r.Remaining)
	}
	mustAllowed(t, l, "k", lim, false)
	out := logs.String()
	if !strings.Contains(out, "redis unavailable") || !strings.Contains(out, "redis available again") {
		t.Fatalf("outage and recovery not both logged:\n%s", out)
	}
}

func TestRedisCallerCancellationStillLimits(t *testing.T) {
	t.Parallel()
	c := redisClient(t)
	var logs syncBuffer
	l := NewRedis(c, redisPrefix(t, c), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lim := Limit{Rate: 1.0 / 3600, Burst: 1}
	for i, want := range []bool{true, false, false} {
		r, err := l.Allow(ctx, "k", lim)
		if err != nil || r.Allowed != want {
			t.Fatalf("request %d with a cancelled context: %+v, %v; want allowed=%v", i+1, r, err, want)
		}
	}
	if logs.String() != "" {
		t.Fatalf("a caller's cancellation was logged as an outage:\n%s", logs.String())
	}
}

func TestMemoryIsBounded(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := NewMemory(100, WithClock(clock.Now))
	lim := Limit{Rate: 1.0 / 3600, Burst: 1}
	mustAllowed(t, m, "hot", lim, true)
	for i := 0; i < 1000; i++ {
		mustAllowed(t, m, "cold-"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+hex.EncodeToString([]byte{byte(i), byte(i >> 8)}), lim, true)
		if i%50 == 0 {
			mustAllowed(t, m, "hot", lim, false) // recently used: survives eviction
		}
		if n := m.Len(); n > 100 {
			t.Fatalf("after %d keys: %d buckets held, want at most 100", i+1, n)
		}
	}
	mustAllowed(t, m, "hot", lim, false)
}

func TestMemoryDropsIdleBuckets(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := NewMemory(1000, WithClock(clock.Now))
	lim := Limit{Rate: 10, Burst: 5}
	for i := 0; i < 10; i++ {
		mustAllowed(t, m, string(rune('a'+i)), lim, true)
	}
	if n := m.Len(); n != 10 {
		t.Fatalf("Len = %d, want 10", n)
	}
	clock.Advance(50 * time.Millisecond) // not yet full
	m.Sweep()
	if n := m.Len(); n != 10 {
		t.Fatalf("after a partial refill: Len = %d, want 10", n)
	}
	clock.Advance(50 * time.Millisecond) // full: idle
	mustAllowed(t, m, "new", lim, true)  // drops idle buckets from the cold end as it goes
	if n := m.Len(); n > 9 {
		t.Fatalf("Allow did not drop idle buckets: Len = %d", n)
	}
	m.Sweep()
	if n := m.Len(); n != 1 {
		t.Fatalf("after Sweep: Len = %d, want 1 (the bucket just used)", n)
	}
}

func TestMemoryShardsLargeBounds(t *testing.T) {
	t.Parallel()
	m := NewMemory(0)
	if len(m.shards) < 2 {
		t.Fatalf("default memory limiter has %d shard(s), want several", len(m.shards))
	}
	total := 0
	for i := range m.shards {
		total += m.shards[i].max
	}
	if total < DefaultMaxKeys || total > DefaultMaxKeys+len(m.shards) {
		t.Fatalf("shards hold %d keys in all, want ~%d", total, DefaultMaxKeys)
	}
}
