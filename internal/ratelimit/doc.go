// Package ratelimit is Meridian's token-bucket rate limiting for the API:
// per client IP, per principal and per API key.
//
// A Limiter answers one question — may this key spend one token now? — and
// reports the bucket's state (Result) so that transports can send the IETF
// RateLimit headers. Two limiters implement it:
//
//   - Memory (NewMemory): in-process buckets for embedded mode, sharded, with
//     a bound on the number of keys. Full (idle) buckets are dropped, which
//     loses nothing; when the bound is reached the least recently used bucket
//     is dropped.
//   - Redis (NewRedis): one atomic Lua script per decision so that every node
//     of a cluster shares the same buckets. Each decision touches exactly one
//     key, so the script also runs on Redis Cluster. When Redis fails, Redis
//     falls back to a local Memory bucket for that key: it never answers
//     "allowed without limit".
//
// Both implement the same algorithm, GCRA (the generic cell rate algorithm),
// which is a token bucket stored as a single timestamp: the "theoretical
// arrival time" (TAT) at which the bucket would be full again.
//
// Middleware applies a list of Rules to net/http requests. It must run after
// authentication (so that principal rules see the principal) and it only ever
// rejects a request or passes it on: it never skips the authorization that
// the application layer performs.
//
// Errors: Allow returns a *meridian.Error with code meridian.EInvalid for a
// Limit whose Rate or Burst is not positive. The middleware answers 429 with
// code meridian.ERateLimited when a rule denies a request.
package ratelimit
