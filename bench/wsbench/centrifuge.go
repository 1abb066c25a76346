package wsbench

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/coder/websocket"
)

// centrifugeHandler serves a centrifuge.Node's bidirectional JSON protocol
// over github.com/coder/websocket, the WebSocket library of Meridian's
// /ws, so that the comparison is between the two fan-out designs and not
// between WebSocket implementations (centrifuge's own handler uses
// another library). Accept and write options match ws.go: no
// compression, a 10 s bound on each write.
type centrifugeHandler struct {
	node *centrifuge.Node
}

// commandLimit bounds one client frame, as ws.go's read limit does.
const commandLimit = 64 << 10

func (h *centrifugeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(commandLimit)
	t := &coderTransport{conn: conn}
	c, closeClient, err := centrifuge.NewClient(r.Context(), h.node, t)
	if err != nil {
		return
	}
	defer func() { _ = closeClient() }()
	for {
		_, rd, err := conn.Reader(r.Context())
		if err != nil {
			return
		}
		if !centrifuge.HandleReadFrame(c, rd, commandLimit) {
			return
		}
	}
}

// coderTransport is a centrifuge.Transport writing each reply or push
// batch as one text frame.
type coderTransport struct {
	conn *websocket.Conn

	mu     sync.Mutex
	closed bool
}

var _ centrifuge.Transport = (*coderTransport)(nil)

func (t *coderTransport) Name() string                      { return "websocket" }
func (t *coderTransport) AcceptProtocol() string            { return "h1" }
func (t *coderTransport) Protocol() centrifuge.ProtocolType { return centrifuge.ProtocolTypeJSON }
func (t *coderTransport) ProtocolVersion() centrifuge.ProtocolVersion {
	return centrifuge.ProtocolVersion2
}
func (t *coderTransport) Unidirectional() bool { return false }
func (t *coderTransport) Emulation() bool      { return false }

// DisabledPushFlags: a disconnect travels in the close frame.
func (t *coderTransport) DisabledPushFlags() uint64 { return centrifuge.PushFlagDisconnect }

// PingPongConfig: centrifuge's defaults (a ping every 25 s, 10 s for the
// pong), close to ws.go's 30 s heartbeat.
func (t *coderTransport) PingPongConfig() centrifuge.PingPongConfig {
	return centrifuge.PingPongConfig{}
}

func (t *coderTransport) Write(data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return t.conn.Write(ctx, websocket.MessageText, data)
}

// WriteMany joins the JSON messages with newlines, the framing of the
// JSON protocol for several messages in one frame.
func (t *coderTransport) WriteMany(msgs ...[]byte) error {
	if len(msgs) == 1 {
		return t.Write(msgs[0])
	}
	n := len(msgs)
	for _, m := range msgs {
		n += len(m)
	}
	b := make([]byte, 0, n)
	for i, m := range msgs {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, m...)
	}
	return t.Write(b)
}

func (t *coderTransport) Close(d centrifuge.Disconnect) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	if d.Code == centrifuge.DisconnectConnectionClosed.Code {
		return t.conn.CloseNow()
	}
	return t.conn.Close(websocket.StatusCode(d.Code), d.Reason) // #nosec G115 -- centrifuge's disconnect codes are below 5,000 (WebSocket close codes are 16-bit)
}
