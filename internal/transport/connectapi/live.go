package connectapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	v1 "github.com/meridianhq/meridian/internal/gen/meridian/v1"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// Default channels of Watch: the caller's own matches and applications.
var defaultChannels = []string{"me.matches", "me.applications"}

const (
	// streamBuffer is each stream's queue in the hub, in messages.
	streamBuffer = 256
	// maxChannels bounds the channels one stream follows.
	maxChannels = 64
	// nextWait is how long one read of the hub waits before looking again.
	nextWait = 30 * time.Second
)

// channelAuthorizer decides which channels a principal may follow and
// names them in the hub: app.App.LiveChannels.
type channelAuthorizer interface {
	LiveChannels(ctx context.Context, names []string) ([]string, error)
}

// stream is a reader of the hub (*realtime.Stream).
type stream interface {
	SetChannels(channels []string)
	Next(ctx context.Context, wait time.Duration) (msgs []realtime.Message, reset bool, err error)
	Close()
}

func hubOpener(h *realtime.Hub) func(channels []string) stream {
	return func(channels []string) stream { return h.Open(channels, streamBuffer, realtime.FromNow) }
}

type live struct {
	channels channelAuthorizer
	open     func(channels []string) stream
	log      *slog.Logger
}

func (l *live) ready() (channelAuthorizer, error) {
	auth := l.channels
	if auth == nil || l.open == nil {
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: "live events are not running on this node"}
	}
	return auth, nil
}

// subscriptions are a stream's channels: the client's names and the
// hub's.
type subscriptions map[string]string // client name → hub name

// resolve asks the App for the hub's name of each channel; the first
// refusal fails them all.
func resolve(ctx context.Context, auth channelAuthorizer, names []string) (subscriptions, error) {
	internal, err := auth.LiveChannels(ctx, names)
	if err != nil {
		return nil, err
	}
	if len(internal) != len(names) {
		return nil, fmt.Errorf("live channels: %d names for %d channels", len(internal), len(names))
	}
	subs := subscriptions{}
	for i, n := range names {
		subs[n] = internal[i]
	}
	return subs, nil
}

func (s subscriptions) hubNames() []string {
	out := make([]string, 0, len(s))
	for _, in := range s {
		if !slices.Contains(out, in) {
			out = append(out, in)
		}
	}
	slices.Sort(out)
	return out
}

