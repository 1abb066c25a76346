package rest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/wsframe"
)

// wsHeartbeat is how often the server pings an idle WebSocket; a client
// that does not answer within wsPongWait is disconnected.
var (
	wsHeartbeat = 30 * time.Second
	wsPongWait  = 10 * time.Second
)

// wsIn is a client's message on /ws.
type wsIn struct {
	Type     string   `json:"type"` // auth, subscribe, unsubscribe, ping
	Channels []string `json:"channels,omitempty"`
	Token    string   `json:"token,omitempty"`
}

// wsOut is a server's message on /ws.
type wsOut struct {
	Type      string          `json:"type"` // message, subscribed, authenticated, pong, reset, error
	ID        string          `json:"id,omitempty"`
	Channel   string          `json:"channel,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Channels  []string        `json:"channels,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	ExpiresAt *time.Time      `json:"expiresAt,omitempty"`
}

// Close codes of /ws beyond the standard ones.
const (
	wsClosedUnauthorized websocket.StatusCode = 4001 // credentials expired or no longer valid
	wsClosedForbidden    websocket.StatusCode = 4003 // a channel is no longer authorized
)

// ws serves GET /ws: live channels over a WebSocket, with the JSON
// protocol of docs/API.md. Browsers may connect from the API's own origin
// only (the Origin header is checked). Anonymous clients hear the public
// channels; private ones need credentials, from the request (header,
// session cookie) or an auth message with a token, and the connection
// closes when they expire. Subscriptions change live; ?channels=
// subscribes at once and ?lastEventId= resumes as on /events.
func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Hub == nil || s.cfg.App == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, meridian.EUnavailable, "live events are not running on this node"))
		return
	}
	q := r.URL.Query()
	ls := s.newLiveSession(r)
	if err := ls.set(r.Context(), splitChannels(q.Get("channels"))); err != nil {
		writeProblem(w, s.fail(r.Context(), err))
		return
	}
	after := realtime.FromNow
	if v := q.Get("lastEventId"); v != "" {
		c, err := realtime.ParseCursor(v)
		if err != nil {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, "lastEventId: must be the id of an earlier message"))
			return
		}
		after = c
	}
	h := &wsHijacker{ResponseWriter: w}
	conn, err := websocket.Accept(h, r, nil) // nil options: the Origin must be the request's host
	if err != nil {
		return // Accept has answered (426, 403 for a foreign Origin)
	}
	conn.SetReadLimit(4 << 10)
	// The connection outlives this handler: returning frees the request's
	// goroutine and what its middleware holds. An idle connection is then
	// one goroutine (reading); messages are written by a short-lived one
	// started when the hub has some for it, heartbeats by a timer.
	base := s.cfg.Streams
	if base == nil {
		base = context.Background()
	}
	c := &wsConn{conn: conn, net: h.conn, ls: ls}
	c.ctx, c.cancel = context.WithCancel(base)
	c.flushing.Store(true) // no flush before the connection is set up
	c.st = s.cfg.Hub.OpenNotify(ls.hub, wsBuffer, after, c.wake)
	now := time.Now()
	// The first heartbeat and check come a little early, at random: each
	// connection then keeps its own phase (see spread).
	c.nextCheck, c.lastPing = now.Add(spread(liveRecheck)), now.Add(spread(wsHeartbeat)-wsHeartbeat)
	c.timer = time.AfterFunc(time.Hour, c.tick)
	c.timer.Reset(c.untilTick())
	go c.read()
	c.flushing.Store(false)
	if c.st.Pending() { // resuming, or published meanwhile
		c.wake()
	}
}

// Buffers of a WebSocket connection. net/http hands a hijacked connection
// over with 4 KiB buffers each way, most of what an idle connection costs.
// /ws reads small client messages; Meridian writes its own frames
// straight to the connection (wsNetConn), so the library's write buffer
// only ever holds a control frame (a server's is at most 127 bytes).
const (
	wsReadBuffer    = 512
	wsControlBuffer = 256
)

// wsHijacker gives the WebSocket library the connection with Meridian's
// smaller buffers (written here: the library takes whatever buffers the
// hijack returns), wrapped in a wsNetConn, which it keeps.
type wsHijacker struct {
	http.ResponseWriter
	conn *wsNetConn
}

func (h *wsHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		return nil, nil, err
	}
	h.conn = &wsNetConn{Conn: conn}
	bw := bufio.NewWriterSize(h.conn, wsControlBuffer)
	n := brw.Reader.Buffered()
	if n > wsReadBuffer {
		// A client that sent ahead: keep what it sent in the big buffer.
		return h.conn, bufio.NewReadWriter(brw.Reader, bw), nil
	}
	ahead, _ := brw.Reader.Peek(n)
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(ahead)), conn), wsReadBuffer)
	if n > 0 {
		if _, err := br.Peek(n); err != nil { // buffered now, from memory: does not block
			return nil, nil, err
		}
	}
	return h.conn, bufio.NewReadWriter(br, bw), nil
}

