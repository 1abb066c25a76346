package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// Saved searches are a person's own: every operation acts on the
// principal's own saved searches (one aggregate per person, see
// domain.SavedSearches), and another person's saved search is not found,
// platform admins included: what someone is looking for is theirs alone.
// API keys and OAuth2 clients have no saved searches (EForbidden).

// SavedSearchInput is a saved search as a person writes it.
type SavedSearchInput struct {
	Name  string       `json:"name" minLength:"1" maxLength:"100"`
	Query search.Query `json:"query"`
	Alert string       `json:"alert,omitempty" enum:"instant,daily,off" doc:"instant (default): notify on every new matching posting; daily: in a daily digest; off: the feed only"`
}

// FeedEntriesLimit is how many of the newest matches a feed shows.
const FeedEntriesLimit = 50

// newFeedToken returns a fresh secret feed token (256 bits).
func newFeedToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// savedSearchQuery validates a query with the search engine and returns
// its stored form. Paging and facets are not part of a saved search.
func savedSearchQuery(q search.Query) (json.RawMessage, error) {
	q.Limit, q.Cursor, q.Facets = 0, "", false
	if _, err := search.Compile(q); err != nil {
		return nil, err
	}
	return json.Marshal(q)
}

// savedSearchCommand runs fn on the principal's saved searches and appends
// what it recorded. The aggregate holds all of a person's saved searches,
// so a concurrent change to another of them is retried rather than
// reported; a stale If-Match on the one changed is EConflict.
func (a *App) savedSearchCommand(ctx context.Context, fn func(p meridian.Principal, s *domain.SavedSearches) error) (Result, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return Result{}, err
	}
	// Saved-search commands wait for the alerts projection, which owns
	// their read model, instead of the SQL read models: execute runs on an
	// App with just what it needs and that waiter.
	b := &App{DB: a.DB, Waiter: a.AlertsWaiter, Clock: a.Clock, Log: a.Log, SettleTimeout: a.SettleTimeout}
	for attempt := 0; ; attempt++ {
		agg := domain.NewSavedSearches()
		var fnErr error
		res, err := b.execute(ctx, agg, domain.SavedSearchesID(p.ID), -1, false, func() error {
			fnErr = fn(p, agg)
			return fnErr
		})
		if err != nil && fnErr == nil && meridian.ErrorCode(err) == meridian.EConflict && attempt < 3 {
			continue // another saved search of this person changed meanwhile
		}
		return res, err
	}
}

// checkVersion compares a saved search's version with If-Match (-1: any).
func checkVersion(s domain.SavedSearch, expected int64) error {
	if expected >= 0 && expected != s.Version {
		return meridian.Errorf(meridian.EConflict, "stale version for saved search %s: expected %d, current %d", s.ID, expected, s.Version)
	}
	return nil
}

// CreateSavedSearch saves a search for the principal (a person; at most
// domain.MaxSavedSearches each). The result's ID is the saved search's.
// Errors: EUnauthorized, EForbidden (API keys), EInvalid, ERule (limit).
func (a *App) CreateSavedSearch(ctx context.Context, in SavedSearchInput) (Result, error) {
	id := meridian.NewID()
	res, err := a.savedSearchCommand(ctx, func(p meridian.Principal, s *domain.SavedSearches) error {
		q, err := savedSearchQuery(in.Query)
		if err != nil {
			return err
		}
		return s.Create(p.ID, id, domain.SavedSearchInput{Name: in.Name, Query: q, Alert: in.Alert}, newFeedToken(), a.now())
	})
	if err != nil {
		return Result{}, err
	}
	return Result{ID: id, Version: 1, Position: res.Position}, nil
}

