package app

import (
	"context"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/email"
	"github.com/meridianhq/meridian/internal/meridian"
)

// E-mail unsubscribe links carry a signed token instead of a sign-in:
// whoever holds the link of an e-mail may stop that kind of e-mail, and
// nothing else. The token names the person and what to stop (one saved
// search's alert, or a category of e-mail); see internal/email.

// CheckUnsubscribe verifies an unsubscribe token without acting on it
// (the confirmation page). Errors: EInvalid for a token that does not
// verify.
func (a *App) CheckUnsubscribe(_ context.Context, token string) (email.Unsubscribe, error) {
	return email.KeyringTokens(a.DB).Verify(token)
}

// Unsubscribe carries out an unsubscribe token: for a saved search's
// alert it sets the alert to "off" (as its owner would), for a category
// it opts the person out of that e-mail. Doing it twice is the same as
// once; a saved search deleted since is nothing to turn off. The opt-out
// takes effect for e-mail at once, before the read models catch up.
// Errors: EInvalid for a token that does not verify.
func (a *App) Unsubscribe(ctx context.Context, token string) (email.Unsubscribe, error) {
	u, err := email.KeyringTokens(a.DB).Verify(token)
	if err != nil {
		return email.Unsubscribe{}, err
	}
	if u.Scope == email.ScopeCategory {
		return u, email.OptOut(ctx, a.DB, u.UserID, u.Target, 0, a.now())
	}
	owner := meridian.WithPrincipal(ctx, meridian.Principal{Kind: meridian.PrincipalUser, ID: u.UserID})
	var version int64
	found := false
	_, err = a.savedSearchCommand(owner, func(_ meridian.Principal, s *domain.SavedSearches) error {
		cur, ok := s.Get(u.Target)
		if !ok {
			return nil // deleted meanwhile: nothing sends alerts any more
		}
		found, version = true, cur.Version
		if cur.Alert == domain.AlertOff {
			return nil
		}
		if err := s.Update(u.Target, domain.SavedSearchInput{Name: cur.Name, Query: cur.Query, Alert: domain.AlertOff}, "", a.now()); err != nil {
			return err
		}
		now, _ := s.Get(u.Target)
		version = now.Version
		return nil
	})
	if err != nil || !found {
		return u, err
	}
	return u, email.OptOut(ctx, a.DB, u.UserID, email.AlertTopic(u.Target), version, a.now())
}