// wsNetConn is the connection under a /ws WebSocket. Meridian writes its
// messages to it as whole frames (text), made by wsframe: the library
// would wrap each in a context watch, two lock acquisitions and a copy,
// the larger part of a fan-out's cost besides the write itself. The
// library keeps the handshake, the reading and the control frames (pong,
// ping, close), each of which it flushes whole, in one Write. Every Write,
// Meridian's and the library's, holds mu, so frames never interleave, and
// is bounded by wsWriteWait: a client that stops reading is disconnected.
type wsNetConn struct {
	net.Conn
	mu sync.Mutex
	// deadline is the write deadline set on Conn, moved forward only when
	// less than half of wsWriteWait is left (setting one updates a
	// timer): a write may take between half and all of wsWriteWait.
	deadline time.Time
	frame    []byte // the frame text is making
}

func (w *wsNetConn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.write(p)
}

// write writes p within the bound; mu is held.
func (w *wsNetConn) write(p []byte) (int, error) {
	if now := time.Now(); w.deadline.Sub(now) < wsWriteWait/2 {
		w.deadline = now.Add(wsWriteWait)
		if err := w.Conn.SetWriteDeadline(w.deadline); err != nil {
			return 0, err
		}
	}
	return w.Conn.Write(p)
}

// text writes one text message, whose payload (about size bytes) add
// appends to the slice it is given, as one frame.
func (w *wsNetConn) text(size int, add func([]byte) []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if cap(w.frame) < wsframe.Room+size {
		w.frame = make([]byte, 0, wsframe.Room+size+size/4) // grown once, not by doubling from nothing
	}
	w.frame = add(wsframe.Begin(w.frame))
	_, err := w.write(wsframe.Text(w.frame))
	if cap(w.frame) > 64<<10 {
		w.frame = nil // an unusually large message: do not keep its buffer
	}
	return err
}

// wsBuffer is how many messages are queued for one WebSocket; beyond that
// it catches up from the hub's recent messages (a small queue keeps idle
// connections cheap).
var wsBuffer = 8

// wsConn is one /ws connection.
type wsConn struct {
	conn *websocket.Conn
	// net is the connection under conn, on which Meridian writes its
	// messages.
	net    *wsNetConn
	st     *realtime.Stream
	ctx    context.Context
	cancel context.CancelFunc

	// lmu guards ls, nextCheck and lastPing: the reader changes the
	// session, flushes and ticks read it.
	lmu                 sync.Mutex
	ls                  *liveSession
	nextCheck, lastPing time.Time
	timer               *time.Timer

	// flushing is set while a flush runs or is about to.
	flushing atomic.Bool
}

// read serves the client's messages (credentials, subscriptions, pings)
// until the connection ends, then releases everything.
func (c *wsConn) read() {
	defer func() {
		c.cancel()
		c.timer.Stop()
		c.st.Close()
		c.conn.CloseNow()
	}()
	done := make(chan error)
	for {
		_, data, err := c.conn.Read(c.ctx)
		if err != nil {
			return
		}
		// Handled on a goroutine of its own, one at a time: the reader's
		// stack stays as shallow as a blocked read, which is what an idle
		// connection keeps (decoding, authorizing and answering go deep).
		go func() { done <- c.handleFrame(data) }()
		if err := <-done; err != nil {
			return
		}
	}
}

func (c *wsConn) handleFrame(data []byte) error {
	var in wsIn
	if json.Unmarshal(data, &in) != nil {
		return c.send(wsOut{Type: "error", Reason: "messages are JSON objects with a type: auth, subscribe, unsubscribe or ping"})
	}
	return c.handle(in)
}

func (c *wsConn) handle(in wsIn) error {
	switch in.Type {
	case "ping":
		return c.send(wsOut{Type: "pong"})
	case "auth":
		c.lmu.Lock()
		err := c.ls.authenticate(c.ctx, in.Token)
		p := c.ls.p
		c.lmu.Unlock()
		if err != nil {
			return c.send(wsOut{Type: "error", Reason: "auth: " + meridian.ErrorMessage(err)})
		}
		c.timer.Reset(c.untilTick()) // the credential's expiry may come sooner
		out := wsOut{Type: "authenticated"}
		if !p.Expires.IsZero() {
			out.ExpiresAt = &p.Expires
		}
		return c.send(out)
	case "subscribe", "unsubscribe":
		c.lmu.Lock()
		names := slices.Clone(c.ls.names)
		for _, ch := range in.Channels {
			if i := slices.Index(names, ch); in.Type == "subscribe" && i < 0 {
				names = append(names, ch)
			} else if in.Type == "unsubscribe" && i >= 0 {
				names = slices.Delete(names, i, i+1)
			}
		}
		err := c.ls.set(c.ctx, names)
		hub, now := c.ls.hub, slices.Clone(c.ls.names)
		c.lmu.Unlock()
		if err != nil {
			return c.send(wsOut{Type: "error", Reason: meridian.ErrorMessage(err), Channels: in.Channels})
		}
		c.st.SetChannels(hub)
		return c.send(wsOut{Type: "subscribed", Channels: now})
	}
	return c.send(wsOut{Type: "error", Reason: fmt.Sprintf("unknown message type %q", in.Type)})
}

