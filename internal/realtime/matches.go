package realtime

import (
	"context"
	"log/slog"
	"time"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/eventstore"
)

// Waiter waits for a projection to reach a position.
type Waiter interface {
	WaitFor(ctx context.Context, pos int64) error
}

// matchesWait bounds how long the feed waits for the saved-search
// projection before it gives up on an event's live matches.
const matchesWait = 10 * time.Second

// SavedSearchMatches returns a Feed.Matches reading the matches a
// publication made once the saved-search projection (alerts, on any node)
// has evaluated the event. When it lags by more than matchesWait the live
// messages are skipped, logged, rather than holding back every live
// channel; the matches stay in the person's notifications.
func SavedSearchMatches(proj Waiter, q *alerts.Queries, log *slog.Logger) func(ctx context.Context, e eventstore.Event) ([]UserMatch, error) {
	return func(ctx context.Context, e eventstore.Event) ([]UserMatch, error) {
		wctx, cancel := context.WithTimeout(ctx, matchesWait)
		defer cancel()
		if err := proj.WaitFor(wctx, e.Position); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			log.Warn("live matches skipped: the saved-search projection is behind", "position", e.Position, "err", err)
			return nil, nil
		}
		ns, err := q.MatchesAt(ctx, e.StreamID, e.Time)
		if err != nil {
			return nil, err
		}
		out := make([]UserMatch, len(ns))
		for i, n := range ns {
			out[i] = UserMatch{UserID: n.UserID, Match: Match{NotificationID: n.ID, SavedSearchID: n.SavedSearchID,
				JobID: n.JobID, Title: n.Title, OrgName: n.OrgName, At: n.CreatedAt}}
		}
		return out, nil
	}
}
