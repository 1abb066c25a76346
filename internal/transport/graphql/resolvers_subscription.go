package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/realtime"
)

// Subscriptions read the node's live hub. The App authorizes each channel
// by the name clients use (LiveChannel) and returns the hub's name for it;
// a subscriber never names a hub channel itself.

// streamBuffer is a subscription's queue in the hub; a subscriber that
// falls behind everything the hub keeps is ended (realtime.ErrFellBehind).
const streamBuffer = 256

// heartbeat bounds each wait on the hub, so that an idle stream notices
// its end.
const heartbeat = 30 * time.Second

type subscriptionResolver struct{ *Resolver }

func (r subscriptionResolver) JobPublished(ctx context.Context) (<-chan *realtime.NewJob, error) {
	return subscribe[realtime.NewJob](ctx, r.s, realtime.ChanJobsNew)
}

func (r subscriptionResolver) NewMatchingPostings(ctx context.Context) (<-chan *realtime.Match, error) {
	return subscribe[realtime.Match](ctx, r.s, "me."+realtime.KindMatches)
}

func (r subscriptionResolver) ApplicationUpdates(ctx context.Context, organizationID *string) (<-chan *realtime.ApplicationUpdate, error) {
	name := "me." + realtime.KindApplications
	if id := deref(organizationID); id != "" {
		name = "org." + id + "." + realtime.KindApplications
	}
	return subscribe[realtime.ApplicationUpdate](ctx, r.s, name)
}

func (r subscriptionResolver) MarketTicks(ctx context.Context) (<-chan *realtime.MarketTick, error) {
	return subscribe[realtime.MarketTick](ctx, r.s, realtime.ChanMarketTicks)
}

// subscribe authorizes the client channel name and streams its messages,
// decoded as T, until ctx ends or the subscriber falls behind.
func subscribe[T any](ctx context.Context, s *Server, name string) (<-chan *T, error) {
	if s.cfg.Hub == nil {
		return nil, &meridian.Error{Code: meridian.EUnavailable, Message: "live events are not running on this node"}
	}
	ch, err := s.cfg.App.LiveChannel(ctx, name)
	if err != nil {
		return nil, err
	}
	st := s.cfg.Hub.Open([]string{ch}, streamBuffer, realtime.FromNow)
	out := make(chan *T, 1)
	go func() {
		defer close(out)
		defer st.Close()
		for {
			msgs, _, err := st.Next(ctx, heartbeat)
			if errors.Is(err, realtime.ErrFellBehind) {
				transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": meridian.EUnavailable}})
				return
			}
			if err != nil {
				return
			}
			// The events reach the hub from the event stream, maybe before
			// the read models the event's fields resolve through: wait
			// (briefly) for them, so that an event's application or posting
			// is there.
			if n := len(msgs); n > 0 && msgs[n-1].ID > 0 {
				s.cfg.App.Settle(ctx, msgs[n-1].ID)
			}
			for _, m := range msgs {
				v := new(T)
				if err := json.Unmarshal(m.Data, v); err != nil {
					s.cfg.Log.ErrorContext(ctx, "graphql subscription: undecodable message", "channel", name, "err", err)
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
