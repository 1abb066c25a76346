package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// Helpers.

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// forEachDB runs fn against SQLite and PostgreSQL (skipped when PostgreSQL
// is unreachable, failed under CI=true).
func forEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.OpenPostgres(t)) })
}

func mustNew(tb testing.TB, db *store.DB, providers []ProviderConfig, opts ...Option) *Service {
	tb.Helper()
	s, err := New(context.Background(), db, providers, append([]Option{WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

// staticOAuth2 is a KindOAuth2 provider that is never contacted.
func staticOAuth2(name string) ProviderConfig {
	return ProviderConfig{Name: name, Kind: KindOAuth2, ClientID: "meridian", ClientSecret: "s3cret",
		RedirectURL: "https://meridian.example/auth/callback/" + name,
		AuthURL:     "https://auth.example.test/authorize", TokenURL: "https://auth.example.test/token", UserInfoURL: "https://api.example.test/user"}
}

func mustParams(tb testing.TB, authURL string) url.Values {
	tb.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		tb.Fatalf("auth URL %q: %v", authURL, err)
	}
	return u.Query()
}

func countStates(tb testing.TB, db *store.DB) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM oidc_states`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

type storedState struct{ provider, nonce, verifier, returnTo, expiresAt string }

func mustStored(tb testing.TB, db *store.DB, state string) storedState {
	tb.Helper()
	var r storedState
	if err := db.QueryRow(context.Background(), `SELECT provider, nonce, verifier, return_to, expires_at FROM oidc_states WHERE state = ?`, stateKey(state)).
		Scan(&r.provider, &r.nonce, &r.verifier, &r.returnTo, &r.expiresAt); err != nil {
		tb.Fatalf("stored state: %v", err)
	}
	return r
}

// assertRejected checks that err is the generic EUnauthorized rejection,
// for the given reason.
func assertRejected(tb testing.TB, err, reason error) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("Callback succeeded; want rejection (%v)", reason)
	}
	var me *meridian.Error
	if !errors.As(err, &me) || me.Code != meridian.EUnauthorized {
		tb.Fatalf("error %v: want a *meridian.Error with code %s", err, meridian.EUnauthorized)
	}
	if got := meridian.ErrorMessage(err); got != signInFailed {
		tb.Errorf("message %q: want the generic %q", got, signInFailed)
	}
	if !errors.Is(err, reason) {
		tb.Errorf("error %v: want reason %v", err, reason)
	}
}

func assertCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := meridian.ErrorCode(err); got != code {
		tb.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// Tests.

func TestValidate(t *testing.T) {
	good := []ProviderConfig{
		{Name: "google", Kind: KindOIDC, Issuer: "https://accounts.google.com", ClientID: "id", RedirectURL: "https://meridian.example/auth/google/callback"},
		{Name: "dev", Kind: KindOIDC, Issuer: "http://localhost:9998/", ClientID: "id", RedirectURL: "http://127.0.0.1:8080/cb"},
		staticOAuth2("github"),
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
	mod := func(f func(*ProviderConfig)) ProviderConfig { c := good[0]; f(&c); return c }
	bad := map[string]ProviderConfig{
		"no name":           mod(func(c *ProviderConfig) { c.Name = "" }),
		"name with slash":   mod(func(c *ProviderConfig) { c.Name = "a/b" }),
		"bad kind":          mod(func(c *ProviderConfig) { c.Kind = "saml" }),
		"no client id":      mod(func(c *ProviderConfig) { c.ClientID = "" }),
		"no issuer":         mod(func(c *ProviderConfig) { c.Issuer = "" }),
		"http issuer":       mod(func(c *ProviderConfig) { c.Issuer = "http://accounts.example.com" }),
		"relative redirect": mod(func(c *ProviderConfig) { c.RedirectURL = "/auth/callback" }),
		"http redirect":     mod(func(c *ProviderConfig) { c.RedirectURL = "http://meridian.example/cb" }),
		"oauth2 no token":   func() ProviderConfig { c := staticOAuth2("gh"); c.TokenURL = ""; return c }(),
		"oauth2 no userinfo": func() ProviderConfig {
			c := staticOAuth2("gh")
			c.UserInfoURL = "ftp://x"
			return c
		}(),
	}
	for name, c := range bad {
		if err := c.Validate(); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("%s: Validate: %v, want %s", name, err, meridian.EInvalid)
		}
		if _, err := New(context.Background(), storetest.OpenSQLite(t), []ProviderConfig{c}); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("%s: New: %v, want %s", name, err, meridian.EInvalid)
		}
	}
	_, err := New(context.Background(), storetest.OpenSQLite(t), []ProviderConfig{staticOAuth2("a"), staticOAuth2("a")})
	assertCode(t, err, meridian.EInvalid)
}

func TestCheckReturnTo(t *testing.T) {
	ok := map[string]string{
		"":                "/",
		"/":               "/",
		"/jobs":           "/jobs",
		"/jobs?q=go#top":  "/jobs?q=go#top",
		"/a/b/../c":       "/a/b/../c",
		"/search?next=//": "/search?next=//",
	}
	for in, want := range ok {
		got, err := CheckReturnTo(in)
		if err != nil || got != want {
			t.Errorf("CheckReturnTo(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"https://evil.example/",
		"http://evil.example",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"\\/evil.example",
		"/%2F%2Fevil.example",
		"/%2f/evil.example",
		"/%5Cevil.example",
		"javascript:alert(1)",
		"evil.example",
		"jobs",
		" /jobs",
		"/jobs\r\nLocation: https://evil.example",
		"/jobs\tx",
		"/a%0d%0aSet-Cookie:x=1",
		"https:evil.example",
		"/" + strings.Repeat("a", maxReturnTo),
	} {
		_, err := CheckReturnTo(in)
		assertCode(t, err, meridian.EInvalid)
		var me *meridian.Error
		if errors.As(err, &me) && me.Fields["return_to"] == "" {
			t.Errorf("CheckReturnTo(%q): no return_to field in %v", in, err)
		}
	}
}

func TestStartRejectsOpenRedirect(t *testing.T) {
	db := storetest.OpenSQLite(t)
	s := mustNew(t, db, []ProviderConfig{staticOAuth2("github")})
	ctx := context.Background()
	for _, rt := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "evil.example"} {
		_, err := s.Start(ctx, "github", rt)
		assertCode(t, err, meridian.EInvalid)
	}
	if n := countStates(t, db); n != 0 {
		t.Fatalf("%d states stored for refused return paths", n)
	}
	_, err := s.Start(ctx, "nope", "/")
	assertCode(t, err, meridian.EInvalid)
}

func TestStartStoresState(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		clock := newClock()
		s := mustNew(t, db, []ProviderConfig{staticOAuth2("github")}, WithClock(clock.Now))
		ctx := context.Background()
		authURL, err := s.Start(ctx, "github", "/jobs?q=go")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(authURL, "https://auth.example.test/authorize?") {
			t.Errorf("auth URL %s", authURL)
		}
		q := mustParams(t, authURL)
		state := q.Get("state")
		if raw, err := base64.RawURLEncoding.DecodeString(state); err != nil || len(raw) < 16 {
			t.Errorf("state %q: want at least 128 random bits, base64url (%v)", state, err)
		}
		for k, want := range map[string]string{"client_id": "meridian", "response_type": "code", "code_challenge_method": "S256",
			"redirect_uri": "https://meridian.example/auth/callback/github"} {
			if got := q.Get(k); got != want {
				t.Errorf("auth URL %s=%q, want %q", k, got, want)
			}
		}
		if q.Has("nonce") {
			t.Errorf("nonce sent to an OAuth 2.0 provider")
		}
		got := mustStored(t, db, state)
		want := storedState{provider: "github", verifier: got.verifier, returnTo: "/jobs?q=go",
			expiresAt: meridian.FormatTime(clock.Now().Add(10 * time.Minute))}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(storedState{})); diff != "" {
			t.Errorf("stored state (-want +got):\n%s", diff)
		}
		if ch := oauth2.S256ChallengeFromVerifier(got.verifier); q.Get("code_challenge") != ch || len(got.verifier) < 43 {
			t.Errorf("code_challenge %q does not match the stored verifier (%q)", q.Get("code_challenge"), ch)
		}
		// The state itself is not stored, only its hash.
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM oidc_states WHERE state = ?`, state).Scan(&n); err != nil || n != 0 {
			t.Errorf("raw state stored (%d rows, %v)", n, err)
		}
		// Every Start gets fresh values.
		authURL2, err := s.Start(ctx, "github", "")
		if err != nil {
			t.Fatal(err)
		}
		q2 := mustParams(t, authURL2)
		if q2.Get("state") == state || q2.Get("code_challenge") == q.Get("code_challenge") {
			t.Errorf("state or challenge repeated")
		}
		if got := mustStored(t, db, q2.Get("state")).returnTo; got != "/" {
			t.Errorf("default return path %q, want /", got)
		}
	})
}

