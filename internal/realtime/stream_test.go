package realtime

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// A reader with a one-message queue and a publisher at random paces: the
// reader gets every message once, in order. (This found a reader that,
// having drained its queue, took a message queued after a gap and so
// skipped the gap.)
func TestStreamGetsEveryMessageInOrder(t *testing.T) {
	for round := range 100 {
		h := NewHub(1000)
		st := h.Open(Public, 1, FromNow)
		const n = 40
		go func() {
			for i := int64(1); i <= n; i++ {
				h.Publish(msg(i, ChanJobsNew))
				if rand.IntN(3) == 0 {
					time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
				}
			}
		}()
		var got []int64
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for len(got) < n {
			msgs, _, err := st.Next(ctx, 100*time.Millisecond)
			if err != nil {
				t.Fatalf("round %d: after %v: %v", round, got, err)
			}
			for _, m := range msgs {
				got = append(got, m.ID)
			}
			if rand.IntN(2) == 0 {
				time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
			}
		}
		cancel()
		st.Close()
		for i, id := range got {
			if id != int64(i+1) {
				t.Fatalf("round %d: got %v", round, got)
			}
		}
	}
}
