package token

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

func TestIssueVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		s := MustService(t, db, clock)
		kid := activeKey(t, s).kid
		for _, p := range []meridian.Principal{
			user,
			{Kind: meridian.PrincipalUser, ID: "admin-1", PlatformAdmin: true},
			{Kind: meridian.PrincipalService, ID: "key-1", OrgID: "org-1", Scopes: []string{"jobs:read", "jobs:write"}},
		} {
			t.Run(p.ID, func(t *testing.T) {
				tok, exp := MustIssue(t, s, p)
				if want := epoch.Add(DefaultAccessTTL); !exp.Equal(want) {
					t.Errorf("expires = %v, want %v", exp, want)
				}
				hdr, claims, _ := parts(t, tok)
				if diff := cmp.Diff(map[string]any{"alg": "EdDSA", "typ": "at+jwt", "kid": kid}, hdr); diff != "" {
					t.Errorf("header (-want +got):\n%s", diff)
				}
				for name, want := range map[string]any{
					"iss": testIssuer, "sub": p.ID, "token_use": "access", "kind": string(p.Kind),
					"adm": p.PlatformAdmin, "iat": float64(epoch.Unix()), "nbf": float64(epoch.Unix()),
					"exp": float64(exp.Unix()),
				} {
					if got := claims[name]; !cmp.Equal(got, want) {
						t.Errorf("claim %s = %v, want %v", name, got, want)
					}
				}
				if aud := claims["aud"]; !cmp.Equal(aud, []any{testAudience}) && aud != testAudience {
					t.Errorf("aud = %v", aud)
				}
				jti, _ := claims["jti"].(string)
				if len(jti) < 22 {
					t.Errorf("jti %q is too short to be random", jti)
				}

				clock.Add(DefaultAccessTTL - time.Second) // still valid just before expiry
				got, err := s.VerifyAccess(ctx, tok)
				clock.Add(-(DefaultAccessTTL - time.Second))
				if err != nil {
					t.Fatalf("VerifyAccess: %v", err)
				}
				want := p
				want.TokenID = jti
				want.Expires = exp.UTC() // live connections end then
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("principal (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestIssueAccessRefusesPrincipals(t *testing.T) {
	t.Parallel()
	s := MustService(t, openSQLite(t), newClock())
	for name, p := range map[string]meridian.Principal{
		"anonymous":           meridian.Anonymous,
		"system":              meridian.System("demo"),
		"no id":               {Kind: meridian.PrincipalUser},
		"service without org": {Kind: meridian.PrincipalService, ID: "key-1"},
		"scope with space":    {Kind: meridian.PrincipalService, ID: "key-1", OrgID: "o", Scopes: []string{"jobs:read jobs:write"}},
		"empty scope":         {Kind: meridian.PrincipalService, ID: "key-1", OrgID: "o", Scopes: []string{""}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := s.IssueAccess(context.Background(), p)
			if meridian.ErrorCode(err) != meridian.EInvalid {
				t.Fatalf("err = %v, want code %s", err, meridian.EInvalid)
			}
		})
	}
}

func TestIssueAccessCreatesMissingKey(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	s := New(db, Config{Clock: newClock().Now})
	tok, _, err := s.IssueAccess(context.Background(), user)
	if err != nil {
		t.Fatalf("IssueAccess without a key: %v", err)
	}
	if _, err := s.VerifyAccess(context.Background(), tok); err != nil {
		t.Fatalf("VerifyAccess: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		cfg Config
		ok  bool
	}{
		"zero":                   {Config{}, true},
		"negative access":        {Config{AccessTTL: -time.Second}, false},
		"negative refresh":       {Config{RefreshTTL: -time.Second}, false},
		"refresh not > access":   {Config{AccessTTL: time.Hour, RefreshTTL: time.Hour}, false},
		"refresh default > 1h":   {Config{AccessTTL: time.Hour}, true},
		"access default < 1 day": {Config{RefreshTTL: 24 * time.Hour}, true},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.cfg.Validate()
			if (err == nil) != c.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, c.ok)
			}
			if err != nil && meridian.ErrorCode(err) != meridian.EInvalid {
				t.Errorf("code = %s", meridian.ErrorCode(err))
			}
		})
	}
}

// jwksKids returns the kids of a JWK Set, in order, checking that every
// entry is a public Ed25519 key.
func jwksKids(t *testing.T, s *Service) []string {
	t.Helper()
	b, err := s.JWKS(context.Background())
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS %s: %v", b, err)
	}
	kids := []string{}
	for _, k := range set.Keys {
		if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["use"] != "sig" || k["x"] == nil {
			t.Errorf("JWKS entry %v is not a public Ed25519 signing key", k)
		}
		if _, ok := k["d"]; ok {
			t.Fatalf("JWKS leaks a private key: %s", b)
		}
		kids = append(kids, k["kid"].(string))
	}
	return kids
}