func TestPurge(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB) {
		clock := newClock()
		s := mustNew(t, db, []ProviderConfig{staticOAuth2("github")}, WithClock(clock.Now))
		ctx := context.Background()
		for range 3 {
			if _, err := s.Start(ctx, "github", "/"); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(5 * time.Minute)
		if _, err := s.Start(ctx, "github", "/"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Purge(ctx, clock.Now()); err != nil || n != 0 {
			t.Fatalf("Purge before expiry = %d, %v; want 0", n, err)
		}
		clock.Advance(5 * time.Minute) // the first three expire now
		if n, err := s.Purge(ctx, clock.Now()); err != nil || n != 3 {
			t.Fatalf("Purge = %d, %v; want 3", n, err)
		}
		if n := countStates(t, db); n != 1 {
			t.Fatalf("%d states left, want 1", n)
		}
	})
}

func TestCallbackRejectsExpiredState(t *testing.T) {
	db := storetest.OpenSQLite(t)
	clock := newClock()
	s := mustNew(t, db, []ProviderConfig{staticOAuth2("github")}, WithClock(clock.Now))
	ctx := context.Background()
	authURL, err := s.Start(ctx, "github", "/")
	if err != nil {
		t.Fatal(err)
	}
	state := mustParams(t, authURL).Get("state")
	clock.Advance(10 * time.Minute)
	_, _, err = s.Callback(ctx, "github", state, "code")
	assertRejected(t, err, errStateExpired)
	// Deleted on first use, even though it failed.
	_, _, err = s.Callback(ctx, "github", state, "code")
	assertRejected(t, err, errUnknownState)
	if n := countStates(t, db); n != 0 {
		t.Fatalf("%d states left", n)
	}
}

