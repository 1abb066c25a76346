package rest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// sseBuffer is how many messages may wait for one connection before it is
// dropped as a slow consumer.
const sseBuffer = 256

// sseHeartbeat is how often an idle stream gets a comment line, so that
// proxies keep it open and clients notice a dead one.
var sseHeartbeat = 15 * time.Second

// events serves GET /events: Server-Sent Events of the public channels
// (realtime.Public; ?channels= picks some, comma-separated). Each message
// has its event-store position as id; a client that reconnects with
// Last-Event-ID (or ?lastEventId=) first gets what it missed, from any
// node, as long as the node still keeps it; otherwise an "event: reset"
// says so and the client should refetch through the REST API. A
// connection that falls more than 256 messages behind gets "event: error"
// with the reason and is closed: it never holds up the others.
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
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("lastEventId")
	}
	if last != "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, "Last-Event-ID: must be the id of an earlier message"))
			return
		}
		after = n
	}
	rc := http.NewResponseController(w)
	sub, ok := s.cfg.Hub.Subscribe(channels, sseBuffer, after)
	defer s.cfg.Hub.Unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if !ok {
		fmt.Fprint(w, "event: reset\ndata: {\"reason\":\"messages after Last-Event-ID are no longer kept: refetch through the REST API\"}\n\n")
	}
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(sseHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case m := <-sub.C:
			fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Channel, m.Data)
		case <-beat.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-sub.Dropped:
			// Deliver what was queued before the drop, then say why.
			for len(sub.C) > 0 {
				m := <-sub.C
				fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Channel, m.Data)
			}
			fmt.Fprintf(w, "event: error\ndata: {\"reason\":%q}\n\n", sub.Reason)
			_ = rc.Flush()
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
