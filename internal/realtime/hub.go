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
	"cmp"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
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

// Sub is one subscriber. Messages arrive on C; when C is full the hub
// does not wait but marks the subscriber lagging, and the subscriber reads
// what it missed from the hub's recent messages (Since) once it has
// drained C. Only a subscriber that falls behind everything the hub keeps
// is dropped (Drop, with the reason).
type Sub struct {
	C        chan Message
	channels map[string]bool
	lagging  atomic.Bool
}

// Lagging reports whether messages were not queued for s since the last
// call to Since.
func (s *Sub) Lagging() bool { return s.lagging.Load() }

// Hub keeps the subscribers and the last messages, shared by all of them
// for catching up and resuming.
type Hub struct {
	mu     sync.Mutex
	subs   map[*Sub]struct{}
	recent []Message // at least the last keep messages, in id order
	keep   int
	// forgotten is the id of the newest message no longer kept (0: none).
	forgotten int64
}

// DefaultKeep is how many recent messages a hub keeps.
const DefaultKeep = 10_000

// NewHub returns a hub keeping the last keep messages (DefaultKeep when 0).
func NewHub(keep int) *Hub {
	if keep <= 0 {
		keep = DefaultKeep
	}
	return &Hub{subs: map[*Sub]struct{}{}, keep: keep}
}

// Subscribe registers a subscriber to channels with a queue of buffer
// messages. With after ≥ 0 (a resume) it starts lagging, so that its
// first Since returns the kept messages after that id.
func (h *Hub) Subscribe(channels []string, buffer int, after int64) *Sub {
	s := &Sub{C: make(chan Message, buffer), channels: map[string]bool{}}
	for _, c := range channels {
		s.channels[c] = true
	}
	s.lagging.Store(after >= 0)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	return s
}

// Unsubscribe removes s.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// Since returns the kept messages of s's channels with an id above after,
// and clears s's lagging mark. ok is false when messages after that id are
// no longer kept: s has missed some for good (msgs then starts with the
// oldest kept one).
func (h *Hub) Since(s *Sub, after int64) (msgs []Message, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.lagging.Store(false)
	ok = after >= h.forgotten
	i, _ := slices.BinarySearchFunc(h.recent, after+1, func(m Message, id int64) int { return cmp.Compare(m.ID, id) })
	for _, m := range h.recent[i:] {
		if s.channels[m.Channel] {
			msgs = append(msgs, m)
		}
	}
	return msgs, ok
}

// Publish queues m for every subscriber of its channel without ever
// waiting: a subscriber whose queue is full is marked lagging instead.
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
			s.lagging.Store(true)
		}
	}
}

// Subscribers is the number of live subscribers.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
