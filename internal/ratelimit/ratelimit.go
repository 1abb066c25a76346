package ratelimit

import (
	"context"
	"math"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Limit is a token bucket: it refills at Rate tokens per second and holds at
// most Burst tokens. Each request spends one token.
type Limit struct {
	Rate  float64 // tokens per second
	Burst int
}

// PerSecond, PerMinute and PerHour return a Limit that allows n requests in
// the period, all of them at once if the bucket is full.
func PerSecond(n int) Limit { return Limit{Rate: float64(n), Burst: n} }

// PerMinute returns a Limit of n requests per minute with a burst of n.
func PerMinute(n int) Limit { return Limit{Rate: float64(n) / 60, Burst: n} }

// PerHour returns a Limit of n requests per hour with a burst of n.
func PerHour(n int) Limit { return Limit{Rate: float64(n) / 3600, Burst: n} }

// Validate returns a meridian.EInvalid error unless Rate and Burst are
// positive and the bucket refills within a century.
func (l Limit) Validate() error {
	if !(l.Rate > 0) || math.IsInf(l.Rate, 0) || l.Rate > 1e9 {
		return meridian.Errorf(meridian.EInvalid, "rate limit: rate must be positive and at most 1e9 per second, got %v", l.Rate)
	}
	if l.Burst < 1 || l.Burst > 1e9 {
		return meridian.Errorf(meridian.EInvalid, "rate limit: burst must be between 1 and 1e9, got %d", l.Burst)
	}
	if float64(l.Burst)/l.Rate > maxRefill.Seconds() {
		return meridian.Errorf(meridian.EInvalid, "rate limit: a bucket of %d at %v per second takes more than a century to refill", l.Burst, l.Rate)
	}
	return nil
}

const maxRefill = 100 * 365 * 24 * time.Hour

// Window returns the time in which an empty bucket fills up (Burst / Rate).
func (l Limit) Window() time.Duration {
	return time.Duration(float64(l.Burst) / l.Rate * float64(time.Second))
}

// interval is GCRA's emission interval: the time one token takes to refill.
func (l Limit) interval() time.Duration {
	d := time.Duration(float64(time.Second) / l.Rate)
	if d < 1 {
		d = 1
	}
	return d
}

// Result is the outcome of one Allow call.
type Result struct {
	// Allowed reports whether the request may proceed (one token was spent).
	Allowed bool
	// Limit is the bucket's size (Limit.Burst).
	Limit int
	// Remaining is the number of whole tokens left after this request.
	Remaining int
	// ResetAfter is the time until the bucket is full again.
	ResetAfter time.Duration
	// RetryAfter is, when the request was denied, the time until one token
	// is available; zero when allowed.
	RetryAfter time.Duration
}

// Limiter decides whether the bucket named key may spend one token under l.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Result, error)
}

// gcra applies one request to a bucket whose theoretical arrival time is tat
// (the zero time for a new bucket) at time now. It returns the new TAT
// (unchanged when the request is denied) and the Result.
func gcra(tat, now time.Time, l Limit) (time.Time, Result) {
	t := l.interval()
	tau := time.Duration(l.Burst) * t
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(t)
	allowAt := newTAT.Add(-tau)
	if now.Before(allowAt) {
		return tat, Result{
			Allowed:    false,
			Limit:      l.Burst,
			Remaining:  0,
			ResetAfter: tat.Sub(now),
			RetryAfter: allowAt.Sub(now),
		}
	}
	return newTAT, Result{
		Allowed:    true,
		Limit:      l.Burst,
		Remaining:  int(now.Sub(allowAt) / t),
		ResetAfter: newTAT.Sub(now),
	}
}

var (
	_ Limiter = (*Memory)(nil)
	_ Limiter = (*Redis)(nil)
)
