// Package apptest assembles, for tests, what a node runs under its APIs:
// the SQL projector, the saved-search projection, the search index, the
// market model and the live feed, all following one store, and the App
// over them. The transports' tests (REST, GraphQL, gRPC) serve it.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/follow"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
)

// poll is how often the followers look at the store (tests do not wait
// for a broker).
const poll = 5 * time.Millisecond

// Stack is a running node's application layer without its transports.
type Stack struct {
	// Ctx ends when the stack stops.
	Ctx context.Context
	DB  *store.DB
	App *app.App
	// Hub has the live channels (public and private, from the store's
	// first event on).
	Hub *realtime.Hub
	// Projector keeps the SQL read models, Alerts the saved searches.
	Projector, Alerts *projection.Runner
	// Market follows the store into App.Market.
	Market *follow.Follower
	Log    *slog.Logger
	stop   func()
}

// New starts a stack over db; it stops when the test ends (cleanups
// registered later, such as a server's, run before it), or at Stop.
func New(t testing.TB, db *store.DB) *Stack {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	run := func(f func(context.Context) error) { wg.Go(func() { _ = f(ctx) }) }
	var once sync.Once
	s := &Stack{Ctx: ctx, DB: db, Log: log, stop: func() { once.Do(func() { cancel(); wg.Wait() }) }}
	t.Cleanup(s.Stop)

	s.Projector = &projection.Runner{DB: db, Handler: readmodel.Projection{}, Log: log, Poll: poll}
	s.Alerts = &projection.Runner{DB: db, Handler: alerts.New(db, log), Log: log, Poll: poll}
	run(s.Projector.Run)
	run(s.Alerts.Run)
	a := app.New(db, s.Projector, log)
	a.AlertsWaiter = s.Alerts
	idx := &search.Follower{DB: db, Log: log, Poll: poll}
	if err := idx.Start(ctx); err != nil {
		t.Fatal(err)
	}
	run(idx.Run)
	a.Search = idx
	a.Webhooks = &delivery.Endpoints{DB: db}
	a.Market = market.NewModel()
	s.Market = &follow.Follower{Name: "market", DB: db, Log: log, Model: a.Market, Poll: poll}
	run(s.Market.Run)
	s.Hub = realtime.NewHub(0)
	live := realtime.NewFeed(s.Hub, db.Load, 0)
	live.Private = true
	live.Matches = realtime.SavedSearchMatches(s.Alerts, alerts.NewQueries(db), log)
	run((&follow.Follower{Name: "realtime", DB: db, Log: log, Model: live, Poll: poll}).Run)
	s.App = a
	return s
}

// Stop stops the followers and waits for them.
func (s *Stack) Stop() { s.stop() }
