package rest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestGraphQLThroughTheAPI: /graphql behind the API's middleware answers
// queries with the caller's principal, and its WebSocket (through the
// request logging and timeouts) carries a subscription: a posting
// published through REST arrives on jobPublished.
func TestGraphQLThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	_, jobID := e.setup()
	q := e.must(200, e.do("POST", "/graphql", "alice", map[string]any{"query": `query($id: ID!) { job(id: $id) { title organization { name } } }`,
		"variables": map[string]any{"id": jobID}}))
	if !strings.Contains(string(q.Raw), "Senior Go Engineer") || !strings.Contains(string(q.Raw), "Acme Remote") {
		t.Fatalf("query: %s", q.Raw)
	}
	if r := e.do("GET", "/graphiql", "", nil); r.Status != 200 || !strings.Contains(r.Header.Get("Content-Security-Policy"), "cdn.jsdelivr.net") {
		t.Fatalf("graphiql: %d %v", r.Status, r.Header)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/graphql"
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]any {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	send(map[string]any{"type": "connection_init"})
	if m := read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "subscription { jobPublished { id title } }"}})
	// The subscription reaches the hub asynchronously: publish postings
	// until one arrives (each is a new posting, so any of them proves it).
	org := e.must(201, e.do("POST", "/api/v1/orgs", "bruno", map[string]any{"name": "Subscribed Inc"})).Body["id"].(string)
	published := make(chan string, 50)
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-stopped }() // no request outlives the test
	go func() {
		defer close(stopped)
		for range 40 {
			select {
			case <-stop:
				return
			default:
			}
			r := e.do("POST", "/api/v1/orgs/"+org+"/jobs", "bruno", jobBody("Live Engineer"))
			id, _ := r.Body["id"].(string)
			e.do("POST", "/api/v1/jobs/"+id+"/publish", "bruno", nil)
			published <- id
			time.Sleep(250 * time.Millisecond)
		}
	}()
	for {
		m := read()
		if m["type"] == "ping" {
			continue
		}
		var got struct {
			Payload struct {
				Data struct{ JobPublished struct{ ID, Title string } }
			}
		}
		_ = json.Unmarshal(mustJSON(m), &got)
		if m["type"] != "next" {
			t.Fatalf("subscription: %v", m)
		}
		if got.Payload.Data.JobPublished.Title != "Live Engineer" {
			continue // the setup's posting, when the feed reaches it after the subscription started
		}
		for {
			select {
			case id := <-published:
				if id == got.Payload.Data.JobPublished.ID {
					return
				}
			case <-ctx.Done():
				t.Fatalf("%s was not one of the postings published", got.Payload.Data.JobPublished.ID)
			}
		}
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