// wake is the hub's notification (under its lock: it must not block):
// start a flush unless one is running.
func (c *wsConn) wake() {
	if c.flushing.CompareAndSwap(false, true) {
		go c.flush()
	}
}

// flush writes what the stream has, until it has nothing more.
func (c *wsConn) flush() {
	for {
		msgs, reset, err := c.st.Poll()
		switch {
		case errors.Is(err, realtime.ErrFellBehind):
			c.closeWith(websocket.StatusPolicyViolation, "slow consumer: "+err.Error())
			return
		case err != nil:
			c.cancel()
			return
		case reset:
			err = c.send(wsOut{Type: "reset", Reason: "messages after lastEventId are no longer kept: refetch through the REST API"})
		}
		if err == nil && len(msgs) > 0 {
			c.lmu.Lock()
			client := c.ls.client
			err = c.sendMessages(msgs, client)
			c.lmu.Unlock()
		}
		if err != nil {
			c.cancel()
			c.conn.CloseNow()
			return
		}
		// Done, unless something came meanwhile: the hub queues before it
		// notifies, so either it saw the flag down or this sees its message.
		c.flushing.Store(false)
		if !c.st.Pending() || !c.flushing.CompareAndSwap(false, true) {
			return
		}
	}
}

// untilTick is when the next heartbeat or check is due.
func (c *wsConn) untilTick() time.Duration {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	return max(min(time.Until(c.ls.due(c.nextCheck)), time.Until(c.lastPing.Add(wsHeartbeat))), 0)
}

// tick pings an idle connection and authorizes it again when due (the
// credential's expiry included), then sets the timer for the next one.
func (c *wsConn) tick() {
	if c.ctx.Err() != nil {
		return
	}
	now := time.Now()
	c.lmu.Lock()
	var cerr error
	if !now.Before(c.ls.due(c.nextCheck)) {
		cerr = c.ls.recheck(c.ctx)
		c.nextCheck = now.Add(liveRecheck)
	}
	ping := !now.Before(c.lastPing.Add(wsHeartbeat))
	if ping {
		c.lastPing = now
	}
	c.lmu.Unlock()
	if cerr != nil {
		code := wsClosedForbidden
		if meridian.ErrorCode(cerr) == meridian.EUnauthorized {
			code = wsClosedUnauthorized
		}
		c.closeWith(code, meridian.ErrorMessage(cerr))
		return
	}
	if ping {
		pctx, pcancel := context.WithTimeout(c.ctx, wsPongWait)
		err := c.conn.Ping(pctx)
		pcancel()
		if err != nil {
			c.cancel()
			c.conn.CloseNow()
			return
		}
	}
	c.timer.Reset(c.untilTick())
}

func (c *wsConn) send(m wsOut) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.net.text(len(b), func(f []byte) []byte { return append(f, b...) })
}

// sendMessages writes a batch of channel messages, each frame assembled
// from the message's JSON (no re-encoding per subscriber).
func (c *wsConn) sendMessages(msgs []realtime.Message, channel func(realtime.Message) string) error {
	for _, m := range msgs {
		id, ch := cursorID(m), channel(m)
		size := len(`{"type":"message","id":"","channel":"","data":}`) + len(id) + len(ch) + len(m.Data)
		if err := c.net.text(size, func(f []byte) []byte { return appendMessageFrame(f, id, ch, m.Data) }); err != nil {
			return err
		}
	}
	return nil
}

// closeWith tells the client why and closes the connection.
func (c *wsConn) closeWith(code websocket.StatusCode, reason string) {
	_ = c.send(wsOut{Type: "error", Reason: reason})
	c.conn.Close(code, truncate(reason, 120))
	c.cancel()
}

// wsWriteWait bounds a write to a client (see wsNetConn).
var wsWriteWait = 10 * time.Second

// appendMessageFrame appends a message's frame,
// {"type":"message","id":…,"channel":…,"data":…}, to b: the data is the
// hub's JSON as it is, so a message is encoded once for every subscriber.
func appendMessageFrame(b []byte, id, channel string, data []byte) []byte {
	b = append(b, `{"type":"message"`...)
	if id != "" {
		b = append(b, `,"id":"`...)
		b = append(b, id...) // digits and a dot
		b = append(b, '"')
	}
	b = append(b, `,"channel":`...)
	b = appendJSONString(b, channel)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string: channel names are plain
// ASCII, quoted directly; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// cursorID is a message's id on the wire ("" for ephemeral messages,
// which cannot be resumed from).
func cursorID(m realtime.Message) string {
	if m.Ephemeral() {
		return ""
	}
	return m.Cursor().String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
