package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// DefaultMaxKeys is the key bound of NewMemory(0).
const DefaultMaxKeys = 100_000

// Memory is an in-process Limiter. Its memory is bounded: it holds at most
// max buckets (NewMemory), drops buckets that have refilled completely (an
// idle bucket is the same as no bucket, so this loses nothing), and when it
// is full drops the least recently used bucket to make room.
//
// Dropping a bucket that is not yet full forgets spent tokens, so max should
// comfortably exceed the number of keys active within a refill window.
type Memory struct {
	clock  meridian.Clock
	seed   maphash.Seed
	shards []memShard
}

type memShard struct {
	mu      sync.Mutex
	max     int
	buckets map[string]*bucket
	// head is the most recently used bucket, tail the least recently used.
	head, tail *bucket
}

type bucket struct {
	key        string
	tat        time.Time
	prev, next *bucket
}

// NewMemory returns a Memory limiter holding at most max buckets
// (DefaultMaxKeys when max <= 0). Options: WithClock.
func NewMemory(max int, opts ...Option) *Memory {
	o := newOptions(opts)
	if max <= 0 {
		max = DefaultMaxKeys
	}
	// Shard to spread lock contention, but keep at least 1024 keys per
	// shard so that a small bound is not split into tiny LRUs.
	n := 1
	for n < 32 && max/(n*2) >= 1024 {
		n *= 2
	}
	m := &Memory{clock: o.clock, seed: maphash.MakeSeed(), shards: make([]memShard, n)}
	per := (max + n - 1) / n
	for i := range m.shards {
		m.shards[i].max = per
		m.shards[i].buckets = make(map[string]*bucket)
	}
	return m
}

// Allow spends one token of the bucket key under l.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	if err := l.Validate(); err != nil {
		return Result{}, err
	}
	return m.allow(key, l), nil
}

func (m *Memory) allow(key string, l Limit) Result {
	now := m.clock()
	s := &m.shards[0]
	if len(m.shards) > 1 {
		s = &m.shards[maphash.String(m.seed, key)%uint64(len(m.shards))]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	var tat time.Time
	if b != nil {
		tat = b.tat
	}
	newTAT, r := gcra(tat, now, l)
	if b == nil {
		if !r.Allowed { // cannot happen with Burst >= 1, but never store a no-op
			return r
		}
		if len(s.buckets) >= s.max {
			s.remove(s.tail)
		}
		b = &bucket{key: key}
		s.buckets[key] = b
		s.pushFront(b)
	} else {
		s.moveToFront(b)
	}
	b.tat = newTAT
	// Opportunistically drop a couple of full buckets from the cold end.
	for i := 0; i < 2 && s.tail != nil && s.tail != b && !s.tail.tat.After(now); i++ {
		s.remove(s.tail)
	}
	return r
}

// Len returns the number of buckets held.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// Sweep drops every bucket that has refilled completely. Allow already does
// this incrementally; Sweep is for callers that want to release memory after
// a burst of one-off keys.
func (m *Memory) Sweep() {
	now := m.clock()
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		for b := s.tail; b != nil; {
			prev := b.prev
			if !b.tat.After(now) {
				s.remove(b)
			}
			b = prev
		}
		s.mu.Unlock()
	}
}

func (s *memShard) pushFront(b *bucket) {
	b.prev, b.next = nil, s.head
	if s.head != nil {
		s.head.prev = b
	}
	s.head = b
	if s.tail == nil {
		s.tail = b
	}
}

func (s *memShard) unlink(b *bucket) {
	if b.prev != nil {
		b.prev.next = b.next
	} else {
		s.head = b.next
	}
	if b.next != nil {
		b.next.prev = b.prev
	} else {
		s.tail = b.prev
	}
	b.prev, b.next = nil, nil
}

func (s *memShard) moveToFront(b *bucket) {
	if s.head == b {
		return
	}
	s.unlink(b)
	s.pushFront(b)
}

func (s *memShard) remove(b *bucket) {
	if b == nil {
		return
	}
	s.unlink(b)
	delete(s.buckets, b.key)
}
