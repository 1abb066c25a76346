package oidc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// End-to-end tests against the real example provider (see provider_test.go).

func TestSignIn(t *testing.T) {
	p := mustProvider(t)
	forEachDB(t, func(t *testing.T, db *store.DB) {
		s := mustNew(t, db, []ProviderConfig{p.oidcConfig()})
		ctx := context.Background()
		authURL, err := s.Start(ctx, "zitadel", "/jobs?q=go")
		if err != nil {
			t.Fatal(err)
		}
		q := mustParams(t, authURL)
		stored := mustStored(t, db, q.Get("state"))
		if !strings.HasPrefix(authURL, p.Endpoints.Auth+"?") || q.Get("nonce") == "" || q.Get("nonce") != stored.nonce ||
			q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(stored.verifier) || q.Get("code_challenge_method") != "S256" ||
			q.Get("scope") != "openid email profile" {
			t.Fatalf("auth URL %s does not match the stored state %+v", authURL, stored)
		}

		code, state := p.login(t, authURL)
		if state != q.Get("state") || code == "" {
			t.Fatalf("provider returned state %q code %q", state, code)
		}
		id, returnTo, err := s.Callback(ctx, "zitadel", state, code)
		if err != nil {
			t.Fatalf("Callback: %v", err)
		}
		want := Identity{Provider: "zitadel", Issuer: p.issuer, Subject: providerSubject,
			Email: providerEmail, EmailVerified: true, Name: providerName}
		if diff := cmp.Diff(want, id); diff != "" {
			t.Errorf("identity (-want +got):\n%s", diff)
		}
		if returnTo != "/jobs?q=go" {
			t.Errorf("returnTo %q", returnTo)
		}

		// The state is single use.
		_, _, err = s.Callback(ctx, "zitadel", state, code)
		assertRejected(t, err, errUnknownState)
		if n := countStates(t, db); n != 0 {
			t.Errorf("%d states left", n)
		}
	})
}

// TestSignInOAuth2Kind drives the same provider as a plain OAuth 2.0
// provider: the identity comes from its user-info endpoint.
func TestSignInOAuth2Kind(t *testing.T) {
	p := mustProvider(t)
	db := storetest.OpenSQLite(t)
	s := mustNew(t, db, []ProviderConfig{p.oauth2Config()})
	ctx := context.Background()
	authURL, err := s.Start(ctx, "zitadel-oauth2", "")
	if err != nil {
		t.Fatal(err)
	}
	code, state := p.login(t, authURL)
	id, returnTo, err := s.Callback(ctx, "zitadel-oauth2", state, code)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	want := Identity{Provider: "zitadel-oauth2", Issuer: strings.TrimSuffix(p.issuer, "/"), Subject: providerSubject,
		Email: providerEmail, EmailVerified: false, Name: providerName}
	if diff := cmp.Diff(want, id); diff != "" || returnTo != "/" {
		t.Errorf("identity (-want +got):\n%s\nreturnTo %q", diff, returnTo)
	}
}

func TestCallbackRejects(t *testing.T) {
	p := mustProvider(t)
	db := storetest.OpenSQLite(t)
	s := mustNew(t, db, []ProviderConfig{p.oidcConfig(), p.oauth2Config()})
	ctx := context.Background()
	signIn := func(t *testing.T) (code, state string) {
		t.Helper()
		authURL, err := s.Start(ctx, "zitadel", "/")
		if err != nil {
			t.Fatal(err)
		}
		return p.login(t, authURL)
	}
	tamper := func(t *testing.T, column, value, state string) {
		t.Helper()
		res, err := db.Exec(ctx, `UPDATE oidc_states SET `+column+` = ? WHERE state = ?`, value, stateKey(state))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("tampered %d rows", n)
		}
	}

	t.Run("wrong state", func(t *testing.T) {
		code, state := signIn(t)
		_, _, err := s.Callback(ctx, "zitadel", randomToken(), code)
		assertRejected(t, err, errUnknownState)
		// The genuine state was not affected.
		if _, _, err := s.Callback(ctx, "zitadel", state, code); err != nil {
			t.Fatalf("Callback with the right state: %v", err)
		}
	})

	t.Run("state of another provider", func(t *testing.T) {
		code, state := signIn(t)
		_, _, err := s.Callback(ctx, "zitadel-oauth2", state, code)
		assertRejected(t, err, errStateProvider)
		_, _, err = s.Callback(ctx, "zitadel", state, code) // consumed by the failure
		assertRejected(t, err, errUnknownState)
	})

	t.Run("token exchange failure, then reused state", func(t *testing.T) {
		code, state := signIn(t)
		_, _, err := s.Callback(ctx, "zitadel", state, "not-"+code)
		assertRejected(t, err, errExchange)
		_, _, err = s.Callback(ctx, "zitadel", state, code)
		assertRejected(t, err, errUnknownState)
	})

	t.Run("nonce mismatch", func(t *testing.T) {
		code, state := signIn(t)
		tamper(t, "nonce", randomToken(), state)
		_, _, err := s.Callback(ctx, "zitadel", state, code)
		assertRejected(t, err, errNonceMismatch)
	})

	t.Run("PKCE", func(t *testing.T) {
		code, state := signIn(t)
		cfg := p.oidcConfig()
		direct := oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: oauth2.Endpoint{AuthURL: p.Endpoints.Auth, TokenURL: p.Endpoints.Token}}
		// The provider refuses the code without a verifier, and with a wrong one.
		for _, c := range []struct {
			name string
			opts []oauth2.AuthCodeOption
			want string
		}{
			{"no verifier", nil, "invalid_request"},
			{"wrong verifier", []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}, "invalid_grant"},
		} {
			_, err := direct.Exchange(ctx, code, c.opts...)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != c.want {
				t.Fatalf("%s: exchange error %v, want %s", c.name, err, c.want)
			}
		}
		// So does Callback when the stored verifier is not the one whose
		// challenge the provider received.
		verifier := mustStored(t, db, state).verifier
		tamper(t, "verifier", oauth2.GenerateVerifier(), state)
		_, _, err := s.Callback(ctx, "zitadel", state, code)
		assertRejected(t, err, errExchange)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Errorf("Callback error %v: want the provider's invalid_grant", err)
		}
		// The code itself was good: with the right verifier it is accepted.
		tok, err := direct.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil || tok.Extra("id_token") == nil {
			t.Fatalf("exchange with the right verifier: %v", err)
		}
	})
}
