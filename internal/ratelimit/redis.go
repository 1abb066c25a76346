package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is GCRA in one atomic step. It stores the bucket's theoretical
// arrival time (TAT) in microseconds since 2024-01-01 under KEYS[1] (a small
// epoch keeps the doubles of Lua exact to a fraction of a microsecond), and
// takes the time from the Redis server, so that nodes with skewed clocks
// still share one bucket. The key expires when the bucket is full again.
// It touches one key only, so it also runs on Redis Cluster.
//
// ARGV: rate (tokens per second), burst.
// Returns {allowed (0|1), remaining, reset_after_us, retry_after_us}.
//
// Written for Meridian after the GCRA script of github.com/go-redis/redis_rate
// (itself from rwz/redis-gcra); unlike that library it takes a fractional
// rate directly and reports the results in integer microseconds.
var gcraScript = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = (tonumber(t[1]) - 1704067200) * 1000000 + tonumber(t[2])
local interval = 1000000 / rate
local tau = interval * burst
local tat = tonumber(redis.call('GET', KEYS[1]) or '') or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - tau
if now < allow_at then
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
local remaining = math.floor((now - allow_at) / interval + 1e-6)
local reset_after = new_tat - now
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', math.ceil(reset_after / 1000) + 1)
return {1, remaining, math.ceil(reset_after), 0}
`)

// Redis is a Limiter whose buckets live in Redis, shared by every node.
//
// Failure policy: when a Redis call fails (or exceeds WithTimeout), the
// decision is taken by a local in-memory bucket for that key, with the same
// Limit, and Redis is left alone for WithCooldown. Requests therefore stay
// limited during an outage — per node rather than cluster-wide — and Allow
// never answers "allowed without limit". The outage and the recovery are
// logged once each (WithLogger).
type Redis struct {
	client redis.Scripter
	prefix string
	o      options
	local  *Memory

	mu        sync.Mutex
	down      bool
	downUntil time.Time
}

// NewRedis returns a Limiter keeping its buckets under prefix in Redis.
// client is usually a *redis.Client; a *redis.ClusterClient works too.
// Options: WithLogger, WithTimeout, WithCooldown, WithFallbackKeys, WithClock
// (for the fallback).
func NewRedis(client redis.Scripter, prefix string, opts ...Option) *Redis {
	o := newOptions(opts)
	return &Redis{
		client: client,
		prefix: prefix,
		o:      o,
		local:  NewMemory(o.fallbackMax, WithClock(o.clock)),
	}
}

// Allow spends one token of the bucket key under l.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	if err := l.Validate(); err != nil {
		return Result{}, err
	}
	if r.coolingDown() {
		return r.local.allow(key, l), nil
	}
	cctx, cancel := context.WithTimeout(ctx, r.o.timeout)
	v, err := gcraScript.Run(cctx, r.client, []string{r.prefix + key}, l.Rate, l.Burst).Int64Slice()
	cancel()
	if err == nil && len(v) != 4 {
		err = fmt.Errorf("rate limit script returned %d values, want 4", len(v))
	}
	if err != nil {
		if ctx.Err() == nil { // the caller did not give up: Redis failed
			r.failed(err)
		}
		return r.local.allow(key, l), nil
	}
	r.succeeded()
	return Result{
		Allowed:    v[0] == 1,
		Limit:      l.Burst,
		Remaining:  int(v[1]),
		ResetAfter: time.Duration(v[2]) * time.Microsecond,
		RetryAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}

func (r *Redis) coolingDown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.down && r.o.clock().Before(r.downUntil)
}

func (r *Redis) failed(err error) {
	r.mu.Lock()
	was := r.down
	r.down = true
	r.downUntil = r.o.clock().Add(r.o.cooldown)
	r.mu.Unlock()
	if !was && r.o.logger != nil {
		r.o.logger.Warn("rate limit: redis unavailable; limiting with local buckets", slog.String("err", err.Error()))
	}
}

func (r *Redis) succeeded() {
	r.mu.Lock()
	was := r.down
	r.down = false
	r.mu.Unlock()
	if was && r.o.logger != nil {
		r.o.logger.Info("rate limit: redis available again")
	}
}