func TestCallbackRejectsWithoutProvider(t *testing.T) {
	// Rejections that happen before any request to the provider.
	db := storetest.OpenSQLite(t)
	s := mustNew(t, db, []ProviderConfig{staticOAuth2("github"), staticOAuth2("gitlab")})
	ctx := context.Background()
	start := func() string {
		authURL, err := s.Start(ctx, "github", "/")
		if err != nil {
			t.Fatal(err)
		}
		return mustParams(t, authURL).Get("state")
	}
	_, _, err := s.Callback(ctx, "github", "", "code")
	assertRejected(t, err, errNoState)
	_, _, err = s.Callback(ctx, "github", randomToken(), "code")
	assertRejected(t, err, errUnknownState)

	state := start()
	_, _, err = s.Callback(ctx, "gitlab", state, "code")
	assertRejected(t, err, errStateProvider)
	_, _, err = s.Callback(ctx, "github", state, "code")
	assertRejected(t, err, errUnknownState)

	state = start()
	_, _, err = s.Callback(ctx, "nope", state, "code")
	assertRejected(t, err, errStateProvider)

	state = start() // the provider answered with an error instead of a code
	_, _, err = s.Callback(ctx, "github", state, "")
	assertRejected(t, err, errNoCode)

	state = start() // a return path tampered with in the database
	if _, err := db.Exec(ctx, `UPDATE oidc_states SET return_to = '//evil.example' WHERE state = ?`, stateKey(state)); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Callback(ctx, "github", state, "code")
	assertRejected(t, err, errReturnTo)

	if n := countStates(t, db); n != 0 {
		t.Fatalf("%d states left after callbacks", n)
	}
}

