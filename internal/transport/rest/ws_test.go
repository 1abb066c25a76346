package rest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

type wsMsg struct {
	Type     string          `json:"type"`
	ID       string          `json:"id"`
	Channel  string          `json:"channel"`
	Data     json.RawMessage `json:"data"`
	Channels []string        `json:"channels"`
	Reason   string          `json:"reason"`
}

func wsRead(t *testing.T, ctx context.Context, c *websocket.Conn) wsMsg {
	t.Helper()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m wsMsg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func wsSend(t *testing.T, ctx context.Context, c *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// TestWebSocketChannels: an anonymous client subscribes and unsubscribes
// live, gets new and closed postings as they happen, pings, and is told
// about channels that do not exist; a foreign Origin is refused.
func TestWebSocketChannels(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws"
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wsSend(t, ctx, c, map[string]any{"type": "subscribe", "channels": []string{"jobs.new"}})
	if m := wsRead(t, ctx, c); m.Type != "subscribed" || len(m.Channels) != 1 || m.Channels[0] != "jobs.new" {
		t.Fatalf("subscribe: %+v", m)
	}
	_, jobID := e.setup()
	m := wsRead(t, ctx, c)
	if m.Type != "message" || m.Channel != "jobs.new" || !strings.Contains(string(m.Data), jobID) || m.ID == "" {
		t.Fatalf("new posting: %+v", m)
	}
	// Switch channels: closes come, new postings no longer.
	wsSend(t, ctx, c, map[string]any{"type": "subscribe", "channels": []string{"jobs.closed"}})
	wsSend(t, ctx, c, map[string]any{"type": "unsubscribe", "channels": []string{"jobs.new"}})
	for _, want := range [][]string{{"jobs.new", "jobs.closed"}, {"jobs.closed"}} {
		if m := wsRead(t, ctx, c); m.Type != "subscribed" || strings.Join(m.Channels, ",") != strings.Join(want, ",") {
			t.Fatalf("subscribed %+v, want %v", m, want)
		}
	}
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/close", "alice", map[string]any{"reason": "filled"}))
	if m := wsRead(t, ctx, c); m.Type != "message" || m.Channel != "jobs.closed" || !strings.Contains(string(m.Data), jobID) {
		t.Fatalf("closed posting: %+v", m)
	}
	wsSend(t, ctx, c, map[string]any{"type": "ping"})
	if m := wsRead(t, ctx, c); m.Type != "pong" {
		t.Fatalf("ping: %+v", m)
	}
	wsSend(t, ctx, c, map[string]any{"type": "subscribe", "channels": []string{"applications"}})
	if m := wsRead(t, ctx, c); m.Type != "error" || !strings.Contains(m.Reason, "applications") {
		t.Fatalf("unknown channel: %+v", m)
	}
	c.Close(websocket.StatusNormalClosure, "")

	// A page of another site may not open the socket.
	_, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", err, res)
	}
}

// A client may send its first frame in the same packet as the upgrade
// request: the frame is not lost when the connection gets its buffers.
func TestWebSocketFrameSentWithTheUpgrade(t *testing.T) {
	e := newEnv(t)
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	req := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	payload := []byte(`{"type":"ping"}`)
	mask := []byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | byte(len(payload))} // FIN + text, masked, short length
	frame = append(frame, mask...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	if _, err := conn.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, "101") {
		t.Fatalf("upgrade: %q %v", status, err)
	}
	for { // headers
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
	}
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(br, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[1]&0x7f))
	if _, err := io.ReadFull(br, body); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0x81 || string(body) != `{"type":"pong"}` {
		t.Fatalf("answer: %x %s", hdr, body)
	}
}
