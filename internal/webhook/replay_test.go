package webhook_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/webhook"
)

func TestMemoryReplayCacheExpiry(t *testing.T) {
	c := webhook.NewMemoryReplayCache(10)
	t0 := time.Unix(1_750_000_000, 0)
	check := func(id string, now time.Time, want bool) {
		t.Helper()
		seen, err := c.CheckAndStore(id, now, now.Add(time.Minute))
		if err != nil || seen != want {
			t.Fatalf("CheckAndStore(%q, %v) = %v, %v; want %v", id, now.Sub(t0), seen, err, want)
		}
	}
	check("a", t0, false)
	check("a", t0, true)
	check("a", t0.Add(time.Minute), true) // at the expiry time: still held
	check("b", t0.Add(30*time.Second), false)
	check("a", t0.Add(time.Minute+time.Second), false) // expired, stored again
	if n := c.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	check("x", t0.Add(time.Hour), false) // everything else has expired
	if n := c.Len(); n != 1 {
		t.Fatalf("Len after expiry = %d, want 1", n)
	}
}

func TestMemoryReplayCacheBound(t *testing.T) {
	c := webhook.NewMemoryReplayCache(3)
	now := time.Unix(1_750_000_000, 0)
	// Expiries: b first, then c, a, d.
	for id, exp := range map[string]time.Duration{"a": 3, "b": 1, "c": 2} {
		if seen, _ := c.CheckAndStore(id, now, now.Add(exp*time.Minute)); seen {
			t.Fatalf("%s seen", id)
		}
	}
	if seen, _ := c.CheckAndStore("d", now, now.Add(4*time.Minute)); seen {
		t.Fatal("d seen")
	}
	if n := c.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
	// b, the first to expire, made room for d.
	for id, want := range map[string]bool{"a": true, "c": true, "d": true} {
		if seen, _ := c.CheckAndStore(id, now, now.Add(time.Minute)); seen != want {
			t.Errorf("%s: seen = %v, want %v", id, seen, want)
		}
	}
	if seen, _ := c.CheckAndStore("b", now, now.Add(time.Minute)); seen {
		t.Error("b should have been dropped")
	}
	if n := c.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
}

func TestMemoryReplayCacheForget(t *testing.T) {
	c := webhook.NewMemoryReplayCache(0)
	now := time.Unix(1_750_000_000, 0)
	for i := range 100 {
		c.CheckAndStore(fmt.Sprint(i), now, now.Add(time.Duration(i)*time.Second))
	}
	c.Forget("50")
	c.Forget("unknown")
	if n := c.Len(); n != 99 {
		t.Fatalf("Len = %d, want 99", n)
	}
	if seen, _ := c.CheckAndStore("50", now, now.Add(time.Minute)); seen {
		t.Fatal("forgotten id still seen")
	}
	if seen, _ := c.CheckAndStore("51", now, now.Add(time.Minute)); !seen {
		t.Fatal("other id lost")
	}
	// The heap stays consistent: expiring at 30 s drops ids 0..29.
	c.CheckAndStore("new", now.Add(30*time.Second), now.Add(time.Hour))
	if n := c.Len(); n != 100-30+1 {
		t.Fatalf("Len = %d, want 71", n)
	}
}

func TestMemoryReplayCacheConcurrent(t *testing.T) {
	c := webhook.NewMemoryReplayCache(1000)
	now := time.Unix(1_750_000_000, 0)
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				id := fmt.Sprint(i % 250)
				if g%2 == 1 {
					id = fmt.Sprint(249 - i%250)
				}
				if seen, _ := c.CheckAndStore(id, now, now.Add(time.Minute)); !seen {
					fresh.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if fresh.Load() != 250 {
		t.Fatalf("%d ids reported new, want 250", fresh.Load())
	}
}
