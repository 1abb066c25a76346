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
	slow := h.Subscribe(Public, 2, FromNow)
	fast := h.Subscribe(Public, 1000, FromNow)
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
	msgs, ok := h.Since(slow, Cursor{ID: last})
	if !ok || len(msgs) != 6 || msgs[0].ID != 3 || msgs[5].ID != 8 || slow.Lagging() {
		t.Fatalf("catch-up from %d: ok %v, %d messages %v", last, ok, len(msgs), msgs)
	}
	for i := int64(9); i <= 40; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	if msgs, ok := h.Since(slow, Cursor{ID: 8}); ok || len(msgs) == 0 || msgs[0].ID <= 8 {
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
	s := h.Subscribe([]string{ChanJobsNew}, 10, Cursor{ID: 2})
	msgs, ok := h.Since(s, Cursor{ID: 2})
	if !s.Lagging() && (!ok || len(msgs) != 2 || msgs[0].ID != 3 || msgs[1].ID != 5) {
		t.Fatalf("resume after 2: ok %v, %v", ok, msgs)
	}
	for i := int64(6); i <= 12; i++ {
		h.Publish(msg(i, ChanJobsNew))
	}
	if _, ok := h.Since(h.Subscribe(Public, 100, Cursor{ID: 2}), Cursor{ID: 2}); ok {
		t.Error("resume after a forgotten message reported ok")
	}
	if msgs, ok := h.Since(h.Subscribe(Public, 100, Cursor{ID: 11}), Cursor{ID: 11}); !ok || len(msgs) != 1 {
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
	s := h.Subscribe(Public, 10, FromNow)
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
	st := h.Open(Public, 3, FromNow)
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
	old := h.Open(Public, 3, Cursor{ID: 5})
	defer old.Close()
	msgs, reset, err := old.Next(t.Context(), time.Second)
	if err != nil || !reset || len(msgs) == 0 || msgs[0].ID <= 5 {
		t.Fatalf("resume from 5: %v, reset %v, %v", err, reset, msgs)
	}
}

// One event may make several messages (Seq): a subscriber of both gets
// both, in order, and resumes between them; ephemeral messages (market
// ticks) reach whoever listens and are never kept for resuming.
func TestSeqAndEphemeral(t *testing.T) {
	h := NewHub(100)
	st := h.Open([]string{"a", "b", ChanMarketTicks}, 10, FromNow)
	defer st.Close()
	h.Publish(Message{ID: 7, Seq: 0, Channel: "a", Data: json.RawMessage(`1`)})
	h.Publish(Message{Channel: ChanMarketTicks, Data: json.RawMessage(`{}`)})
	h.Publish(Message{ID: 7, Seq: 1, Channel: "b", Data: json.RawMessage(`2`)})
	ctx := context.Background()
	msgs, _, err := st.Next(ctx, time.Second)
	if err != nil || len(msgs) != 3 || msgs[0].Cursor() != (Cursor{7, 0}) || !msgs[1].Ephemeral() || msgs[2].Cursor() != (Cursor{7, 1}) {
		t.Fatalf("got %v, %v", msgs, err)
	}
	c, err := ParseCursor(Cursor{7, 0}.String())
	if err != nil || c != (Cursor{7, 0}) {
		t.Fatalf("round trip: %v %v", c, err)
	}
	if c, err := ParseCursor("7.1"); err != nil || c != (Cursor{7, 1}) || c.String() != "7.1" {
		t.Fatalf("7.1: %v %v", c, err)
	}
	for _, bad := range []string{"", "x", "-1", "7.", "7.x", "7.-1"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
	// Resuming after the first message of event 7 gets the second only;
	// the tick was never kept.
	again := h.Open([]string{"a", "b", ChanMarketTicks}, 10, c)
	defer again.Close()
	msgs, reset, err := again.Next(ctx, time.Second)
	if err != nil || reset || len(msgs) != 1 || msgs[0].Cursor() != (Cursor{7, 1}) {
		t.Fatalf("resume after 7.0: %v reset %v %v", msgs, reset, err)
	}
}

// Hub channel names of private channels map back to the names their
// owner used, and to nothing for anyone else.
func TestClientChannel(t *testing.T) {
	for _, c := range []struct{ hub, user, want string }{
		{UserChannel("u1", KindApplications), "u1", "me.applications"},
		{UserChannel("u1", KindMatches), "u1", "me.matches"},
		{UserChannel("u1", KindMatches), "u2", ""},
		{OrgChannel("o1", KindApplications), "u2", "org.o1.applications"},
		{ChanJobsNew, "", ChanJobsNew},
	} {
		if got := ClientChannel(c.hub, c.user); got != c.want {
			t.Errorf("ClientChannel(%q, %q) = %q, want %q", c.hub, c.user, got, c.want)
		}
	}
}

// A feed that re-applies an event after a failure publishes its first
// messages again: the hub keeps each once, in order.
func TestRepublishedMessagesKeptOnce(t *testing.T) {
	h := NewHub(100)
	for _, id := range []int64{1, 2, 3, 2, 3, 4} {
		h.Publish(msg(id, ChanJobsNew))
	}
	s := h.Subscribe(Public, 10, Cursor{ID: 0})
	msgs, ok := h.Since(s, Cursor{ID: 0})
	if !ok || len(msgs) != 4 {
		t.Fatalf("kept %v", msgs)
	}
	for i, m := range msgs {
		if m.ID != int64(i+1) {
			t.Fatalf("kept %v", msgs)
		}
	}
}

// Changing a stream's channels moves it in the hub's index: it hears its
// new channels only, and a closed stream leaves nothing behind.
func TestSetChannelsMovesTheSubscription(t *testing.T) {
	h := NewHub(10)
	st := h.Open([]string{"a"}, 10, FromNow)
	st.SetChannels([]string{"b"})
	h.Publish(msg(1, "a"))
	h.Publish(msg(2, "b"))
	msgs, _, err := st.Next(context.Background(), time.Second)
	if err != nil || len(msgs) != 1 || msgs[0].Channel != "b" {
		t.Fatalf("got %v %v", msgs, err)
	}
	st.Close()
	st.SetChannels([]string{"c"}) // after Close: no effect on the hub
	if len(h.byChan) != 0 || h.Subscribers() != 0 {
		t.Fatalf("left behind: %v, %d subscribers", h.byChan, h.Subscribers())
	}
}
