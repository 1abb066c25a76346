package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/search"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// newSavedSearchApp returns an App on a fresh SQLite store whose
// saved-search commands wait for a running alerts projection.
func newSavedSearchApp(t *testing.T) *app.App {
	t.Helper()
	db := storetest.OpenSQLite(t)
	log := slog.New(slog.DiscardHandler)
	run := &projection.Runner{DB: db, Handler: alerts.New(db, log), Log: log, Poll: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = run.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	a := app.New(db, nil, log)
	a.AlertsWaiter = run
	return a
}

func person(id string) context.Context {
	return meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: id})
}

func TestSavedSearchAuthorization(t *testing.T) {
	a := newSavedSearchApp(t)
	owner := person("dev-1")
	res, err := a.CreateSavedSearch(owner, app.SavedSearchInput{Name: "Go in Europe", Query: search.Query{SkillsAll: []string{"go"}, Region: "EU"}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.ID
	mine, err := a.SavedSearch(owner, id)
	if err != nil || mine.Name != "Go in Europe" || mine.OwnerID != "dev-1" || mine.Alert != domain.AlertInstant || mine.FeedToken == "" || mine.Version != 1 {
		t.Fatalf("own saved search = %+v (%v)", mine, err)
	}

	update := app.SavedSearchInput{Name: "Hijacked", Query: search.Query{}}
	callers := []struct {
		name string
		ctx  context.Context
		code string
	}{
		{"anonymous", context.Background(), meridian.EUnauthorized},
		{"api key", meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalService, ID: "key-1", OrgID: "org-1", Scopes: app.Scopes}), meridian.EForbidden},
		{"another person", person("dev-2"), meridian.ENotFound},
		{"platform admin", meridian.WithPrincipal(context.Background(), meridian.Principal{Kind: meridian.PrincipalUser, ID: "admin", PlatformAdmin: true}), meridian.ENotFound},
	}
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			if _, err := a.SavedSearch(c.ctx, id); meridian.ErrorCode(err) != c.code {
				t.Errorf("get: %v, want %s", err, c.code)
			}
			if _, err := a.UpdateSavedSearch(c.ctx, id, -1, update, true); meridian.ErrorCode(err) != c.code {
				t.Errorf("update: %v, want %s", err, c.code)
			}
			// A stale If-Match tells outsiders nothing either.
			if _, err := a.UpdateSavedSearch(c.ctx, id, 99, update, false); meridian.ErrorCode(err) != c.code {
				t.Errorf("update with a stale version: %v, want %s", err, c.code)
			}
			// Neither does an invalid query.
			if _, err := a.UpdateSavedSearch(c.ctx, id, -1, app.SavedSearchInput{Name: "x", Query: search.Query{Country: "XX"}}, false); meridian.ErrorCode(err) != c.code {
				t.Errorf("update with an invalid query: %v, want %s", err, c.code)
			}
			if _, err := a.DeleteSavedSearch(c.ctx, id, -1); meridian.ErrorCode(err) != c.code {
				t.Errorf("delete: %v, want %s", err, c.code)
			}
			if c.code != meridian.ENotFound {
				if _, err := a.SavedSearches(c.ctx, "", 10); meridian.ErrorCode(err) != c.code {
					t.Errorf("list: %v, want %s", err, c.code)
				}
				if _, err := a.Notifications(c.ctx, "", 10); meridian.ErrorCode(err) != c.code {
					t.Errorf("notifications: %v, want %s", err, c.code)
				}
				if _, err := a.CreateSavedSearch(c.ctx, app.SavedSearchInput{Name: "x"}); meridian.ErrorCode(err) != c.code {
					t.Errorf("create: %v, want %s", err, c.code)
				}
			} else if page, err := a.SavedSearches(c.ctx, "", 10); err != nil || len(page.Items) != 0 {
				t.Errorf("another person lists %+v (%v)", page.Items, err)
			}
		})
	}
	if got, err := a.SavedSearch(owner, id); err != nil || got.Name != "Go in Europe" || got.Version != 1 || got.FeedToken != mine.FeedToken {
		t.Fatalf("the saved search changed: %+v (%v)", got, err)
	}

	// The owner: stale If-Match, invalid input, then a real update.
	if _, err := a.UpdateSavedSearch(owner, id, 7, app.SavedSearchInput{Name: "Go"}, false); meridian.ErrorCode(err) != meridian.EConflict {
		t.Errorf("stale If-Match: %v, want conflict", err)
	}
	if _, err := a.UpdateSavedSearch(owner, id, 1, app.SavedSearchInput{Name: "Go", Query: search.Query{Country: "XX"}}, false); meridian.ErrorCode(err) != meridian.EInvalid {
		t.Errorf("invalid query: %v, want invalid", err)
	}
	if _, err := a.CreateSavedSearch(owner, app.SavedSearchInput{Name: "", Query: search.Query{}}); meridian.ErrorCode(err) != meridian.EInvalid {
		t.Errorf("empty name: %v, want invalid", err)
	}
	res, err = a.UpdateSavedSearch(owner, id, 1, app.SavedSearchInput{Name: "Go", Query: search.Query{SkillsAll: []string{"go"}}, Alert: domain.AlertDaily}, false)
	if err != nil || res.Version != 2 {
		t.Fatalf("update: %+v %v", res, err)
	}
	if got, _ := a.SavedSearch(owner, id); got.Name != "Go" || got.Alert != domain.AlertDaily || got.FeedToken != mine.FeedToken {
		t.Errorf("updated = %+v", got)
	}
	if page, err := a.SavedSearches(owner, "", 10); err != nil || len(page.Items) != 1 || page.Items[0].ID != id {
		t.Errorf("owner's list = %+v (%v)", page.Items, err)
	}
	if _, err := a.DeleteSavedSearch(owner, id, 2); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := a.SavedSearch(owner, id); meridian.ErrorCode(err) != meridian.ENotFound {
		t.Errorf("deleted saved search: %v", err)
	}
}

