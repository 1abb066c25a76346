package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	Type     string   `json:"type"` // auth, subscribe, unsubscribe, ping
	Channels []string `json:"channels,omitempty"`
	Token    string   `json:"token,omitempty"`
}

// wsOut is a server's message on /ws.
type wsOut struct {
	Type      string          `json:"type"` // message, subscribed, authenticated, pong, reset, error
	ID        string          `json:"id,omitempty"`
	Channel   string          `json:"channel,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Channels  []string        `json:"channels,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	ExpiresAt *time.Time      `json:"expiresAt,omitempty"`
}

// Close codes of /ws beyond the standard ones.
const (
	wsClosedUnauthorized websocket.StatusCode = 4001 // credentials expired or no longer valid
	wsClosedForbidden    websocket.StatusCode = 4003 // a channel is no longer authorized
)

// ws serves GET /ws: live channels over a WebSocket, with the JSON
// protocol of docs/API.md. Browsers may connect from the API's own origin
// only (the Origin header is checked). Anonymous clients hear the public
// channels; private ones need credentials, from the request (header,
// session cookie) or an auth message with a token, and the connection
// closes when they expire. Subscriptions change live; ?channels=
// subscribes at once and ?lastEventId= resumes as on /events.
func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Hub == nil || s.cfg.App == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, meridian.EUnavailable, "live events are not running on this node"))
		return
	}
	q := r.URL.Query()
	ls := s.newLiveSession(r)
	if err := ls.set(r.Context(), splitChannels(q.Get("channels"))); err != nil {
		writeProblem(w, s.fail(r.Context(), err))
		return
	}
	after := realtime.FromNow
	if v := q.Get("lastEventId"); v != "" {
		c, err := realtime.ParseCursor(v)
		if err != nil {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EInvalid, "lastEventId: must be the id of an earlier message"))
			return
		}
		after = c
	}
	conn, err := websocket.Accept(w, r, nil) // nil options: the Origin must be the request's host
	if err != nil {
		return // Accept has answered (426, 403 for a foreign Origin)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 10)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	st := s.cfg.Hub.Open(ls.hub, sseBuffer, after)
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
	// lmu guards ls: the reader changes it, the writer reads it.
	var lmu sync.Mutex
	// The client's messages: credentials, subscriptions and pings.
	go func() {
		defer cancel()
		for {
			var in wsIn
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			if json.Unmarshal(data, &in) != nil {
				_ = send(wsOut{Type: "error", Reason: "messages are JSON objects with a type: auth, subscribe, unsubscribe or ping"})
				continue
			}
			switch in.Type {
			case "ping":
				err = send(wsOut{Type: "pong"})
			case "auth":
				lmu.Lock()
				aerr := ls.authenticate(ctx, in.Token)
				p := ls.p
				lmu.Unlock()
				if aerr != nil {
					err = send(wsOut{Type: "error", Reason: "auth: " + meridian.ErrorMessage(aerr)})
					break
				}
				st.Wake() // the writer's next check may be sooner now
				out := wsOut{Type: "authenticated"}
				if !p.Expires.IsZero() {
					out.ExpiresAt = &p.Expires
				}
				err = send(out)
			case "subscribe", "unsubscribe":
				lmu.Lock()
				names := slices.Clone(ls.names)
				for _, c := range in.Channels {
					if i := slices.Index(names, c); in.Type == "subscribe" && i < 0 {
						names = append(names, c)
					} else if in.Type == "unsubscribe" && i >= 0 {
						names = slices.Delete(names, i, i+1)
					}
				}
				serr := ls.set(ctx, names)
				hub, now := ls.hub, slices.Clone(ls.names)
				lmu.Unlock()
				if serr != nil {
					err = send(wsOut{Type: "error", Reason: meridian.ErrorMessage(serr), Channels: in.Channels})
					break
				}
				st.SetChannels(hub)
				err = send(wsOut{Type: "subscribed", Channels: now})
			default:
				err = send(wsOut{Type: "error", Reason: fmt.Sprintf("unknown message type %q", in.Type)})
			}
			if err != nil {
				return
			}
		}
	}()

	closeWith := func(code websocket.StatusCode, reason string) {
		_ = send(wsOut{Type: "error", Reason: reason})
		conn.Close(code, truncate(reason, 120))
	}
	nextCheck, lastPing := time.Now().Add(liveRecheck), time.Now()
	for {
		// Wake for the heartbeat, the next authorization check or the
		// credential's expiry, whichever comes first.
		lmu.Lock()
		due := ls.due(nextCheck)
		lmu.Unlock()
		msgs, reset, err := st.Next(ctx, max(min(wsHeartbeat, time.Until(due)), 0))
		switch {
		case errors.Is(err, realtime.ErrFellBehind):
			closeWith(websocket.StatusPolicyViolation, "slow consumer: "+err.Error())
			return
		case err != nil:
			return
		case reset:
			err = send(wsOut{Type: "reset", Reason: "messages after lastEventId are no longer kept: refetch through the REST API"})
		case len(msgs) == 0 && time.Since(lastPing) >= wsHeartbeat:
			pctx, pcancel := context.WithTimeout(ctx, wsPongWait)
			err = conn.Ping(pctx)
			pcancel()
			lastPing = time.Now()
		}
		lmu.Lock()
		for _, m := range msgs {
			if err == nil {
				err = send(wsOut{Type: "message", ID: cursorID(m), Channel: ls.client(m), Data: m.Data})
			}
		}
		var cerr error
		if !time.Now().Before(ls.due(nextCheck)) {
			cerr = ls.recheck(ctx)
			nextCheck = time.Now().Add(liveRecheck)
		}
		lmu.Unlock()
		if cerr != nil {
			code := wsClosedForbidden
			if meridian.ErrorCode(cerr) == meridian.EUnauthorized {
				code = wsClosedUnauthorized
			}
			closeWith(code, meridian.ErrorMessage(cerr))
			return
		}
		if err != nil {
			return
		}
	}
}

// cursorID is a message's id on the wire ("" for ephemeral messages,
// which cannot be resumed from).
func cursorID(m realtime.Message) string {
	if m.Ephemeral() {
		return ""
	}
	return m.Cursor().String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
