package graphql

import (
	"context"
	"sync"
)

// queryCache keeps parsed operations for reuse, bounded: two generations
// of at most size entries each; when the newer fills up the older is
// dropped, so that frequent operations stay and the memory stays bounded
// whatever clients send.
type queryCache[T any] struct {
	mu        sync.Mutex
	size      int
	cur, prev map[string]T
}

func newQueryCache[T any](size int) *queryCache[T] {
	return &queryCache[T]{size: size, cur: map[string]T{}}
}

// Get implements graphql.Cache.
func (c *queryCache[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[key]; ok {
		return v, true
	}
	v, ok := c.prev[key]
	if ok {
		c.add(key, v)
	}
	return v, ok
}

// Add implements graphql.Cache.
func (c *queryCache[T]) Add(_ context.Context, key string, value T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add(key, value)
}

func (c *queryCache[T]) add(key string, value T) {
	if len(c.cur) >= c.size {
		c.prev, c.cur = c.cur, make(map[string]T, c.size)
	}
	c.cur[key] = value
}