func (s subscriptions) clientNames() []string {
	out := make([]string, 0, len(s))
	for c := range s {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// clientName is the client's name of a hub channel ("" when the stream
// does not follow it, or no longer).
func (s subscriptions) clientName(internal string) string {
	best := ""
	for c, in := range s {
		if in == internal && (best == "" || c < best) {
			best = c
		}
	}
	return best
}

// event turns a hub message into a LiveEvent.
func (l *live) event(m realtime.Message, channel string) (*v1.LiveEvent, bool) {
	data := &structpb.Struct{}
	if err := protojson.Unmarshal(m.Data, data); err != nil {
		l.log.Error("live message is not a JSON object", "err", err, "channel", m.Channel, "id", m.ID)
		return nil, false
	}
	return &v1.LiveEvent{Event: &v1.LiveEvent_Message{Message: &v1.LiveMessage{Id: m.ID, Seq: i32(m.Seq), Channel: channel, Data: data}}}, true
}

// pump sends the stream's messages until ctx ends or the stream fails.
// subs gives the client's name of each message's channel under mu, and
// send is called under mu.
func (l *live) pump(ctx context.Context, st stream, mu *sync.Mutex, subs func() subscriptions, send func(*v1.LiveEvent) error) error {
	for {
		msgs, _, err := st.Next(ctx, nextWait)
		switch {
		case errors.Is(err, realtime.ErrFellBehind):
			return connect.NewError(connect.CodeResourceExhausted, err)
		case err != nil && ctx.Err() != nil:
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return nil // the client left
		case err != nil:
			return err
		}
		if err := func() error {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				// A message queued before an unsubscription is not sent after its acknowledgement.
				name := subs().clientName(m.Channel)
				if name == "" {
					continue
				}
				ev, ok := l.event(m, name)
				if !ok {
					continue
				}
				if err := send(ev); err != nil {
					return err
				}
			}
			return nil
		}(); err != nil {
			return err
		}
	}
}

// Watch implements LiveService.Watch.
func (l *live) Watch(ctx context.Context, req *connect.Request[v1.WatchRequest], out *connect.ServerStream[v1.LiveEvent]) error {
	auth, err := l.ready()
	if err != nil {
		return err
	}
	ctx, stop := untilExpiry(ctx)
	defer stop()
	names := req.Msg.GetChannels()
	if len(names) == 0 {
		names = defaultChannels
	}
	if len(names) > maxChannels {
		return meridian.Errorf(meridian.EInvalid, "channels: at most %d", maxChannels)
	}
	subs, err := resolve(ctx, auth, names)
	if err != nil {
		return err
	}
	st := l.open(subs.hubNames())
	defer st.Close()
	// Send the headers now, so that the client knows the stream is open.
	if err := out.Conn().Send(nil); err != nil {
		return err
	}
	var mu sync.Mutex
	return l.pump(ctx, st, &mu, func() subscriptions { return subs }, out.Send)
}

// Subscribe implements LiveService.Subscribe.
func (l *live) Subscribe(ctx context.Context, bidi *connect.BidiStream[v1.SubscribeRequest, v1.LiveEvent]) error {
	auth, err := l.ready()
	if err != nil {
		return err
	}
	ctx, stop := untilExpiry(ctx)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	st := l.open(nil)
	defer st.Close()
	var mu sync.Mutex // guards subs and sending
	subs := subscriptions{}
	if err := bidi.Send(nil); err != nil { // the headers: the stream is open
		return err
	}
	go func() {
		for {
			req, err := bidi.Receive()
			if errors.Is(err, io.EOF) {
				return // the client sends no more changes but keeps listening
			}
			if err != nil {
				cancel(err)
				return
			}
			ack := l.change(ctx, auth, req, &mu, &subs, st)
			mu.Lock()
			err = bidi.Send(&v1.LiveEvent{Event: &v1.LiveEvent_Ack{Ack: ack}})
			mu.Unlock()
			if err != nil {
				cancel(err)
				return
			}
		}
	}()
	return l.pump(ctx, st, &mu, func() subscriptions { return subs }, bidi.Send)
}

// change applies one subscription change and returns its acknowledgement.
func (l *live) change(ctx context.Context, auth channelAuthorizer, req *v1.SubscribeRequest, mu *sync.Mutex, subs *subscriptions, st stream) *v1.Ack {
	ack := &v1.Ack{RequestId: req.GetRequestId(), Action: req.GetAction()}
	refuse := func(err error) *v1.Ack {
		out, internal := toConnect(err)
		if internal {
			l.log.ErrorContext(ctx, "internal error", "err", err, "procedure", "Subscribe")
		}
		var ce *connect.Error
		if errors.As(out, &ce) {
			ack.ErrorCode, ack.ErrorMessage = ce.Code().String(), ce.Message()
		}
		mu.Lock()
		ack.Channels = subs.clientNames()
		mu.Unlock()
		return ack
	}
	switch req.GetAction() {
	case v1.SubscribeRequest_ACTION_SUBSCRIBE:
		mu.Lock()
		n := len(*subs)
		mu.Unlock()
		if n+len(req.GetChannels()) > maxChannels {
			return refuse(meridian.Errorf(meridian.EInvalid, "channels: a stream follows at most %d", maxChannels))
		}
		add, err := resolve(ctx, auth, req.GetChannels())
		if err != nil {
			return refuse(err)
		}
		mu.Lock()
		defer mu.Unlock()
		next := subscriptions{}
		for c, in := range *subs {
			next[c] = in
		}
		for c, in := range add {
			next[c] = in
		}
		st.SetChannels(next.hubNames())
		*subs = next
		ack.Channels = next.clientNames()
		return ack
	case v1.SubscribeRequest_ACTION_UNSUBSCRIBE:
		mu.Lock()
		defer mu.Unlock()
		next := subscriptions{}
		for c, in := range *subs {
			if !slices.Contains(req.GetChannels(), c) {
				next[c] = in
			}
		}
		st.SetChannels(next.hubNames())
		*subs = next
		ack.Channels = next.clientNames()
		return ack
	}
	return refuse(meridian.Errorf(meridian.EInvalid, "action: subscribe or unsubscribe, got %s", strings.ToLower(req.GetAction().String())))
}

// untilExpiry ends a stream when the caller's credentials expire, with
// Unauthenticated: the client reconnects with a fresh token.
func untilExpiry(ctx context.Context) (context.Context, context.CancelFunc) {
	exp := meridian.PrincipalFrom(ctx).Expires
	if exp.IsZero() {
		return ctx, func() {}
	}
	return context.WithDeadlineCause(ctx, exp, connect.NewError(connect.CodeUnauthenticated, errors.New("credentials expired: reconnect with a fresh token")))
}
