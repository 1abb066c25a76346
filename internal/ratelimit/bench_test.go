package ratelimit

import (
	"context"
	"strconv"
	"testing"
)

func BenchmarkMemoryAllow(b *testing.B) {
	m := NewMemory(0)
	l := PerSecond(1000)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "ip:192.0.2." + strconv.Itoa(i)
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := m.Allow(context.Background(), keys[i%len(keys)], l); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkRedisAllow(b *testing.B) {
	c := redisClient(b)
	l := NewRedis(c, redisPrefix(b, c))
	lim := PerSecond(1000)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := l.Allow(context.Background(), "k"+strconv.Itoa(i%64), lim); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