func TestRotation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		a := MustService(t, db, clock)
		b := MustService(t, db, clock) // a second node on the same database
		c := MustService(t, db, clock) // a third node
		old := activeKey(t, a)
		if kb := activeKey(t, b); kb.kid != old.kid {
			t.Fatalf("two nodes made two keys: %s and %s", old.kid, kb.kid)
		}
		tokOld, _ := MustIssue(t, a, user)
		// A token signed by the old key that outlives the rotation grace, to
		// see the key itself being dropped (not just the token expiring).
		longClaims := with(goodClaims(epoch), "exp", epoch.Add(24*time.Hour).Unix(), "jti", "long-lived")
		tokLong := forge(goodHeader(old.kid), longClaims, edSigner(old.priv))
		for _, s := range []*Service{a, b, c} {
			if _, err := s.VerifyAccess(ctx, tokOld); err != nil {
				t.Fatalf("before rotation: %v", err)
			}
			if _, err := s.VerifyAccess(ctx, tokLong); err != nil {
				t.Fatalf("long-lived before rotation: %v", err)
			}
		}
		if diff := cmp.Diff([]string{old.kid}, jwksKids(t, a)); diff != "" {
			t.Errorf("JWKS before rotation (-want +got):\n%s", diff)
		}

		clock.Add(time.Minute)
		newKid, err := a.RotateSigningKey(ctx)
		if err != nil {
			t.Fatalf("RotateSigningKey: %v", err)
		}
		if newKid == old.kid {
			t.Fatal("rotation kept the kid")
		}
		tokNew, _ := MustIssue(t, a, user)
		if hdr, _, _ := parts(t, tokNew); hdr["kid"] != newKid {
			t.Fatalf("token after rotation signed by %v, want %s", hdr["kid"], newKid)
		}
		// b has the old keys cached: the unknown kid makes it reload.
		for name, s := range map[string]*Service{"a": a, "b": b} {
			for _, tok := range []string{tokOld, tokLong, tokNew} {
				if _, err := s.VerifyAccess(ctx, tok); err != nil {
					t.Fatalf("%s after rotation: %v", name, err)
				}
			}
			if diff := cmp.Diff([]string{newKid, old.kid}, jwksKids(t, s)); diff != "" {
				t.Errorf("%s JWKS after rotation (-want +got):\n%s", name, diff)
			}
		}
		if got := activeKey(t, b).kid; got != newKid {
			t.Errorf("b signs with %s after reloading, want %s", got, newKid)
		}

		// Until the grace after retirement ends, the old key verifies.
		clock.Add(a.retireGrace() - time.Second)
		for name, s := range map[string]*Service{"a": a, "b": b} {
			if _, err := s.VerifyAccess(ctx, tokLong); err != nil {
				t.Fatalf("%s just before the grace ends: %v", name, err)
			}
			if _, err := s.VerifyAccess(ctx, tokOld); err == nil {
				t.Fatalf("%s accepted an access token past its exp", name)
			}
		}
		// Then it is gone from verification and from the JWK Set.
		clock.Add(time.Second)
		for name, s := range map[string]*Service{"a": a, "b": b} {
			_, err := s.VerifyAccess(ctx, tokLong)
			wantUnauthorized(t, err)
			if _, err := s.VerifyAccess(ctx, tokNew); err == nil {
				t.Fatalf("%s accepted an expired token", name)
			}
			if diff := cmp.Diff([]string{newKid}, jwksKids(t, s)); diff != "" {
				t.Errorf("%s JWKS after the grace (-want +got):\n%s", name, diff)
			}
		}

		// c loaded the keys before the rotation and has seen no token of the
		// new key: its cache still calls the old key active, until the
		// periodic reload (every keyRefresh) tells it about the retirement.
		if _, err := c.VerifyAccess(ctx, tokLong); err != nil {
			t.Fatalf("c with a stale cache: %v", err)
		}
		c.keyMu.Lock()
		c.loadedAt = time.Now().Add(-keyRefresh)
		c.keyMu.Unlock()
		_, err = c.VerifyAccess(ctx, tokLong)
		wantUnauthorized(t, err)
		if diff := cmp.Diff([]string{newKid}, jwksKids(t, c)); diff != "" {
			t.Errorf("c JWKS after its reload (-want +got):\n%s", diff)
		}

		// Purge deletes retired keys that no longer verify.
		if err := a.Purge(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM signing_keys`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d signing keys after purge, want 1", n)
		}
	})
}

func TestEnsureSigningKeyConcurrent(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		const nodes = 8
		var wg sync.WaitGroup
		errs := make([]error, nodes)
		for i := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = New(db, Config{Clock: clock.Now}).EnsureSigningKey(ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("EnsureSigningKey: %v", err)
			}
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM signing_keys`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d signing keys after %d concurrent starts, want 1", n, nodes)
		}
	})
}

func TestSealedPrivateKey(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	s := MustService(t, db, newClock())
	k := activeKey(t, s)
	var sealed []byte
	if err := db.QueryRow(context.Background(), `SELECT private_sealed FROM signing_keys WHERE kid = ?`, k.kid).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if len(sealed) < 32 || containsBytes(sealed, k.priv.Seed()) {
		t.Fatal("the private key is stored in the clear")
	}
}

func containsBytes(haystack, needle []byte) bool {
	for i := 0; i+len(needle) <= len(haystack); i++ {
		if string(haystack[i:i+len(needle)]) == string(needle) {
			return true
		}
	}
	return false
}