func TestSavedSearchFeedToken(t *testing.T) {
	a := newSavedSearchApp(t)
	owner := person("dev-1")
	res, err := a.CreateSavedSearch(owner, app.SavedSearchInput{Name: "Go", Query: search.Query{SkillsAll: []string{"go"}}, Alert: domain.AlertOff})
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.SavedSearch(owner, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	anon := context.Background()
	got, entries, err := a.FeedEntries(anon, res.ID, s.FeedToken)
	if err != nil || got.ID != res.ID || entries == nil || len(entries) != 0 {
		t.Fatalf("feed with the token: %+v %v %v", got, entries, err)
	}
	missing := meridian.NewID()
	for _, c := range []struct{ name, id, token string }{
		{"wrong token", res.ID, s.FeedToken[:len(s.FeedToken)-1] + "x"},
		{"no token", res.ID, ""},
		{"prefix of the token", res.ID, s.FeedToken[:10]},
		{"missing saved search", missing, s.FeedToken},
	} {
		_, _, err := a.FeedEntries(anon, c.id, c.token)
		if meridian.ErrorCode(err) != meridian.ENotFound || meridian.ErrorMessage(err) != "saved search "+c.id+" not found" {
			t.Errorf("%s: %v, want the not_found of a missing saved search", c.name, err)
		}
	}
	// Rotation: the old token stops working, the new one works.
	if _, err := a.UpdateSavedSearch(owner, res.ID, -1, app.SavedSearchInput{Name: s.Name, Query: s.Query, Alert: s.Alert}, true); err != nil {
		t.Fatal(err)
	}
	rotated, err := a.SavedSearch(owner, res.ID)
	if err != nil || rotated.FeedToken == s.FeedToken || rotated.Version != 2 {
		t.Fatalf("after rotation: %+v (%v)", rotated, err)
	}
	if _, _, err := a.FeedEntries(anon, res.ID, s.FeedToken); meridian.ErrorCode(err) != meridian.ENotFound {
		t.Errorf("old token after rotation: %v", err)
	}
	if _, _, err := a.FeedEntries(anon, res.ID, rotated.FeedToken); err != nil {
		t.Errorf("new token: %v", err)
	}
}

func TestSavedSearchLimit(t *testing.T) {
	a := newSavedSearchApp(t)
	a.AlertsWaiter = nil // no need to read back each one
	owner := person("dev-1")
	for i := range domain.MaxSavedSearches {
		if _, err := a.CreateSavedSearch(owner, app.SavedSearchInput{Name: "search", Query: search.Query{Text: "go"}}); err != nil {
			t.Fatalf("saved search %d: %v", i+1, err)
		}
	}
	if _, err := a.CreateSavedSearch(owner, app.SavedSearchInput{Name: "one too many"}); meridian.ErrorCode(err) != meridian.ERule {
		t.Fatalf("51st: %v, want rule", err)
	}
	// Another person has their own allowance.
	if _, err := a.CreateSavedSearch(person("dev-2"), app.SavedSearchInput{Name: "mine"}); err != nil {
		t.Fatal(err)
	}
}
