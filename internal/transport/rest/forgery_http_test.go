package rest_test

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// TestForgedCredentialsOverHTTP sends forged and stale credentials to the
// API: every one is a 401 problem, never anonymous access. (The full corpus
// of about a hundred token forgeries runs against the token service in
// internal/auth/token; this proves the HTTP edge maps them to 401.)
func TestForgedCredentialsOverHTTP(t *testing.T) {
	st := newStack(t)
	svc := st.identity(t)
	srv, _ := st.serve(t, rest.Config{Auth: svc})
	e := &env{t: t, srv: srv, db: st.db}
	user, err := svc.Users.Create(st.ctx, "victim@example.com", "Victim", false)
	if err != nil {
		t.Fatal(err)
	}
	good, _, err := svc.Tokens.IssueAccess(st.ctx, user.Principal())
	if err != nil {
		t.Fatal(err)
	}
	e.must(200, e.req("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+good)) // control
	parts := strings.Split(good, ".")
	var hdr, claims map[string]any
	_ = json.Unmarshal(b64d(t, parts[0]), &hdr)
	_ = json.Unmarshal(b64d(t, parts[1]), &claims)
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	with := func(m map[string]any, k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range m {
			c[kk] = vv
		}
		c[k] = v
		return c
	}
	jwks := e.must(200, e.req("GET", "/.well-known/jwks.json", nil))
	pub := b64d(t, jwks.Body["keys"].([]any)[0].(map[string]any)["x"].(string))
	hs := hmac.New(sha256.New, pub)
	hs.Write([]byte(enc(with(hdr, "alg", "HS256")) + "." + parts[1]))
	_, attacker, _ := ed25519.GenerateKey(rand.Reader)
	own := enc(with(hdr, "kid", "attacker")) + "." + parts[1]

	refresh, err := svc.Tokens.IssueRefresh(st.ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	orgKey, secret, err := svc.Keys.Create(st.ctx, auth.NewKeyInput{OrgID: "org", Name: "k", Scopes: []string{"jobs:read"}, CreatedBy: user.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Keys.Revoke(st.ctx, "org", orgKey.ID); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	cases := map[string]string{
		"alg none":              enc(with(hdr, "alg", "none")) + "." + parts[1] + ".",
		"alg None, signed":      enc(with(hdr, "alg", "None")) + "." + parts[1] + "." + parts[2],
		"empty signature":       parts[0] + "." + parts[1] + ".",
		"HS256 with public key": enc(with(hdr, "alg", "HS256")) + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(hs.Sum(nil)),
		"unknown kid":           enc(with(hdr, "kid", "nope")) + "." + parts[1] + "." + parts[2],
		"kid path traversal":    enc(with(hdr, "kid", "../../../../dev/null")) + "." + parts[1] + "." + parts[2],
		"jku header":            enc(with(hdr, "jku", "https://evil.example/jwks.json")) + "." + parts[1] + "." + parts[2],
		"attacker's own key":    own + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(attacker, []byte(own))),
		"tampered payload":      parts[0] + "." + enc(with(claims, "adm", true)) + "." + parts[2],
		"expired":               parts[0] + "." + enc(with(claims, "exp", now-3600)) + "." + parts[2],
		"not yet valid":         parts[0] + "." + enc(with(claims, "nbf", now+3600)) + "." + parts[2],
		"wrong issuer":          parts[0] + "." + enc(with(claims, "iss", "https://evil.example")) + "." + parts[2],
		"wrong audience":        parts[0] + "." + enc(with(claims, "aud", "someone-else")) + "." + parts[2],
		"refresh as access":     refresh,
		"garbage":               "not.a.token",
	}
	for name, tok := range cases {
		r := e.req("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+tok)
		if r.Status != 401 || r.Body["code"] != meridian.EUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, r.Status, r.Raw)
		}
	}
	for name, hdrs := range map[string][]string{
		"revoked API key":      {"X-API-Key", secret},
		"revoked key (bearer)": {"Authorization", "Bearer " + secret},
		"unknown API key":      {"X-API-Key", "mk_" + strings.Repeat("A", 43)},
	} {
		r := e.req("GET", "/api/v1/jobs", nil, hdrs...)
		if r.Status != 401 {
			t.Errorf("%s: %d %s, want 401", name, r.Status, r.Raw)
		}
	}
}

func b64d(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
