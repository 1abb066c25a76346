package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// wsHub serves /ws over a hub of its own keeping the last keep messages
// (public channels need no store), and returns the hub and the URL.
func wsHub(t *testing.T, keep int) (*realtime.Hub, string) {
	t.Helper()
	hub := realtime.NewHub(keep)
	srv := httptest.NewServer(rest.New(rest.Config{Hub: hub, App: &app.App{}, Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	return hub, "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws?channels=" + realtime.ChanJobsNew
}

// wsDial opens a connection to url that reads messages of up to 1 MiB,
// and waits until the hub counts its subscription.
func wsDial(t *testing.T, ctx context.Context, hub *realtime.Hub, url string) *websocket.Conn {
	t.Helper()
	n := hub.Subscribers()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	for hub.Subscribers() <= n {
		time.Sleep(5 * time.Millisecond)
	}
	return c
}

// bigPosting is a jobs.new message of about size bytes.
func bigPosting(id, size int) realtime.Message {
	return realtime.Message{ID: int64(id), Channel: realtime.ChanJobsNew,
		Data: json.RawMessage(fmt.Sprintf(`{"id":"job-%d","description":%q}`, id, strings.Repeat("x", size)))}
}

// A client that stops reading does not hold up anybody: while its socket
// is full, another subscriber gets every message, one after the other.
// When it reads again it gets what was on its way, in order, and then,
// having fallen behind everything the node keeps, an error with the
// reason and a policy-violation close, never a silent gap.
func TestWebSocketSlowConsumerDroppedWithReason(t *testing.T) {
	defer rest.SetWSWriteWait(time.Minute)() // the slow one is dropped for falling behind, not by the write bound
	hub, url := wsHub(t, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fast, slow := wsDial(t, ctx, hub, url), wsDial(t, ctx, hub, url)
	// 200 messages of 256 KiB: far more than the sockets' buffers hold.
	const n, size = 200, 256 << 10
	for i := 1; i <= n; i++ {
		hub.Publish(bigPosting(i, size))
		if m := wsRead(t, ctx, fast); m.Type != "message" || m.ID != strconv.Itoa(i) {
			t.Fatalf("fast subscriber, message %d: got %s %q", i, m.Type, m.ID)
		}
	}
	got := 0
	for {
		_, b, err := slow.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("after %d messages: %v, want a policy-violation close", got, err)
			}
			t.Fatalf("closed after %d messages without the error message", got)
		}
		var m wsMsg
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "error" {
			if !strings.Contains(m.Reason, "slow consumer") {
				t.Fatalf("reason %q", m.Reason)
			}
			break
		}
		if got++; m.Type != "message" || m.ID != strconv.Itoa(got) {
			t.Fatalf("slow subscriber: %s %q after %d in order", m.Type, m.ID, got-1)
		}
	}
	if got == 0 || got >= n {
		t.Fatalf("the slow subscriber read %d of %d before being dropped", got, n)
	}
	if _, _, err := slow.Read(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("after the reason: %v, want a policy-violation close", err)
	}
	t.Logf("the slow subscriber had %d of %d messages on their way when it was dropped", got, n)
}

// A client that never reads again is disconnected once a write has waited
// the write bound, and its subscription is released.
func TestWebSocketStalledWriteDisconnects(t *testing.T) {
	defer rest.SetWSWriteWait(200 * time.Millisecond)()
	hub, url := wsHub(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := wsDial(t, ctx, hub, url)
	for i := 1; hub.Subscribers() > 0; i++ {
		if ctx.Err() != nil {
			t.Fatal("the server still holds a client that has not read for a minute")
		}
		hub.Publish(bigPosting(i, 256<<10))
		time.Sleep(10 * time.Millisecond)
	}
	// What was buffered is readable; then the connection is gone.
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the connection was not closed")
			}
			return
		}
	}
}

// Meridian writes its frames beside the library's control frames: a
// client that pings all along while messages of every size stream in
// gets every pong and every message whole, in order.
func TestWebSocketPongsBetweenMessages(t *testing.T) {
	hub, url := wsHub(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := wsDial(t, ctx, hub, url)
	const n = 1000
	sizes := []int{10, 100, 3000, 70_000}
	msgs := make(chan wsMsg, n)
	readErr := make(chan error, 1)
	go func() { // Ping needs a reader
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				readErr <- err
				return
			}
			var m wsMsg
			if err := json.Unmarshal(b, &m); err != nil {
				readErr <- fmt.Errorf("%.80s: %w", b, err)
				return
			}
			msgs <- m
		}
	}()
	pings := make(chan error, 1)
	go func() {
		for range 200 {
			if err := c.Ping(ctx); err != nil {
				pings <- err
				return
			}
		}
		pings <- nil
	}()
	for i := 1; i <= n; i++ {
		hub.Publish(bigPosting(i, sizes[i%len(sizes)]))
		if i%8 == 0 { // within what a subscriber's queue holds
			time.Sleep(time.Millisecond)
		}
	}
	for i := 1; i <= n; i++ {
		select {
		case m := <-msgs:
			if m.Type != "message" || m.ID != strconv.Itoa(i) || !strings.Contains(string(m.Data), fmt.Sprintf(`"job-%d"`, i)) {
				t.Fatalf("message %d: %s %q", i, m.Type, m.ID)
			}
		case err := <-readErr:
			t.Fatalf("after %d messages: %v", i-1, err)
		}
	}
	if err := <-pings; err != nil {
		t.Fatalf("ping: %v", err)
	}
}
