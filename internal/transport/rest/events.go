package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// sseBuffer is how many messages are queued for one connection; beyond
// that it catches up from the hub's recent messages.
var sseBuffer = 64

// sseHeartbeat is how often an idle stream gets a comment line, so that
// proxies keep it open and clients notice a dead one.
var sseHeartbeat = 15 * time.Second

// events serves GET /events: Server-Sent Events of live channels
// (?channels= names them, comma-separated; default: the public ones). Private
// channels (me.applications, me.matches, org.<id>.applications) need
// credentials on the request (a bearer token or key, or the web app's
// session cookie); the stream ends with "event: error" when they expire
// or stop being valid. Each message has an id (its event-store position);
// a client that reconnects with Last-Event-ID (or ?lastEventId=) first
// gets what it missed, from any node, as long as the node still keeps it;
// otherwise an "event: reset" says so and the client should refetch
// through the REST API. The hub never waits for a connection: one whose
// queue is full catches up from the node's recent messages, and one that
// falls behind all of them gets "event: error" with the reason and is
// closed.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Hub == nil || s.cfg.App == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, meridian.EUnavailable, "live events are not running on this node"))
		return
	}
	names := realtime.Public
	if q := r.URL.Query().Get("channels"); q != "" {
		names = splitChannels(q)
	}
	ls := s.newLiveSession(r)
	if err := ls.set(r.Context(), names); err != nil {
		writeProblem(w, s.fail(r.Context(), err))
		return
	}
	after := realtime.FromNow
	lastID := r.Header.Get("Last-Event-ID")
	if lastID == "" {
		lastID = r.URL.Query().Get("lastEventId")
	}
	if lastID != "" {
		c, err := realtime.ParseCursor(lastID)
		if err != nil {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, "Last-Event-ID: must be the id of an earlier message"))
			return
		}
		after = c
	}
	rc := http.NewResponseController(w)
	st := s.cfg.Hub.Open(ls.hub, sseBuffer, after)
	defer st.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}
	fail := func(reason string) {
		b, _ := json.Marshal(map[string]string{"reason": reason})
		fmt.Fprintf(w, "event: error\ndata: %s\n\n", b)
		_ = rc.Flush()
	}
	nextCheck := time.Now().Add(spread(liveRecheck))
	for {
		due := ls.due(nextCheck)
		msgs, reset, err := st.Next(r.Context(), max(min(sseHeartbeat, time.Until(due)), 0))
		switch {
		case errors.Is(err, realtime.ErrFellBehind):
			fail(err.Error())
			return
		case err != nil:
			return
		case reset:
			fmt.Fprint(w, "event: reset\ndata: {\"reason\":\"messages after Last-Event-ID are no longer kept: refetch through the REST API\"}\n\n")
		case len(msgs) == 0:
			fmt.Fprint(w, ": ping\n\n")
		}
		for _, m := range msgs {
			if id := cursorID(m); id != "" {
				fmt.Fprintf(w, "id: %s\n", id)
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ls.client(m), m.Data)
		}
		if !time.Now().Before(ls.due(nextCheck)) {
			if err := ls.recheck(r.Context()); err != nil {
				fail(meridian.ErrorMessage(err))
				return
			}
			nextCheck = time.Now().Add(liveRecheck)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
