package wsframe

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The header's three length forms, at their edges.
func TestTextHeader(t *testing.T) {
	for _, c := range []struct {
		n    int
		head []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{0xffff, []byte{0x81, 126, 0xff, 0xff}},
		{0x10000, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	} {
		payload := bytes.Repeat([]byte{'x'}, c.n)
		f := Text(append(Begin(nil), payload...))
		if !bytes.HasPrefix(f, c.head) || !bytes.Equal(f[len(c.head):], payload) {
			t.Errorf("%d bytes: header % x", c.n, f[:min(len(f), 10)])
		}
	}
}

// Frames written straight to the connection are read by a WebSocket
// client as the messages they carry, whatever their length.
func TestFramesReadByAClient(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 1000, 0xffff, 0x10000, 300_000}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var conn net.Conn
		c, err := websocket.Accept(hijacked{w, &conn}, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		var b []byte
		for _, n := range sizes {
			b = append(Begin(b), strings.Repeat(string(rune('a'+n%26)), n)...)
			if _, err := conn.Write(Text(b)); err != nil {
				return
			}
		}
		_, _, _ = c.Read(context.Background()) // until the client closes
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for _, n := range sizes {
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("message of %d bytes: %v", n, err)
		}
		if typ != websocket.MessageText || len(got) != n || strings.Trim(string(got), string(rune('a'+n%26))) != "" {
			t.Fatalf("message of %d bytes: %v, %d bytes", n, typ, len(got))
		}
	}
}

type hijacked struct {
	http.ResponseWriter
	conn *net.Conn
}

func (h hijacked) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	*h.conn = c
	return c, brw, err
}
