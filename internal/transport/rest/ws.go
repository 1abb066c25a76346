package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// wsHeartbeat is how often the server pings an idle WebSocket; a client
// that does not answer within wsPongWait is disconnected.
var (
	wsHeartbeat = 30 * time.Second
	wsPongWait  = 10 * time.Second
)

// wsIn is a client's message on /ws.
type wsIn struct {
	Type     string   `json:"type"` // subscribe, unsubscribe, ping
	Channels []string `json:"channels,omitempty"`
}

// wsOut is a server's message on /ws.
type wsOut struct {
	Type     string          `json:"type"` // message, subscribed, pong, reset, error
	ID       int64           `json:"id,omitempty"`
	Channel  string          `json:"channel,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Channels []string        `json:"channels,omitempty"`
	Reason   string          `json:"reason,omitempty"`
}

// ws serves GET /ws: the public channels over a WebSocket, with the
// JSON protocol of docs/API.md. Browsers may connect from the API's own
// origin only (the Origin header is checked). Subscriptions change live;
// ?channels= subscribes at once and ?lastEventId= resumes as on /events.
func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Hub == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, meridian.EUnavailable, "live events are not running on this node"))
		return
	}
	q := r.URL.Query()
	var initial []string
	if v := q.Get("channels"); v != "" {
		initial = splitComma(v)
		for _, c := range initial {
			if !slices.Contains(realtime.Public, c) {
				writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, fmt.Sprintf("channels: %q is not a public channel", c)))
				return
			}
		}
	}
	after := int64(-1)
	if v := q.Get("lastEventId"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, "lastEventId: must be the id of an earlier message"))
			return
		}
		after = n
	}
	conn, err := websocket.Accept(w, r, nil) // nil options: the Origin must be the request's host
	if err != nil {
		return // Accept has answered (426, 403 for a foreign Origin)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 10)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	st := s.cfg.Hub.Open(initial, sseBuffer, after)
	defer st.Close()

	var wmu sync.Mutex // one frame at a time
	send := func(m wsOut) error {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		wmu.Lock()
		defer wmu.Unlock()
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		return conn.Write(wctx, websocket.MessageText, b)
	}
	// The client's messages: subscriptions and pings.
	go func() {
		defer cancel()
		subs := slices.Clone(initial)
		for {
			var in wsIn
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			if json.Unmarshal(data, &in) != nil {
				_ = send(wsOut{Type: "error", Reason: "messages are JSON objects with a type: subscribe, unsubscribe or ping"})
				continue
			}
			switch in.Type {
			case "ping":
				err = send(wsOut{Type: "pong"})
			case "subscribe", "unsubscribe":
				bad := ""
				for _, c := range in.Channels {
					if !slices.Contains(realtime.Public, c) {
						bad = c
					}
				}
				if bad != "" {
					err = send(wsOut{Type: "error", Reason: fmt.Sprintf("%q is not a public channel (private channels are not available yet)", bad)})
					break
				}
				for _, c := range in.Channels {
					if i := slices.Index(subs, c); in.Type == "subscribe" && i < 0 {
						subs = append(subs, c)
					} else if in.Type == "unsubscribe" && i >= 0 {
						subs = slices.Delete(subs, i, i+1)
					}
				}
				st.SetChannels(subs)
				err = send(wsOut{Type: "subscribed", Channels: append([]string{}, subs...)})
			default:
				err = send(wsOut{Type: "error", Reason: fmt.Sprintf("unknown message type %q", in.Type)})
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		msgs, reset, err := st.Next(ctx, wsHeartbeat)
		switch {
		case errors.Is(err, realtime.ErrFellBehind):
			_ = send(wsOut{Type: "error", Reason: err.Error()})
			conn.Close(websocket.StatusPolicyViolation, "slow consumer")
			return
		case err != nil:
			return
		case reset:
			err = send(wsOut{Type: "reset", Reason: "messages after lastEventId are no longer kept: refetch through the REST API"})
		case len(msgs) == 0:
			pctx, pcancel := context.WithTimeout(ctx, wsPongWait)
			err = conn.Ping(pctx)
			pcancel()
		}
		for _, m := range msgs {
			if err == nil {
				err = send(wsOut{Type: "message", ID: m.ID, Channel: m.Channel, Data: m.Data})
			}
		}
		if err != nil {
			return
		}
	}
}
