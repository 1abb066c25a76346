// Package realtime fans events out to live subscribers (Server-Sent
// Events, WebSocket, GraphQL subscriptions, gRPC streams). Every node runs
// a Feed over the event stream (follow.Follower), so an event recorded on
// any node reaches the subscribers of every node; message ids are
// event-store positions, the same on every node, so a client that
// reconnects elsewhere resumes where it was.
//
// Public channels carry what anyone may read through the REST API
// (published postings, market figures). Private channels carry one
// person's or one organization's events; their hub names embed the
// person or organization (UserChannel, OrgChannel) and only
// app.LiveChannel, which authorizes, hands them out: a subscriber never
// names a hub channel itself.
package realtime

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Channels.
const (
	// ChanJobsNew carries each posting when it is first published.
	ChanJobsNew = "jobs.new"
	// ChanJobsClosed carries the id of each posting closed or expired.
	ChanJobsClosed = "jobs.closed"
	// ChanMarketTicks carries a summary of the market every few seconds
	// while it changes. Ticks are ephemeral (see Message).
	ChanMarketTicks = "market.ticks"
)

// Public lists the channels anyone may subscribe to.
var Public = []string{ChanJobsNew, ChanJobsClosed, ChanMarketTicks}

// Private channel kinds, as clients name them: "me.<kind>" for a person's
// own, "org.<orgId>.<kind>" for an organization's.
const (
	// KindApplications: application received and stage changes (a person's
	// own applications as candidate; an organization's applications).
	KindApplications = "applications"
	// KindMatches: new postings matching a person's saved searches.
	KindMatches = "matches"
)

// Private lists the private channels as clients name them ({orgId}
// stands for an organization's id); app.LiveChannel authorizes them.
var Private = []string{"me." + KindApplications, "me." + KindMatches, "org.{orgId}." + KindApplications}

// UserChannel is the hub name of a person's private channel. The ':'
// never appears in client channel names, so a hub name cannot be forged
// from one.
func UserChannel(userID, kind string) string { return "user:" + userID + ":" + kind }

// OrgChannel is the hub name of an organization's private channel.
func OrgChannel(orgID, kind string) string { return "org:" + orgID + ":" + kind }

// ClientChannel returns the name a client used for hub channel ch when it
// is the client (userID) or one of its organizations: "me.applications"
// for UserChannel(userID, "applications"), "org.<id>.applications" for
// OrgChannel(id, "applications"), public names unchanged.
func ClientChannel(ch, userID string) string {
	switch {
	case strings.HasPrefix(ch, "user:"):
		if rest, ok := strings.CutPrefix(ch, "user:"+userID+":"); ok {
			return "me." + rest
		}
		return "" // never handed to anyone else
	case strings.HasPrefix(ch, "org:"):
		return "org." + strings.Replace(strings.TrimPrefix(ch, "org:"), ":", ".", 1)
	}
	return ch
}

// Message is one event on a channel. ID is the event-store position of
// the event it comes from; Seq orders the messages one event makes (an
// application update goes to the organization and to the candidate).
// A message with ID 0 is ephemeral (market ticks): delivered to whoever
// listens now, never kept for catching up or resuming, and superseded by
// the next one.
type Message struct {
	ID      int64
	Seq     int
	Channel string
	Data    json.RawMessage
}

// Cursor is a position in a hub's message sequence.
type Cursor struct {
	ID  int64
	Seq int
}

// FromNow opens a stream without resuming: from the next message on.
var FromNow = Cursor{ID: -1}

// Cursor returns m's position.
func (m Message) Cursor() Cursor { return Cursor{m.ID, m.Seq} }

// Ephemeral reports whether m is kept for nobody (see Message).
func (m Message) Ephemeral() bool { return m.ID == 0 }

// String is the cursor's wire form: "12345", or "12345.1" for the second
// message of an event.
func (c Cursor) String() string {
	if c.Seq == 0 {
		return strconv.FormatInt(c.ID, 10)
	}
	return strconv.FormatInt(c.ID, 10) + "." + strconv.Itoa(c.Seq)
}

// ParseCursor reads a cursor's wire form (a message id a client got).
func ParseCursor(s string) (Cursor, error) {
	id, seq, hasSeq := strings.Cut(s, ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return FromNow, fmt.Errorf("%q is not the id of a message", s)
	}
	c := Cursor{ID: n}
	if hasSeq {
		k, err := strconv.Atoi(seq)
		if err != nil || k < 0 || k > 1<<16 {
			return FromNow, fmt.Errorf("%q is not the id of a message", s)
		}
		c.Seq = k
	}
	return c, nil
}

