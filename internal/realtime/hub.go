// Package realtime fans events out to live subscribers (Server-Sent Events
// today). Every node runs a Feed over the event stream (follow.Follower),
// so a posting published on any node reaches the subscribers of every
// node; message ids are event-store positions, the same on every node, so
// a client that reconnects elsewhere resumes where it was.
//
// Only public channels exist so far: what they carry is what anyone may
// read through the REST API (published postings). Private channels
// (application updates, matches) are part of issue 7's remaining work.
package realtime

import (
	"encoding/json"
	"slices"
	"sync"
)

// Channels.
const (
	// ChanJobsNew carries each posting when it is first published.
	ChanJobsNew = "jobs.new"
	// ChanJobsClosed carries the id of each posting closed or expired.
	ChanJobsClosed = "jobs.closed"
)

// Public lists the channels anyone may subscribe to.
var Public = []string{ChanJobsNew, ChanJobsClosed}

// Message is one event on a channel. ID is the event-store position of
// the event it comes from.
type Message struct {
	ID      int64
	Channel string
	Data    json.RawMessage
}

// Sub is one subscriber: messages arrive on C until the hub drops it
// (Dropped is then closed and Reason says why) or it unsubscribes.
type Sub struct {
	C        chan Message
	Dropped  chan struct{}
	Reason   string
	channels map[string]bool
}

// Hub keeps the subscribers and the last messages, for resuming.
type Hub struct {
	mu     sync.Mutex
	subs   map[*Sub]struct{}
	recent []Message // at least the last keep messages, in id order
	keep   int
	// forgotten is the id of the newest message no longer kept (0: none).
	forgotten int64
}

// DefaultKeep is how many recent messages a hub keeps for resuming.
const DefaultKeep = 10_000

// NewHub returns a hub keeping the last keep messages (DefaultKeep when 0).
func NewHub(keep int) *Hub {
	if keep <= 0 {
		keep = DefaultKeep
	}
	return &Hub{subs: map[*Sub]struct{}{}, keep: keep}
}

// Subscribe registers a subscriber to channels with a buffer of that many
// messages, after sending it the kept messages with an id above after (a
// resume; after < 0: none). ok is false when messages after it are no
// longer kept: the subscriber has missed some and should refetch.
func (h *Hub) Subscribe(channels []string, buffer int, after int64) (s *Sub, ok bool) {
	s = &Sub{C: make(chan Message, buffer), Dropped: make(chan struct{}), channels: map[string]bool{}}
	for _, c := range channels {
		s.channels[c] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ok = true
	if after >= 0 {
		i, _ := slices.BinarySearchFunc(h.recent, after+1, func(m Message, id int64) int { return int(m.ID - id) })
		ok = after >= h.forgotten // else messages after the resume point are gone
		for _, m := range h.recent[i:] {
			if !s.channels[m.Channel] {
				continue
			}
			select {
			case s.C <- m:
			default:
				s.drop("slow consumer: the resume backlog exceeds the connection's buffer")
				return s, ok
			}
		}
	}
	h.subs[s] = struct{}{}
	return s, ok
}

// Unsubscribe removes s.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// drop ends s with reason (h.mu held or s not registered yet).
func (s *Sub) drop(reason string) {
	select {
	case <-s.Dropped:
	default:
		s.Reason = reason
		close(s.Dropped)
	}
}

// Publish delivers m to every subscriber of its channel without ever
// waiting: a subscriber whose buffer is full is dropped ("slow
// consumer"), so that no connection can stall the others.
func (h *Hub) Publish(m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recent = append(h.recent, m)
	if len(h.recent) >= 2*h.keep { // trimmed in halves: amortized O(1)
		h.forgotten = h.recent[len(h.recent)-h.keep-1].ID
		h.recent = slices.Clone(h.recent[len(h.recent)-h.keep:])
	}
	for s := range h.subs {
		if !s.channels[m.Channel] {
			continue
		}
		select {
		case s.C <- m:
		default:
			s.drop("slow consumer: more than the connection's buffer of messages waiting")
			delete(h.subs, s)
		}
	}
}

// Subscribers is the number of live subscribers.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
