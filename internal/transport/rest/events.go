package rest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// sseBuffer is how many messages are queued for one connection; beyond
// that it catches up from the hub's recent messages.
var sseBuffer = 256

// sseHeartbeat is how often an idle stream gets a comment line, so that
// proxies keep it open and clients notice a dead one.
var sseHeartbeat = 15 * time.Second

// events serves GET /events: Server-Sent Events of the public channels
// (realtime.Public; ?channels= picks some, comma-separated). Each message
// has its event-store position as id; a client that reconnects with
// Last-Event-ID (or ?lastEventId=) first gets what it missed, from any
// node, as long as the node still keeps it; otherwise an "event: reset"
// says so and the client should refetch through the REST API. The hub
// never waits for a connection: one whose queue is full catches up from
// the node's recent messages, and one that falls behind all of them gets
// "event: error" with the reason and is closed.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Hub == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, meridian.EUnavailable, "live events are not running on this node"))
		return
	}
	channels := realtime.Public
	if q := r.URL.Query().Get("channels"); q != "" {
		channels = nil
		for _, c := range strings.Split(q, ",") {
			if c = strings.TrimSpace(c); !slices.Contains(realtime.Public, c) {
				writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid,
					fmt.Sprintf("channels: %q is not a public channel (%s)", c, strings.Join(realtime.Public, ", "))))
				return
			}
			channels = append(channels, c)
		}
	}
	after := int64(-1)
	lastID := r.Header.Get("Last-Event-ID")
	if lastID == "" {
		lastID = r.URL.Query().Get("lastEventId")
	}
	if lastID != "" {
		n, err := strconv.ParseInt(lastID, 10, 64)
		if err != nil || n < 0 {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, "Last-Event-ID: must be the id of an earlier message"))
			return
		}
		after = n
	}
	rc := http.NewResponseController(w)
	st := s.cfg.Hub.Open(channels, sseBuffer, after)
	defer st.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}
	for {
		msgs, reset, err := st.Next(r.Context(), sseHeartbeat)
		switch {
		case errors.Is(err, realtime.ErrFellBehind):
			fmt.Fprintf(w, "event: error\ndata: {\"reason\":%q}\n\n", err.Error())
			_ = rc.Flush()
			return
		case err != nil:
			return
		case reset:
			fmt.Fprint(w, "event: reset\ndata: {\"reason\":\"messages after Last-Event-ID are no longer kept: refetch through the REST API\"}\n\n")
		case len(msgs) == 0:
			fmt.Fprint(w, ": ping\n\n")
		}
		for _, m := range msgs {
			fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Channel, m.Data)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