func (c Cursor) compare(d Cursor) int {
	if r := cmp.Compare(c.ID, d.ID); r != 0 {
		return r
	}
	return cmp.Compare(c.Seq, d.Seq)
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
	// start is the newest message published before s subscribed: a
	// stream from now on that overflows at once catches up from there.
	start Cursor
	// notify, when set, is called (under the hub's lock: it must not
	// block) each time a message is queued for s or it starts lagging.
	notify func()
}

// Lagging reports whether messages were not queued for s since the last
// call to Since.
func (s *Sub) Lagging() bool { return s.lagging.Load() }

// Hub keeps the subscribers and the last messages, shared by all of them
// for catching up and resuming.
type Hub struct {
	mu   sync.Mutex
	subs map[*Sub]struct{}
	// byChan indexes the subscribers by channel: a message visits only its
	// channel's (with many private channels, most subscribers hear none of
	// a given message).
	byChan map[string]map[*Sub]struct{}
	recent []Message // at least the last keep messages, in id order
	keep   int
	// forgotten is the newest message no longer kept (zero: none).
	forgotten Cursor
}

// DefaultKeep is how many recent messages a hub keeps.
const DefaultKeep = 10_000

// NewHub returns a hub keeping the last keep messages (DefaultKeep when 0).
func NewHub(keep int) *Hub {
	if keep <= 0 {
		keep = DefaultKeep
	}
	return &Hub{subs: map[*Sub]struct{}{}, byChan: map[string]map[*Sub]struct{}{}, keep: keep}
}

// Subscribe registers a subscriber to channels with a queue of buffer
// messages. With a resume point (not FromNow) it starts lagging, so that
// its first Since returns the kept messages after it.
func (h *Hub) Subscribe(channels []string, buffer int, after Cursor) *Sub {
	return h.subscribe(channels, buffer, after, nil)
}

func (h *Hub) subscribe(channels []string, buffer int, after Cursor, notify func()) *Sub {
	s := &Sub{C: make(chan Message, buffer), channels: map[string]bool{}, notify: notify}
	for _, c := range channels {
		s.channels[c] = true
	}
	s.lagging.Store(after.ID >= 0)
	h.mu.Lock()
	defer h.mu.Unlock()
	s.start = h.forgotten
	if n := len(h.recent); n > 0 {
		s.start = h.recent[n-1].Cursor()
	}
	h.subs[s] = struct{}{}
	h.index(s, true)
	return s
}

// index files s under its channels (add) or takes it out; h.mu is held.
func (h *Hub) index(s *Sub, add bool) {
	for c := range s.channels {
		set := h.byChan[c]
		if add {
			if set == nil {
				set = map[*Sub]struct{}{}
				h.byChan[c] = set
			}
			set[s] = struct{}{}
			continue
		}
		delete(set, s)
		if len(set) == 0 {
			delete(h.byChan, c)
		}
	}
}

// Unsubscribe removes s.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		h.index(s, false)
		delete(h.subs, s)
	}
}

// Since returns the kept messages of s's channels after the cursor, and
// clears s's lagging mark. ok is false when messages after it are no
// longer kept: s has missed some for good (msgs then starts with the
// oldest kept one).
func (h *Hub) Since(s *Sub, after Cursor) (msgs []Message, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.lagging.Store(false)
	ok = after.compare(h.forgotten) >= 0
	i, found := slices.BinarySearchFunc(h.recent, after, func(m Message, c Cursor) int { return m.Cursor().compare(c) })
	if found {
		i++
	}
	for _, m := range h.recent[i:] {
		if s.channels[m.Channel] {
			msgs = append(msgs, m)
		}
	}
	return msgs, ok
}

// Publish queues m for every subscriber of its channel without ever
// waiting: a subscriber whose queue is full is marked lagging instead
// (an ephemeral message is then simply not delivered to it).
func (h *Hub) Publish(m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !m.Ephemeral() {
		// A feed that failed half-way through an event applies it again:
		// what was published already is not published twice (and the
		// kept messages stay in order for catching up).
		last := h.forgotten
		if n := len(h.recent); n > 0 {
			last = h.recent[n-1].Cursor()
		}
		if m.Cursor().compare(last) <= 0 {
			return
		}
		h.recent = append(h.recent, m)
		if len(h.recent) >= 2*h.keep { // trimmed in halves: amortized O(1)
			h.forgotten = h.recent[len(h.recent)-h.keep-1].Cursor()
			h.recent = slices.Clone(h.recent[len(h.recent)-h.keep:])
		}
	}
	for s := range h.byChan[m.Channel] {
		select {
		case s.C <- m:
		default:
			if m.Ephemeral() {
				continue
			}
			s.lagging.Store(true)
		}
		if s.notify != nil {
			s.notify()
		}
	}
}

// Subscribers is the number of live subscribers.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
