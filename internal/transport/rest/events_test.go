package rest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/transport/rest"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct{ id, event, data string }

// readEvents reads events from an open stream until n have arrived
// (comments skipped) or the deadline passes.
func readEvents(t *testing.T, sc *bufio.Scanner, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" || cur.data != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[6:]
		}
	}
	if len(out) < n {
		t.Fatalf("stream ended after %d of %d events: %v", len(out), n, sc.Err())
	}
	return out
}

func openStream(t *testing.T, url string, hdr ...string) (*http.Response, *bufio.Scanner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res, bufio.NewScanner(res.Body)
}

// TestEventsStream: an anonymous client follows new and closed postings
// live, and a client reconnecting with Last-Event-ID gets what it missed.
func TestEventsStream(t *testing.T) {
	e := newEnv(t)
	res, sc := openStream(t, e.srv.URL+"/events")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	orgID, jobID := e.setup() // a published posting
	got := readEvents(t, sc, 1)[0]
	var job struct {
		ID, OrgID, Title string
		Skills           []struct{ Skill string }
	}
	if err := json.Unmarshal([]byte(got.data), &job); err != nil || got.event != "jobs.new" || job.ID != jobID || job.OrgID != orgID ||
		job.Title != "Senior Go Engineer" || len(job.Skills) == 0 || got.id == "" {
		t.Fatalf("first event: %+v (%v)", got, err)
	}
	// Closing the posting reaches the stream; a reconnect from the first
	// event's id gets the close again, and nothing before it.
	e.must(200, e.do("POST", "/api/v1/jobs/"+jobID+"/close", "alice", map[string]any{"reason": "filled"}))
	closed := readEvents(t, sc, 1)[0]
	if closed.event != "jobs.closed" || !strings.Contains(closed.data, jobID) {
		t.Fatalf("close event: %+v", closed)
	}
	_, sc2 := openStream(t, e.srv.URL+"/events?channels=jobs.closed,jobs.new", "Last-Event-ID", got.id)
	if again := readEvents(t, sc2, 1)[0]; again != closed {
		t.Fatalf("resumed with %+v, want %+v", again, closed)
	}
	// Only the channels asked for; unknown channels are refused.
	_, sc3 := openStream(t, e.srv.URL+"/events?channels=jobs.closed&lastEventId=0")
	if ev := readEvents(t, sc3, 1)[0]; ev != closed {
		t.Fatalf("jobs.closed only: %+v", ev)
	}
	r := e.do("GET", "/events?channels=applications", "", nil)
	if r.Status != 422 || !strings.Contains(string(r.Raw), "channels") {
		t.Errorf("unknown channel: %d %s", r.Status, r.Raw)
	}
}

// TestEventsStreamBurst: a burst larger than a connection's queue (an
// import) reaches it whole and in order: the connection catches up from
// the node's recent messages instead of being dropped.
func TestEventsStreamBurst(t *testing.T) {
	defer rest.SetSSEBuffer(1)()
	e := newEnv(t)
	_, sc := openStream(t, e.srv.URL+"/events?channels=jobs.new")
	org := e.must(201, e.do("POST", "/api/v1/orgs", "alice", map[string]any{"name": "Burst Inc"}))
	orgID := org.Body["id"].(string)
	csv := "title,location,description\n"
	for i := range 40 {
		csv += fmt.Sprintf("Backend Engineer %d,Remote (EU),Go and PostgreSQL\n", i)
	}
	e.must(200, e.do("POST", "/api/v1/imports?orgId="+orgID+"&format=csv", "alice", csv, "Content-Type", "text/csv"))
	evs := readEvents(t, sc, 40)
	for i, ev := range evs {
		if ev.event != "jobs.new" || (i > 0 && !idLess(evs[i-1].id, ev.id)) {
			t.Fatalf("event %d of the burst: %+v after %+v", i, ev, evs[max(i-1, 0)])
		}
	}
}

func idLess(a, b string) bool {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x < y
}
