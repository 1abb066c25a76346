// Package app is Meridian's application layer: one method per command and
// query, each receiving the acting principal through its context. Commands
// load an aggregate from the event store, run the domain rule, and append
// its events with optimistic concurrency; they then wait (briefly) for the
// SQL read models to catch up, so that a client reads its own writes.
// Authorization decisions live here, deny by default, so that every
// transport gets the same answers.
//
// Errors are *meridian.Error: EInvalid, ERule, ENotFound (also for objects
// the principal may not see), EConflict, EUnauthorized, EForbidden.
package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/skills"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/webhook/delivery"
)

// Waiter waits for the read models to reach a position.
type Waiter interface {
	WaitFor(ctx context.Context, pos int64) error
}

// App holds the application's dependencies.
type App struct {
	DB     *store.DB
	Q      *readmodel.Queries
	Waiter Waiter // nil: do not wait for read models
	// AlertsWaiter waits for the saved-search projection (internal/alerts),
	// which saved-search commands wait for instead of Waiter (nil: none).
	AlertsWaiter Waiter
	Clock        meridian.Clock
	Log          *slog.Logger
	// Keys and Audit are the organization credentials and the security
	// audit log (nil in tools that do not need them).
	Keys  *auth.APIKeys
	Audit *auth.Audit
	// Skills finds and canonicalizes skills (nil: the shipped taxonomy's
	// extractor).
	Skills *skills.Extractor
	// Search is the node's search index (nil: search and matching are
	// unavailable).
	Search Searcher
	// Market is the node's market model (nil: market figures are
	// unavailable).
	Market *market.Model
	// Webhooks are the organizations' outgoing webhook endpoints and
	// delivery log (nil: unavailable).
	Webhooks *delivery.Endpoints
	// SettleTimeout bounds how long a command waits for its read-model
	// update (default 2s); the write is durable either way.
	SettleTimeout time.Duration
}

// New returns an App.
func New(db *store.DB, waiter Waiter, log *slog.Logger) *App {
	return &App{DB: db, Q: readmodel.NewQueries(db), Waiter: waiter, Clock: meridian.SystemClock, Log: log,
		Keys: auth.NewAPIKeys(db, Scopes), Audit: auth.NewAudit(db)}
}

// Result is what a command returns: the aggregate id, its new version and
// the global position of its last event (0 when the command changed nothing).
type Result struct {
	ID       string
	Version  int64
	Position int64
}

func (a *App) now() time.Time {
	if a.Clock == nil {
		return time.Now().UTC()
	}
	return a.Clock()
}

// execute loads an aggregate, checks the expected version (-1: any), runs
// fn, appends the recorded events and waits for the read models.
func (a *App) execute(ctx context.Context, agg domain.Aggregate, id string, expected int64, mustExist bool, fn func() error) (Result, error) {
	evs, err := a.DB.Load(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if err := domain.Load(agg, id, evs); err != nil {
		return Result{}, err
	}
	if mustExist && agg.Version() == 0 {
		return Result{}, meridian.Errorf(meridian.ENotFound, "%s %s not found", agg.StreamType(), id)
	}
	loaded := agg.Version()
	// fn authorizes before it changes anything, and the version is compared
	// only after it: a caller who may not see the object must get the same
	// not_found as for a missing one, not learn from a stale If-Match that it
	// exists.
	if err := fn(); err != nil {
		return Result{}, err
	}
	if expected >= 0 && expected != loaded {
		return Result{}, meridian.Errorf(meridian.EConflict, "stale version for %s: expected %d, current %d", id, expected, loaded)
	}
	pending := agg.Pending()
	if len(pending) == 0 {
		return Result{ID: id, Version: loaded}, nil
	}
	p := meridian.PrincipalFrom(ctx)
	meta := eventstore.MetaFrom(ctx)
	meta.Actor = p.ID
	out, err := a.DB.Append(eventstore.WithMeta(ctx, meta), eventstore.StreamAppend{
		StreamID: id, StreamType: agg.StreamType(), ExpectedVersion: loaded, Events: pending,
	})
	if err != nil {
		return Result{}, err
	}
	res := Result{ID: id, Version: agg.Version(), Position: out[len(out)-1].Position}
	a.settle(ctx, res.Position)
	return res, nil
}

// CatchUp waits (at most SettleTimeout) until every model reads are served
// from (the SQL read models and the search index) has applied the event
// at pos: a client that heard of an event through a live channel then
// reads what the event announced.
func (a *App) CatchUp(ctx context.Context, pos int64) {
	if pos <= 0 {
		return
	}
	d := a.SettleTimeout
	if d == 0 {
		d = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, d) // one budget for both
	defer cancel()
	a.settle(ctx, pos)
	if w, ok := a.Search.(Waiter); ok {
		_ = w.WaitFor(ctx, pos) // on timeout the caller reads what there is
	}
}

func (a *App) settle(ctx context.Context, pos int64) {
	if a.Waiter == nil || pos == 0 {
		return
	}
	d := a.SettleTimeout
	if d == 0 {
		d = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := a.Waiter.WaitFor(ctx, pos); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		a.Log.Warn("wait for read models", "err", err)
	}
}

// ---- authorization helpers ----

// Scopes an organization can grant its API keys and OAuth2 clients.
const (
	ScopeJobsRead          = "jobs:read"
	ScopeJobsWrite         = "jobs:write"
	ScopeApplicationsRead  = "applications:read"
	ScopeApplicationsWrite = "applications:write"
	ScopeOrgRead           = "org:read"
)

// Scopes lists every scope.
var Scopes = []string{ScopeJobsRead, ScopeJobsWrite, ScopeApplicationsRead, ScopeApplicationsWrite, ScopeOrgRead}

// requireUser admits any authenticated principal; organization commands
// then check roles (people) or scopes (machines).
func requireUser(ctx context.Context) (meridian.Principal, error) {
	p := meridian.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return p, meridian.Errorf(meridian.EUnauthorized, "sign in to do this")
	}
	return p, nil
}