// UpdateSavedSearch replaces a saved search of the principal's (name, query
// and alert frequency), with If-Match expected (-1: any). rotateFeedToken
// replaces its feed token, so that the old feed URLs stop working.
// Errors: EUnauthorized, EForbidden, ENotFound (also for other people's),
// EConflict, EInvalid.
func (a *App) UpdateSavedSearch(ctx context.Context, id string, expected int64, in SavedSearchInput, rotateFeedToken bool) (Result, error) {
	var version int64
	res, err := a.savedSearchCommand(ctx, func(_ meridian.Principal, s *domain.SavedSearches) error {
		if err := savedSearchAt(s, id, expected); err != nil {
			return err
		}
		q, err := savedSearchQuery(in.Query) // after authorization: others learn nothing from a 422
		if err != nil {
			return err
		}
		token := ""
		if rotateFeedToken {
			token = newFeedToken()
		}
		if err := s.Update(id, domain.SavedSearchInput{Name: in.Name, Query: q, Alert: in.Alert}, token, a.now()); err != nil {
			return err
		}
		now, _ := s.Get(id)
		version = now.Version
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return Result{ID: id, Version: version, Position: res.Position}, nil
}

// savedSearchAt checks that the principal's saved search id exists (else
// ENotFound) at version expected (-1: any; else EConflict).
func savedSearchAt(s *domain.SavedSearches, id string, expected int64) error {
	cur, ok := s.Get(id)
	if !ok {
		return meridian.Errorf(meridian.ENotFound, "saved search %s not found", id)
	}
	return checkVersion(cur, expected)
}

// DeleteSavedSearch deletes a saved search of the principal's, with its
// notifications and feed. Errors as UpdateSavedSearch.
func (a *App) DeleteSavedSearch(ctx context.Context, id string, expected int64) (Result, error) {
	res, err := a.savedSearchCommand(ctx, func(_ meridian.Principal, s *domain.SavedSearches) error {
		if err := savedSearchAt(s, id, expected); err != nil {
			return err
		}
		return s.Delete(id, a.now())
	})
	if err != nil {
		return Result{}, err
	}
	return Result{ID: id, Position: res.Position}, nil
}

// SavedSearch returns a saved search of the principal's. Errors:
// EUnauthorized, EForbidden, ENotFound (also for other people's).
func (a *App) SavedSearch(ctx context.Context, id string) (alerts.SavedSearch, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return alerts.SavedSearch{}, err
	}
	s, err := alerts.NewQueries(a.DB).SavedSearch(ctx, id)
	if err != nil {
		return alerts.SavedSearch{}, err
	}
	if s.OwnerID != p.ID {
		return alerts.SavedSearch{}, meridian.Errorf(meridian.ENotFound, "saved search %s not found", id)
	}
	return s, nil
}

// SavedSearches lists the principal's saved searches, newest first.
func (a *App) SavedSearches(ctx context.Context, cursor string, limit int) (readmodel.Page[alerts.SavedSearch], error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return readmodel.Page[alerts.SavedSearch]{}, err
	}
	return alerts.NewQueries(a.DB).SavedSearches(ctx, p.ID, cursor, limit)
}

// Notifications lists the principal's notifications (matches of their
// saved searches whose alerts are not off), newest first.
func (a *App) Notifications(ctx context.Context, cursor string, limit int) (readmodel.Page[alerts.Notification], error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return readmodel.Page[alerts.Notification]{}, err
	}
	return alerts.NewQueries(a.DB).Notifications(ctx, p.ID, cursor, limit)
}

// MarkNotificationsRead marks the principal's notifications named by ids
// read, or all of them. Ids of other people's notifications are ignored.
func (a *App) MarkNotificationsRead(ctx context.Context, ids []string, all bool) (Result, error) {
	return a.savedSearchCommand(ctx, func(p meridian.Principal, s *domain.SavedSearches) error {
		return s.MarkRead(p.ID, ids, all, a.now())
	})
}

// FeedEntries returns a saved search and its newest matches for its feed.
// Feed readers cannot send credentials: the saved search's secret feed
// token authorizes the request instead of a principal. A missing saved
// search and a wrong token are the same ENotFound.
func (a *App) FeedEntries(ctx context.Context, savedSearchID, token string) (alerts.SavedSearch, []alerts.Notification, error) {
	notFound := meridian.Errorf(meridian.ENotFound, "saved search %s not found", savedSearchID)
	q := alerts.NewQueries(a.DB)
	s, err := q.SavedSearch(ctx, savedSearchID)
	if meridian.ErrorCode(err) == meridian.ENotFound {
		return alerts.SavedSearch{}, nil, notFound
	}
	if err != nil {
		return alerts.SavedSearch{}, nil, err
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(s.FeedToken), []byte(token)) != 1 {
		return alerts.SavedSearch{}, nil, notFound
	}
	entries, err := q.Matches(ctx, savedSearchID, FeedEntriesLimit)
	if err != nil {
		return alerts.SavedSearch{}, nil, err
	}
	return s, entries, nil
}
