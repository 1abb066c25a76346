package realtime

import (
	"context"
	"errors"
	"time"
)

// ErrFellBehind ends a stream whose reader fell behind every message the
// node keeps: it has missed messages for good.
var ErrFellBehind = errors.New("slow consumer: fell behind the messages this node keeps")

// Stream is one reader's view of a hub: its messages in id order, each
// once, whatever the pace of the reader. Queued messages come first; a
// reader whose queue overflowed then reads what it missed from the hub's
// recent messages. The SSE and WebSocket endpoints both read through it.
type Stream struct {
	hub  *Hub
	sub  *Sub
	last Cursor // the last message returned
	// resume: the stream was opened with a Last-Event-ID not yet served.
	resume bool
}

// Open starts a stream of channels with a queue of buffer messages,
// resuming after the cursor after (FromNow: from now on).
func (h *Hub) Open(channels []string, buffer int, after Cursor) *Stream {
	return h.OpenNotify(channels, buffer, after, nil)
}

// OpenNotify is Open for readers that do not wait in Next: notify is
// called, without blocking, whenever the stream has something new
// (Pending), and the reader then takes it with Poll. A stream that resumes
// has something at once.
func (h *Hub) OpenNotify(channels []string, buffer int, after Cursor, notify func()) *Stream {
	sub := h.subscribe(channels, buffer, after, notify)
	if after.ID < 0 {
		after = sub.start
		return &Stream{hub: h, sub: sub, last: after}
	}
	return &Stream{hub: h, sub: sub, last: after, resume: true}
}

// Close ends the stream.
func (st *Stream) Close() { st.hub.Unsubscribe(st.sub) }

// SetChannels changes the channels the stream follows, from the next
// message published on.
func (st *Stream) SetChannels(channels []string) {
	st.hub.mu.Lock()
	defer st.hub.mu.Unlock()
	_, live := st.hub.subs[st.sub]
	if live {
		st.hub.index(st.sub, false)
	}
	st.sub.channels = map[string]bool{}
	for _, c := range channels {
		st.sub.channels[c] = true
	}
	if live {
		st.hub.index(st.sub, true)
	}
}

// Pending reports whether Poll has something to return.
func (st *Stream) Pending() bool { return len(st.sub.C) > 0 || st.sub.Lagging() }

// Poll returns what the stream has now, without waiting (see Next).
func (st *Stream) Poll() (msgs []Message, reset bool, err error) {
	return st.next(context.Background(), 0, false)
}

// Next returns the next messages, waiting up to wait for some (none, and
// no error, when the wait ends first). reset is true once, when a resume
// point is older than what the node keeps: the messages in between are
// lost and the reader should refetch. ctx's end and ErrFellBehind end the
// stream.
func (st *Stream) Next(ctx context.Context, wait time.Duration) (msgs []Message, reset bool, err error) {
	return st.next(ctx, wait, true)
}

func (st *Stream) next(ctx context.Context, wait time.Duration, block bool) (msgs []Message, reset bool, err error) {
	var t *time.Timer
	var queued []Message
	for {
		// Drain the queue before looking at the lagging mark: a message
		// was dropped before any later one was queued, so a queued message
		// that follows a gap is always seen with the mark set.
		for len(st.sub.C) > 0 {
			queued = append(queued, <-st.sub.C)
		}
		if st.sub.Lagging() {
			kept, ok := st.hub.Since(st.sub, st.last)
			switch {
			case !ok && st.resume:
				reset = true
			case !ok:
				return nil, false, ErrFellBehind
			}
			for _, m := range kept {
				msgs = st.take(msgs, m)
			}
		}
		st.resume = false
		if len(msgs) == 0 {
			msgs = queued[:0] // nothing caught up: the queue is filtered in place
		}
		for _, m := range queued { // what catching up returned already is skipped
			msgs = st.take(msgs, m)
		}
		if len(msgs) > 0 || reset || !block {
			return msgs, reset, nil
		}
		msgs, queued = nil, queued[:0]
		if t == nil {
			t = time.NewTimer(wait)
			defer t.Stop()
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case m := <-st.sub.C:
			queued = append(queued, m)
		case <-t.C:
			return nil, false, nil
		}
	}
}

func (st *Stream) take(msgs []Message, m Message) []Message {
	if m.Ephemeral() {
		return append(msgs, m)
	}
	if m.Cursor().compare(st.last) <= 0 {
		return msgs // already returned (queued and caught up both)
	}
	st.last = m.Cursor()
	return append(msgs, m)
}
