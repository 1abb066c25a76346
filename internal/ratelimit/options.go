package ratelimit

import (
	"log/slog"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Option configures NewMemory and NewRedis.
type Option func(*options)

type options struct {
	clock       meridian.Clock
	logger      *slog.Logger
	timeout     time.Duration
	cooldown    time.Duration
	fallbackMax int
}

func newOptions(opts []Option) options {
	o := options{
		clock:       time.Now,
		timeout:     250 * time.Millisecond,
		cooldown:    time.Second,
		fallbackMax: 100_000,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithClock sets the clock of a Memory limiter (and of the Redis limiter's
// local fallback); tests inject a fake one. The default is time.Now.
func WithClock(c meridian.Clock) Option {
	return func(o *options) {
		if c != nil {
			o.clock = c
		}
	}
}

// WithLogger sets the logger that the Redis limiter reports its failures
// and recoveries to. The default discards them.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithTimeout bounds each Redis call (default 250ms); past it, the decision
// is taken by the local fallback bucket.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithCooldown sets how long the Redis limiter keeps using its local
// fallback after a Redis error before it tries Redis again (default 1s), so
// that an outage does not add a timeout to every request.
func WithCooldown(d time.Duration) Option {
	return func(o *options) {
		if d >= 0 {
			o.cooldown = d
		}
	}
}

// WithFallbackKeys bounds the number of keys of the Redis limiter's local
// fallback (default 100,000).
func WithFallbackKeys(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.fallbackMax = n
		}
	}
}
