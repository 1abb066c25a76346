package realtime

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
)

func msg(id int64, ch string) Message {
	return Message{ID: id, Channel: ch, Data: json.RawMessage(`{}`)}
}

// Publishing never waits: a subscriber whose queue is full is marked
// lagging and catches up from the kept messages, in order, without
// duplicates; the others get everything queued. One that falls behind
// everything kept learns it has missed messages for good.
func TestLaggingSubscriberCatchesUpOthersUnaffected(t *testing.T) {
	h := NewHub(10)
	slow := h.Subscribe(Public, 2, -1)
	fast := h.Subscribe(Public, 1000, -1)
	for i := range 8 {
		h.Publish(msg(int64(i+1), ChanJobsNew))
	}
	if !slow.Lagging() || len(slow.C) != 2 || len(fast.C) != 8 || fast.Lagging() {
		t.Fatalf("slow lagging %v with %d queued, fast got %d", slow.Lagging(), len(slow.C), len(fast.C))
	}
	last := int64(0)
	for len(slow.C) > 0 {
		last = (<-slow.C).ID
	}
	msgs, ok := h.Since(slow, last)
	if !ok || len(msgs) != 6 || msgs[0].ID != 3 || msgs[5].ID != 8 || slow.Lagging() {
		t.Fatalf("catch-up from %d: ok %v, %d messages %v", last, ok, len(msgs), msgs)
	}
	for i := int64(9); i <= 40; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	if msgs, ok := h.Since(slow, 8); ok || len(msgs) == 0 || msgs[0].ID <= 8 {
		t.Errorf("after falling behind the window: ok %v, first %v", ok, msgs)
	}
}

// Resume: a subscriber with a Last-Event-ID starts lagging and reads the
// kept messages after it, on its channels.
func TestResume(t *testing.T) {
	h := NewHub(3)
	for i := int64(1); i <= 5; i++ {
		ch := ChanJobsNew
		if i%2 == 0 {
			ch = ChanJobsClosed
		}
		h.Publish(msg(i, ch))
	}
	s := h.Subscribe([]string{ChanJobsNew}, 10, 2)
	msgs, ok := h.Since(s, 2)
	if !s.Lagging() && (!ok || len(msgs) != 2 || msgs[0].ID != 3 || msgs[1].ID != 5) {
		t.Fatalf("resume after 2: ok %v, %v", ok, msgs)
	}
	for i := int64(6); i <= 12; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	if _, ok := h.Since(h.Subscribe(Public, 100, 2), 2); ok {
		t.Error("resume after a forgotten message reported ok")
	}
	if msgs, ok := h.Since(h.Subscribe(Public, 100, 11), 11); !ok || len(msgs) != 1 {
		t.Errorf("resume after 11: ok %v, %v", ok, msgs)
	}
}

// A posting drafted before the feed started is still announced when
// published, from its stream; a renewal is not a new posting.
func TestFeedReadsEarlierDrafts(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	drafted, _ := json.Marshal(domain.JobDraftedEvent{OrgID: "org-1", Details: domain.JobDetails{Title: "Go engineer"}})
	stream := []eventstore.Event{{StreamID: "job-1", Version: 1, Position: 3, Type: domain.JobDrafted, Payload: drafted, Time: at}}
	h := NewHub(0)
	f := NewFeed(h, func(context.Context, string) ([]eventstore.Event, error) { return stream, nil }, 5)
	s := h.Subscribe(Public, 10, -1)
	pub, _ := json.Marshal(domain.JobStatusEvent{At: at})
	if err := f.Apply(t.Context(), []eventstore.Event{{StreamID: "job-1", Version: 2, Position: 9, Type: domain.JobPublished, Payload: pub, Time: at}}); err != nil {
		t.Fatal(err)
	}
	if len(s.C) != 1 {
		t.Fatalf("%d messages", len(s.C))
	}
	var j NewJob
	m := <-s.C
	if err := json.Unmarshal(m.Data, &j); err != nil || m.ID != 9 || j.ID != "job-1" || j.Title != "Go engineer" || j.OrgID != "org-1" {
		t.Fatalf("message %+v: %+v %v", m, j, err)
	}
	// Events at or before the feed's position are ignored.
	if err := f.Apply(t.Context(), []eventstore.Event{{StreamID: "job-1", Version: 2, Position: 9, Type: domain.JobPublished, Payload: pub}}); err != nil || len(s.C) != 0 {
		t.Fatalf("re-applied event: %v, %d messages", err, len(s.C))
	}
}

// A stream returns every message once, in order, through a queue
// overflow; falls behind for good with ErrFellBehind; and reports a
// resume point older than what is kept once, as a reset.
func TestStream(t *testing.T) {
	h := NewHub(50)
	st := h.Open(Public, 3, -1)
	defer st.Close()
	for i := int64(1); i <= 20; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	var got []int64
	for len(got) < 20 {
		msgs, reset, err := st.Next(t.Context(), time.Second)
		if err != nil || reset || len(msgs) == 0 {
			t.Fatalf("after %v: %v, reset %v, %d messages", got, err, reset, len(msgs))
		}
		for _, m := range msgs {
			got = append(got, m.ID)
		}
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("ids %v", got)
		}
	}
	for i := int64(21); i <= 200; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	for {
		_, _, err := st.Next(t.Context(), time.Second)
		if err == ErrFellBehind {
			break
		}
		if err != nil {
			t.Fatalf("want ErrFellBehind, got %v", err)
		}
	}
	old := h.Open(Public, 3, 5)
	defer old.Close()
	msgs, reset, err := old.Next(t.Context(), time.Second)
	if err != nil || !reset || len(msgs) == 0 || msgs[0].ID <= 5 {
		t.Fatalf("resume from 5: %v, reset %v, %v", err, reset, msgs)
	}
}