// fakeGitHub is a GitHub-style OAuth 2.0 provider: a token endpoint that
// checks the PKCE verifier against the challenge of the authorization
// request, and a user endpoint with a numeric id.
type fakeGitHub struct {
	srv       *httptest.Server
	challenge atomic.Value // string
	user      string       // JSON of GET /user
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{user: `{"login":"octocat","id":583231,"name":"The Octocat","email":"octocat@github.example"}`}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		ch, _ := f.challenge.Load().(string)
		if user != "meridian" || pass != "s3cret" || r.FormValue("code") != "good-code" || r.FormValue("code_verifier") == "" ||
			oauth2.S256ChallengeFromVerifier(r.FormValue("code_verifier")) != ch {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"gho_token","token_type":"bearer","scope":"read:user"}`))
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer gho_token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(f.user))
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) config() ProviderConfig {
	return ProviderConfig{Name: "github", Kind: KindOAuth2, Issuer: "https://github.com", ClientID: "meridian", ClientSecret: "s3cret",
		Scopes: []string{"read:user", "user:email"}, RedirectURL: "http://127.0.0.1:1/auth/callback/github",
		AuthURL: f.srv.URL + "/login/oauth/authorize", TokenURL: f.srv.URL + "/login/oauth/access_token", UserInfoURL: f.srv.URL + "/user"}
}

func TestOAuth2KindGitHubStyle(t *testing.T) {
	f := newFakeGitHub(t)
	db := storetest.OpenSQLite(t)
	s := mustNew(t, db, []ProviderConfig{f.config()})
	ctx := context.Background()
	start := func() string {
		authURL, err := s.Start(ctx, "github", "/me")
		if err != nil {
			t.Fatal(err)
		}
		q := mustParams(t, authURL)
		f.challenge.Store(q.Get("code_challenge"))
		return q.Get("state")
	}
	id, rt, err := s.Callback(ctx, "github", start(), "good-code")
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Provider: "github", Issuer: "https://github.com", Subject: "583231", Email: "octocat@github.example", Name: "The Octocat"}
	if diff := cmp.Diff(want, id); diff != "" || rt != "/me" {
		t.Errorf("identity (-want +got):\n%s\nreturnTo %q", diff, rt)
	}
	// A tampered verifier: the provider refuses the exchange.
	state := start()
	if _, err := db.Exec(ctx, `UPDATE oidc_states SET verifier = ? WHERE state = ?`, oauth2.GenerateVerifier(), stateKey(state)); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Callback(ctx, "github", state, "good-code")
	assertRejected(t, err, errExchange)
	// A user object without an id.
	f.user = `{"login":"ghost","id":null}`
	_, _, err = s.Callback(ctx, "github", start(), "good-code")
	assertRejected(t, err, errNoSubject)
}

func TestField(t *testing.T) {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"id":12345678901234,"s":"x","f":1.5,"b":true,"n":null,"o":{}}`))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"id": "12345678901234", "s": "x", "f": "", "b": "", "n": "", "o": "", "missing": ""} {
		if got := field(m, k); got != want {
			t.Errorf("field %s = %q, want %q", k, got, want)
		}
	}
}

// TestLazyDiscovery shows that New succeeds while a provider is down,
// that Start then fails with EUnavailable without hammering the provider,
// and that the provider is used as soon as it answers.
func TestLazyDiscovery(t *testing.T) {
	var up atomic.Bool
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !up.Load() || r.URL.Path != "/.well-known/openid-configuration" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	}))
	t.Cleanup(srv.Close)
	cfg := ProviderConfig{Name: "corp", Kind: KindOIDC, Issuer: srv.URL, ClientID: "meridian", RedirectURL: "https://meridian.example/cb"}
	db := storetest.OpenSQLite(t)
	ctx := context.Background()

	slow := mustNew(t, db, []ProviderConfig{cfg}, WithDiscoveryRetry(time.Hour))
	if hits.Load() != 0 {
		t.Fatalf("New contacted the provider")
	}
	_, err := slow.Start(ctx, "corp", "/")
	assertCode(t, err, meridian.EUnavailable)
	_, err = slow.Start(ctx, "corp", "/")
	assertCode(t, err, meridian.EUnavailable)
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d discovery requests within the retry interval, want 1", n)
	}

	eager := mustNew(t, db, []ProviderConfig{cfg}, WithDiscoveryRetry(0))
	_, err = eager.Start(ctx, "corp", "/")
	assertCode(t, err, meridian.EUnavailable)
	up.Store(true)
	authURL, err := eager.Start(ctx, "corp", "/")
	if err != nil {
		t.Fatalf("Start after the provider came up: %v", err)
	}
	q := mustParams(t, authURL)
	if !strings.HasPrefix(authURL, srv.URL+"/authorize?") || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" ||
		!strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("auth URL %s", authURL)
	}
	if n := countStates(t, db); n != 1 {
		t.Fatalf("%d states stored, want 1 (none for failed starts)", n)
	}
}
