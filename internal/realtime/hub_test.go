package realtime

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
)

func msg(id int64, ch string) Message { return Message{ID: id, Channel: ch, Data: json.RawMessage(`{}`)} }

// A slow subscriber is dropped with a reason; the others get every message.
func TestSlowConsumerIsDroppedOthersUnaffected(t *testing.T) {
	h := NewHub(100)
	slow, _ := h.Subscribe(Public, 2, -1)
	fast, _ := h.Subscribe(Public, 1000, -1)
	for i := range 10 {
		h.Publish(msg(int64(i+1), ChanJobsNew)) // never blocks
	}
	select {
	case <-slow.Dropped:
	default:
		t.Fatal("slow subscriber not dropped")
	}
	if slow.Reason == "" || len(slow.C) != 2 || len(fast.C) != 10 || h.Subscribers() != 1 {
		t.Fatalf("reason %q, slow queued %d, fast got %d, subscribers %d", slow.Reason, len(slow.C), len(fast.C), h.Subscribers())
	}
}

// Resume gives the kept messages after an id, on the subscribed channels;
// once messages after the id are forgotten, ok is false.
func TestResume(t *testing.T) {
	h := NewHub(3)
	for i := int64(1); i <= 5; i++ {
		ch := ChanJobsNew
		if i%2 == 0 {
			ch = ChanJobsClosed
		}
		h.Publish(msg(i, ch))
	}
	s, ok := h.Subscribe([]string{ChanJobsNew}, 10, 2)
	if !ok || len(s.C) != 2 || (<-s.C).ID != 3 || (<-s.C).ID != 5 {
		t.Fatalf("resume after 2: ok %v", ok)
	}
	for i := int64(6); i <= 12; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	if _, ok := h.Subscribe(Public, 100, 2); ok {
		t.Error("resume after a forgotten message reported ok")
	}
	if s, ok := h.Subscribe(Public, 100, 11); !ok || len(s.C) != 1 {
		t.Errorf("resume after 11: ok %v, %d messages", ok, len(s.C))
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
	s, _ := h.Subscribe(Public, 10, -1)
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
