package wsbench

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/wsframe"
)

// floorServer is the fan-out's reference floor: what this machine, its
// kernel and the Go runtime cost for the same deliveries, with no
// WebSocket library on the write path, no hub and no per-subscriber
// work at all. It speaks /ws's protocol as far as the benchmark's
// clients need (subscribe to jobs.new, then messages), so it is measured
// by the very same clients; a publish encodes one WebSocket frame, the
// bytes Meridian sends for the message, and writes it to every
// subscriber's socket from a goroutine each. No real server can deliver
// faster on the same machine: the floor says how much of a figure is
// Meridian's and how much is the machine's.
//
// It is a measuring instrument, not a server: it never pings, and a
// write error just makes a missing delivery.
type floorServer struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	id    atomic.Int64
}

func newFloorServer() *floorServer { return &floorServer{conns: map[net.Conn]struct{}{}} }

// ServeHTTP upgrades, answers the subscription through the library, then
// only reads (the library answers a client's ping or close).
func (f *floorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := &rawHijacker{ResponseWriter: w}
	conn, err := websocket.Accept(h, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 10)
	ctx := context.Background()
	_, b, err := conn.Read(ctx)
	if err != nil {
		return
	}
	var in struct {
		Type     string   `json:"type"`
		Channels []string `json:"channels"`
	}
	if json.Unmarshal(b, &in) != nil || in.Type != "subscribe" || !slices.Equal(in.Channels, []string{realtime.ChanJobsNew}) {
		conn.Close(websocket.StatusPolicyViolation, "subscribe to jobs.new")
		return
	}
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribed","channels":["`+realtime.ChanJobsNew+`"]}`)); err != nil {
		return
	}
	// From here on the library writes nothing unless the client pings or
	// closes, which the benchmark's clients do not do while measured.
	f.mu.Lock()
	f.conns[h.conn] = struct{}{}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.conns, h.conn)
		f.mu.Unlock()
	}()
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			return
		}
	}
}

// publish writes one frame, encoded once, to every subscriber.
func (f *floorServer) publish(data []byte) error {
	b := append(wsframe.Begin(nil), `{"type":"message","id":"`+strconv.FormatInt(f.id.Add(1), 10)+`","channel":"`+realtime.ChanJobsNew+`","data":`...)
	frame := wsframe.Text(append(append(b, data...), '}'))
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		go func() { _, _ = c.Write(frame) }()
	}
	return nil
}

func (f *floorServer) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// rawHijacker keeps the connection the library hijacks, for the floor's
// own writes.
type rawHijacker struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *rawHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = conn
	return conn, brw, err
}
