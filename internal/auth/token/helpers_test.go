package token

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

const (
	testIssuer   = "https://meridian.test"
	testAudience = "meridian-api"
)

var openSQLite = storetest.OpenSQLite

// epoch is the fixed start of every test clock.
var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is a settable clock shared by the Services of a test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// forEachDB runs fn against a fresh SQLite database and a fresh PostgreSQL
// database (skipped when unreachable, failing when CI=true).
func forEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{
		{"sqlite", storetest.OpenSQLite},
		{"postgres", storetest.OpenPostgres},
	} {
		t.Run(d.name, func(t *testing.T) { fn(t, d.open(t)) })
	}
}

// MustService returns a Service on db with the test issuer and audience and
// an active signing key. Unknown kids always reload (no 1 s throttle), so
// that tests do not depend on wall-clock time.
func MustService(tb testing.TB, db *store.DB, clock *fakeClock) *Service {
	tb.Helper()
	s := New(db, Config{Issuer: testIssuer, Audience: testAudience, Clock: clock.Now})
	s.missReload = 0
	if err := s.EnsureSigningKey(context.Background()); err != nil {
		tb.Fatalf("EnsureSigningKey: %v", err)
	}
	return s
}

// MustIssue issues an access token for p.
func MustIssue(tb testing.TB, s *Service, p meridian.Principal) (string, time.Time) {
	tb.Helper()
	tok, exp, err := s.IssueAccess(context.Background(), p)
	if err != nil {
		tb.Fatalf("IssueAccess(%+v): %v", p, err)
	}
	return tok, exp
}

// activeKey returns the Service's current signing key.
func activeKey(tb testing.TB, s *Service) *signingKey {
	tb.Helper()
	k, err := s.signer(context.Background())
	if err != nil {
		tb.Fatalf("signer: %v", err)
	}
	return k
}

// wantUnauthorized fails unless err is the generic EUnauthorized error.
func wantUnauthorized(tb testing.TB, err error) {
	tb.Helper()
	var me *meridian.Error
	if !errors.As(err, &me) || me.Code != meridian.EUnauthorized || me.Message != invalidTokenMessage {
		tb.Fatalf("err = %v, want code %q with message %q", err, meridian.EUnauthorized, invalidTokenMessage)
	}
}

var user = meridian.Principal{Kind: meridian.PrincipalUser, ID: "0190f6a2-7c1e-7b3d-9a4f-1d2e3f4a5b6c"}

// b64 encodes v (a string as it is, anything else as JSON) in base64url.
func b64(v any) string {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(x); err != nil {
			panic(err)
		}
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// forge builds a compact JWS by hand from a header and claims, signing
// "header.payload" with sign (nil: no signature part content).
func forge(hdr, claims map[string]any, sign func(input []byte) []byte) string {
	input := b64(hdr) + "." + b64(claims)
	if sign == nil {
		return input + "."
	}
	return input + "." + b64(sign([]byte(input)))
}

func edSigner(priv ed25519.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte { return ed25519.Sign(priv, in) }
}

// goodHeader and goodClaims describe a valid access token at now.
func goodHeader(kid string) map[string]any {
	return map[string]any{"alg": "EdDSA", "typ": "at+jwt", "kid": kid}
}

func goodClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":       testIssuer,
		"aud":       testAudience,
		"sub":       user.ID,
		"exp":       now.Add(5 * time.Minute).Unix(),
		"nbf":       now.Unix(),
		"iat":       now.Unix(),
		"jti":       "forged-jti-1",
		"token_use": "access",
		"kind":      "user",
		"adm":       false,
	}
}

// with returns a copy of m with the given changes; a nil value deletes.
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// parts splits a compact token and decodes its header and claims.
func parts(tb testing.TB, tok string) (hdr, claims map[string]any, sig string) {
	tb.Helper()
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		tb.Fatalf("token has %d parts", len(p))
	}
	for i, dst := range []*map[string]any{&hdr, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(p[i])
		if err != nil {
			tb.Fatalf("decode part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			tb.Fatalf("unmarshal part %d: %v", i, err)
		}
	}
	return hdr, claims, p[2]
}
