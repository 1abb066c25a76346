package graphql_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsClient speaks graphql-transport-ws.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dial connects as who (the upgrade request's principal) and sends
// connection_init with payload; it returns the client once acknowledged,
// or the error that ended the connection.
func (s *stack) dial(t *testing.T, who string, payload map[string]any) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	h := http.Header{}
	if who != "" {
		h.Set("X-Test-User", who)
	}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/graphql",
		&websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, ctx: ctx}
	p, _ := json.Marshal(payload)
	c.send(wsMsg{Type: "connection_init", Payload: p})
	m, err := c.read()
	if err != nil {
		return nil, err
	}
	if m.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v", m)
	}
	return c, nil
}

func (c *wsClient) send(m wsMsg) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	if err := c.conn.Write(c.ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *wsClient) read() (wsMsg, error) {
	for {
		_, b, err := c.conn.Read(c.ctx)
		if err != nil {
			return wsMsg{}, err
		}
		var m wsMsg
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("not JSON: %s", b)
		}
		if m.Type == "ping" {
			c.send(wsMsg{Type: "pong"})
			continue
		}
		return m, nil
	}
}

// subscribe starts operation id; the server answers an error at once when
// it refuses it, else nothing until an event.
func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMsg{ID: id, Type: "subscribe", Payload: p})
}

// next reads the next message of the connection and returns the event's
// data, or the refusal's code.
func (c *wsClient) next() (data map[string]any, code string) {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	switch m.Type {
	case "next":
		var p struct {
			Data   map[string]any `json:"data"`
			Errors []gqlError     `json:"errors"`
		}
		_ = json.Unmarshal(m.Payload, &p)
		if len(p.Errors) > 0 {
			c.t.Fatalf("event with errors: %s", m.Payload)
		}
		return p.Data, ""
	case "error":
		var errs []gqlError
		_ = json.Unmarshal(m.Payload, &errs)
		if len(errs) == 0 {
			c.t.Fatalf("error without errors: %s", m.Payload)
		}
		code, _ = errs[0].Extensions["code"].(string)
		return nil, code
	}
	c.t.Fatalf("unexpected message %+v", m)
	return nil, ""
}

// waitSubscribers waits until the hub has n subscribers (a subscription
// is live once its stream is open).
func (s *stack) waitSubscribers(t *testing.T, n int) {
	t.Helper()
	waitFor(t, func() bool { return s.hub.Subscribers() >= n })
}

func TestSubscriptionsOverWebSocket(t *testing.T) {
	s := newStack(t, stackOptions{})
	org := s.org(t, "alice", "Acme Remote")
	prof := s.profile(t, "bob", "Bob", "private")
	s.ok(t, "bob", `mutation { createSavedSearch(input: {name: "Go", query: {skillsAll: ["go"]}}) { id } }`, nil)

	anon, err := s.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	anon.subscribe("1", `subscription { jobPublished { id title job { id status organization { name } } } }`, nil)
	// Bob signs in with the connection_init payload, Alice with her request.
	bob, err := s.dial(t, "", map[string]any{"authorization": "Bearer token-bob"})
	if err != nil {
		t.Fatal(err)
	}
	bob.subscribe("m", `subscription { newMatchingPostings { jobId title savedSearchId job { id } } }`, nil)
	bob.subscribe("a", `subscription { applicationUpdates { id type stage application { id stage } } }`, nil)
	alice, err := s.dial(t, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	alice.subscribe("o", `subscription($org: ID) { applicationUpdates(organizationId: $org) { id type stage profileId } }`, map[string]any{"org": org})
	s.waitSubscribers(t, 4)

	job := s.job(t, "alice", org, "Senior Go Engineer", true)
	d, code := anon.next()
	if code != "" || str(d, "jobPublished", "id") != job || str(d, "jobPublished", "job", "organization", "name") != "Acme Remote" {
		t.Fatalf("jobPublished: %v %s", d, code)
	}
	d, code = bob.next()
	if code != "" || str(d, "newMatchingPostings", "jobId") != job || str(d, "newMatchingPostings", "job", "id") != job {
		t.Fatalf("newMatchingPostings: %v %s", d, code)
	}
	app := s.apply(t, "bob", job, prof)
	d, _ = bob.next()
	if str(d, "applicationUpdates", "id") != app || str(d, "applicationUpdates", "type") != "received" || str(d, "applicationUpdates", "application", "stage") != "applied" {
		t.Fatalf("candidate's update: %v", d)
	}
	d, _ = alice.next()
	if str(d, "applicationUpdates", "id") != app || str(d, "applicationUpdates", "profileId") != prof {
		t.Fatalf("organization's update: %v", d)
	}
}

func TestWebSocketRefusals(t *testing.T) {
	s := newStack(t, stackOptions{})
	// A browser page of another origin may not connect.
	_, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/graphql",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}, Subprotocols: []string{"graphql-transport-ws"}})
	if err == nil {
		t.Fatal("a foreign origin connected")
	}
	// A bad token ends the connection.
	if _, err := s.dial(t, "", map[string]any{"authorization": "Bearer nonsense"}); websocket.CloseStatus(err) != 4403 {
		t.Fatalf("bad token: %v", err)
	}
}