// requirePerson admits people (and Meridian itself), not API keys: only a
// person owns a profile, applies, or creates an organization.
func requirePerson(ctx context.Context) (meridian.Principal, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return p, err
	}
	if p.Kind == meridian.PrincipalService {
		return p, meridian.Errorf(meridian.EForbidden, "API keys and OAuth2 clients cannot do this; a person must")
	}
	return p, nil
}

// RoleAtLeast reports whether role has at least need's powers (owner >
// admin > recruiter > viewer): the one ordering every check of a role uses.
func RoleAtLeast(role, need string) bool {
	return roleRank(role) >= roleRank(need) && roleRank(role) > 0
}

// roleRank orders roles; higher is more powerful.
func roleRank(role string) int {
	switch role {
	case domain.RoleOwner:
		return 4
	case domain.RoleAdmin:
		return 3
	case domain.RoleRecruiter:
		return 2
	case domain.RoleViewer:
		return 1
	}
	return 0
}

// loadOrg loads the authoritative organization aggregate.
func (a *App) loadOrg(ctx context.Context, orgID string) (*domain.Org, error) {
	org := domain.NewOrg()
	evs, err := a.DB.Load(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if err := domain.Load(org, orgID, evs); err != nil {
		return nil, err
	}
	if !org.Exists() {
		return nil, meridian.Errorf(meridian.ENotFound, "organization %s not found", orgID)
	}
	return org, nil
}

// requireOrgRole checks on the write model that a person has at least role
// in org, or that a service principal of that organization holds scope ("":
// no machine may). Outsiders get not_found, so that tenants cannot probe
// each other's objects.
func requireOrgRole(p meridian.Principal, org *domain.Org, role, scope string) error {
	if p.PlatformAdmin {
		return nil
	}
	if p.Kind == meridian.PrincipalService {
		if p.OrgID != org.ID() {
			return meridian.Errorf(meridian.ENotFound, "organization %s not found", org.ID())
		}
		if scope == "" || !p.HasScope(scope) {
			return meridian.Errorf(meridian.EForbidden, "this credential lacks the scope for this (%s)", orDash(scope))
		}
		return nil
	}
	have := org.Role(p.ID)
	if have == "" {
		return meridian.Errorf(meridian.ENotFound, "organization %s not found", org.ID())
	}
	if roleRank(have) < roleRank(role) {
		return meridian.Errorf(meridian.EForbidden, "this needs the %s role or higher in the organization; you are %s", role, have)
	}
	return nil
}

// memberRole returns the principal's role in org from the read model
// (queries only; "" when not a member). A service principal of the
// organization reads as a viewer when it holds scope.
func (a *App) memberRole(ctx context.Context, p meridian.Principal, orgID, scope string) (string, error) {
	roles, err := a.memberRoles(ctx, p, []string{orgID}, scope)
	return roles[orgID], err
}

// canRead reports whether a service principal holds a read scope, directly
// or through its write scope: a credential allowed to change something may
// read back what it changed.
func canRead(p meridian.Principal, scope string) bool {
	return p.HasScope(scope) || p.HasScope(writeScope(scope))
}

// writeScope is the write scope that implies a read scope.
func writeScope(read string) string {
	switch read {
	case ScopeJobsRead:
		return ScopeJobsWrite
	case ScopeApplicationsRead:
		return ScopeApplicationsWrite
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "people only"
	}
	return s
}

// Settle waits (briefly, as commands do) until the local read models have
// applied position pos: bulk writers call it once at the end.
func (a *App) Settle(ctx context.Context, pos int64) { a.settle(ctx, pos) }
