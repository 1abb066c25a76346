package webhook

import (
	"container/heap"
	"sync"
	"time"
)

// DefaultReplayCacheSize is the bound of NewMemoryReplayCache(0). An entry
// lives until its message's timestamp plus the tolerance, so at most two
// tolerances: at the default tolerance this covers a sustained 100 messages
// a second.
const DefaultReplayCacheSize = 65536

// ReplayCache remembers the ids of accepted messages.
type ReplayCache interface {
	// CheckAndStore reports whether id is stored and its entry has not
	// expired at now (seen). If not, it stores id until expires. Of
	// concurrent calls with one id, at most one may report false.
	CheckAndStore(id string, now, expires time.Time) (seen bool, err error)
}

// MemoryReplayCache is an in-process ReplayCache holding at most a fixed
// number of ids. Expired entries are dropped as time passes; when it is full
// the entry that would expire first is dropped to make room, which reopens
// that id to a replay for the rest of its window, so size it above the
// number of messages expected within two tolerances. It is safe for
// concurrent use.
type MemoryReplayCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*replayEntry
	byExp   expiryHeap
}

type replayEntry struct {
	id      string
	expires time.Time
	index   int // position in byExp
}

// NewMemoryReplayCache returns a cache of at most max ids
// (DefaultReplayCacheSize when max <= 0).
func NewMemoryReplayCache(max int) *MemoryReplayCache {
	if max <= 0 {
		max = DefaultReplayCacheSize
	}
	return &MemoryReplayCache{max: max, entries: make(map[string]*replayEntry)}
}

// CheckAndStore implements ReplayCache; it never fails.
func (c *MemoryReplayCache) CheckAndStore(id string, now, expires time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if _, ok := c.entries[id]; ok {
		return true, nil
	}
	for len(c.byExp) >= c.max {
		c.remove(c.byExp[0])
	}
	e := &replayEntry{id: id, expires: expires}
	c.entries[id] = e
	heap.Push(&c.byExp, e)
	return false, nil
}

// Forget drops id, so that the next message with it is accepted again. A
// receiver that failed to process an accepted message calls it before
// answering with an error, so that the sender's retry (same id, new
// timestamp) is not refused as a replay.
func (c *MemoryReplayCache) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		c.remove(e)
	}
}

// Len returns the number of ids held, expired ones not yet dropped included.
func (c *MemoryReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// expire drops every entry that expired before now.
func (c *MemoryReplayCache) expire(now time.Time) {
	for len(c.byExp) > 0 && c.byExp[0].expires.Before(now) {
		c.remove(c.byExp[0])
	}
}

func (c *MemoryReplayCache) remove(e *replayEntry) {
	heap.Remove(&c.byExp, e.index)
	delete(c.entries, e.id)
}

// expiryHeap is a min-heap of entries by expiry time.
type expiryHeap []*replayEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *expiryHeap) Push(x any) {
	e := x.(*replayEntry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
