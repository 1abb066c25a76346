package rest_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/ratelimit"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// newAuthEnv is newEnv with real sign-in instead of the development user.
func newAuthEnv(t *testing.T, limiter ratelimit.Limiter) *env {
	t.Helper()
	st := newStack(t)
	svc := st.identity(t)
	srv, _ := st.serve(t, rest.Config{Auth: svc, Limiter: limiter, PerIP: 1000, PerPrincipal: 1000})
	return &env{t: t, srv: srv, db: st.db}
}

// req sends a request with explicit headers (no development user).
func (e *env) req(method, path string, body any, hdr ...string) resp {
	e.t.Helper()
	r := e.do(method, path, "", body, hdr...)
	return r
}

const goodPassword = "correct horse battery staple"

// signUp registers an address and signs in, returning an access token.
func signUp(e *env, email string) string {
	e.t.Helper()
	e.must(202, e.req("POST", "/api/v1/auth/register", map[string]any{"email": email, "password": goodPassword}))
	return signIn(e, email)
}

func signIn(e *env, email string) string {
	e.t.Helper()
	l := e.must(200, e.req("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword}))
	return l.Body["access_token"].(string)
}

func TestRegisterLoginRefreshLogout(t *testing.T) {
	e := newAuthEnv(t, nil)
	reg := e.must(202, e.req("POST", "/api/v1/auth/register", map[string]any{"email": "Ada@Example.com", "password": goodPassword, "name": "Ada"}))
	at := signIn(e, "ada@example.com")
	me := e.must(200, e.req("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+at))
	if me.Body["email"] != "ada@example.com" || me.Body["name"] != "Ada" {
		t.Fatalf("me: %s", me.Raw)
	}
	// A taken address gets the very same answer, and does not change the account.
	again := e.must(202, e.req("POST", "/api/v1/auth/register", map[string]any{"email": "ada@example.com", "password": "another long passphrase", "name": "Mallory"}))
	if string(again.Raw) != string(reg.Raw) {
		t.Fatalf("registration reveals a taken address: %s vs %s", again.Raw, reg.Raw)
	}
	e.problem(e.req("POST", "/api/v1/auth/login", map[string]any{"email": "ada@example.com", "password": "another long passphrase"}), 401, "unauthorized")
	e.problem(e.req("POST", "/api/v1/auth/register", map[string]any{"email": "bob@example.com", "password": "password1234"}), 422, "invalid")

	// Wrong password and unknown account get the same answer.
	wrong := e.req("POST", "/api/v1/auth/login", map[string]any{"email": "ada@example.com", "password": "not the password at all"})
	unknown := e.req("POST", "/api/v1/auth/login", map[string]any{"email": "nobody@example.com", "password": "not the password at all"})
	e.problem(wrong, 401, "unauthorized")
	e.problem(unknown, 401, "unauthorized")
	if wrong.Body["detail"] != unknown.Body["detail"] {
		t.Fatalf("messages differ: %q vs %q", wrong.Body["detail"], unknown.Body["detail"])
	}
	login := e.must(200, e.req("POST", "/api/v1/auth/login", map[string]any{"email": "ADA@example.com", "password": goodPassword}))
	access, refresh := login.Body["access_token"].(string), login.Body["refresh_token"].(string)

	// The access token works for writes.
	org := e.must(201, e.req("POST", "/api/v1/orgs", map[string]any{"name": "Ada Labs"}, "Authorization", "Bearer "+access))
	if org.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("authenticated response cacheable: %v", org.Header)
	}
	// Refresh rotates; the old refresh token is then a reuse and revokes the family.
	r1 := e.must(200, e.req("POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": refresh}))
	next := r1.Body["refresh_token"].(string)
	e.problem(e.req("POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": refresh}), 401, "unauthorized")
	e.problem(e.req("POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": next}), 401, "unauthorized")

	// Sign-out revokes the access token.
	l2 := e.must(200, e.req("POST", "/api/v1/auth/login", map[string]any{"email": "ada@example.com", "password": goodPassword}))
	a2 := l2.Body["access_token"].(string)
	e.must(204, e.req("POST", "/api/v1/auth/logout", map[string]any{"refresh_token": l2.Body["refresh_token"]}, "Authorization", "Bearer "+a2))
	e.problem(e.req("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+a2), 401, "unauthorized")
	// A bad credential is a 401, never anonymous access.
	e.problem(e.req("GET", "/api/v1/jobs", nil, "Authorization", "Bearer not-a-token"), 401, "unauthorized")
	if r := e.req("GET", "/api/v1/jobs", nil, "Authorization", "Bearer x"); r.Header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
	// JWKS publishes the verification key.
	jwks := e.must(200, e.req("GET", "/.well-known/jwks.json", nil))
	if keys, _ := jwks.Body["keys"].([]any); len(keys) == 0 {
		t.Fatalf("jwks: %s", jwks.Raw)
	}
}

func TestSignInThrottle(t *testing.T) {
	e := newAuthEnv(t, nil)
	e.must(202, e.req("POST", "/api/v1/auth/register", map[string]any{"email": "eve@example.com", "password": goodPassword}))
	var last resp
	for i := 0; i < 8; i++ {
		last = e.req("POST", "/api/v1/auth/login", map[string]any{"email": "eve@example.com", "password": "wrong password guess " + string(rune('a'+i))})
	}
	e.problem(last, 429, "rate_limited")
	// Even the right password waits while the account is throttled.
	e.problem(e.req("POST", "/api/v1/auth/login", map[string]any{"email": "eve@example.com", "password": goodPassword}), 429, "rate_limited")
}

func TestAPIKeysAndClientCredentials(t *testing.T) {
	e := newAuthEnv(t, nil)
	bearer := "Bearer " + signUp(e, "owner@acme.example")
	org := e.must(201, e.req("POST", "/api/v1/orgs", map[string]any{"name": "Acme"}, "Authorization", bearer))
	orgID := org.Body["id"].(string)
	other := e.must(201, e.req("POST", "/api/v1/orgs", map[string]any{"name": "Globex"}, "Authorization", bearer))

	key := e.must(201, e.req("POST", "/api/v1/orgs/"+orgID+"/api-keys", map[string]any{"name": "ATS sync", "scopes": []string{"jobs:write", "jobs:read"}}, "Authorization", bearer))
	secret := key.Body["secret"].(string)
	if !strings.HasPrefix(secret, "mk_") {
		t.Fatalf("secret %q", secret)
	}
	list := e.must(200, e.req("GET", "/api/v1/orgs/"+orgID+"/api-keys", nil, "Authorization", bearer))
	if strings.Contains(string(list.Raw), secret) {
		t.Fatal("secret listed after creation")
	}
	// The key drafts jobs in its organization, not in another one, and cannot
	// create organizations or manage members.
	job := e.must(201, e.req("POST", "/api/v1/orgs/"+orgID+"/jobs", jobBody("Go Engineer"), "X-API-Key", secret))
	e.must(200, e.req("POST", "/api/v1/jobs/"+job.Body["id"].(string)+"/publish", nil, "Authorization", "Bearer "+secret))
	e.problem(e.req("POST", "/api/v1/orgs/"+other.Body["id"].(string)+"/jobs", jobBody("Go Engineer"), "X-API-Key", secret), 404, "not_found")
	e.problem(e.req("POST", "/api/v1/orgs", map[string]any{"name": "Key Corp"}, "X-API-Key", secret), 403, "forbidden")
	e.problem(e.req("POST", "/api/v1/orgs/"+orgID+"/members", map[string]any{"userId": "x", "role": "viewer"}, "X-API-Key", secret), 403, "forbidden")
	e.problem(e.req("GET", "/api/v1/applications?orgId="+orgID, nil, "X-API-Key", secret), 404, "not_found")

	// OAuth2 client credentials.
	client := e.must(201, e.req("POST", "/api/v1/orgs/"+orgID+"/api-keys", map[string]any{"name": "Reporting", "kind": "client", "scopes": []string{"jobs:read", "org:read"}}, "Authorization", bearer))
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {client.Body["id"].(string)}, "client_secret": {client.Body["secret"].(string)}, "scope": {"org:read"}}
	res, err := http.PostForm(e.srv.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if res.StatusCode != 200 || tok["scope"] != "org:read" || tok["access_token"] == nil {
		t.Fatalf("client credentials: %d %v", res.StatusCode, tok)
	}
	cbearer := "Bearer " + tok["access_token"].(string)
	e.must(200, e.req("GET", "/api/v1/orgs/"+orgID+"/members", nil, "Authorization", cbearer))
	form.Set("client_secret", "mk_wrong")
	if res, _ := http.PostForm(e.srv.URL+"/oauth/token", form); res.StatusCode != 401 {
		t.Fatalf("wrong client secret: %d", res.StatusCode)
	}
	form.Set("client_secret", secret) // an API key is not a client
	form.Set("client_id", key.Body["id"].(string))
	if res, _ := http.PostForm(e.srv.URL+"/oauth/token", form); res.StatusCode != 401 {
		t.Fatalf("API key used as client: %d", res.StatusCode)
	}

	// Revoking stops the key and the client's tokens at once.
	e.must(200, e.req("DELETE", "/api/v1/orgs/"+orgID+"/api-keys/"+key.Body["id"].(string), nil, "Authorization", bearer))
	e.problem(e.req("GET", "/api/v1/orgs/"+orgID+"/jobs", nil, "X-API-Key", secret), 401, "unauthorized")
	e.must(200, e.req("DELETE", "/api/v1/orgs/"+orgID+"/api-keys/"+client.Body["id"].(string), nil, "Authorization", bearer))
	e.problem(e.req("GET", "/api/v1/orgs/"+orgID+"/members", nil, "Authorization", cbearer), 401, "unauthorized")

	// The audit log shows it all to the owner, and to nobody outside.
	audit := e.must(200, e.req("GET", "/api/v1/orgs/"+orgID+"/audit", nil, "Authorization", bearer))
	actions := map[string]int{}
	for _, it := range audit.Body["items"].([]any) {
		actions[it.(map[string]any)["action"].(string)]++
	}
	if actions[auth.AuditKeyCreated] != 2 || actions[auth.AuditKeyRevoked] != 2 {
		t.Fatalf("audit: %v", actions)
	}
	stranger := signUp(e, "stranger@example.com")
	e.problem(e.req("GET", "/api/v1/orgs/"+orgID+"/audit", nil, "Authorization", "Bearer "+stranger), 404, "not_found")
}

func TestSessionCookiesNeedCSRF(t *testing.T) {
	e := newAuthEnv(t, nil)
	e.must(202, e.req("POST", "/api/v1/auth/register", map[string]any{"email": "web@example.com", "password": goodPassword}))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path, body string, hdr ...string) *http.Response {
		r, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := post("/api/v1/auth/login", `{"email":"web@example.com","password":"`+goodPassword+`","cookie":true}`)
	if res.StatusCode != 200 {
		t.Fatalf("cookie login: %d", res.StatusCode)
	}
	var csrf string
	for _, ck := range res.Cookies() {
		switch ck.Name {
		case auth.AccessCookie:
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Fatalf("access cookie flags: %+v", ck)
			}
		case auth.CSRFCookie:
			csrf = ck.Value
		}
	}
	if res := post("/api/v1/orgs", `{"name":"Cookie Co"}`); res.StatusCode != 403 {
		t.Fatalf("unsafe request without CSRF token: %d", res.StatusCode)
	}
	if res := post("/api/v1/orgs", `{"name":"Cookie Co"}`, auth.CSRFHeader, "forged"); res.StatusCode != 403 {
		t.Fatalf("wrong CSRF token: %d", res.StatusCode)
	}
	if res := post("/api/v1/orgs", `{"name":"Cookie Co"}`, auth.CSRFHeader, csrf); res.StatusCode != 201 {
		t.Fatalf("with CSRF token: %d", res.StatusCode)
	}
}

func TestRateLimitsAndHeaders(t *testing.T) {
	e := newAuthEnv(t, ratelimit.NewMemory(0))
	// The sign-in rule allows 10 attempts at once per address.
	var last resp
	for i := 0; i < 12; i++ {
		last = e.req("POST", "/api/v1/auth/login", map[string]any{"email": "x@example.com", "password": "whatever it is here"})
	}
	e.problem(last, 429, "rate_limited")
	if last.Header.Get("Retry-After") == "" || last.Header.Get("RateLimit-Limit") == "" {
		t.Fatalf("429 headers: %v", last.Header)
	}
	// The web app's sign-in and sign-up forms share the same budget.
	for _, path := range []string{"/signin", "/signup"} {
		res, err := http.PostForm(e.srv.URL+path, url.Values{"email": {"x@example.com"}, "password": {"whatever it is here"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("POST %s after the budget is spent: %d, want 429", path, res.StatusCode)
		}
	}
	ok := e.req("GET", "/api/v1/jobs", nil)
	for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if ok.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if strings.Contains(ok.Header.Get("Content-Security-Policy"), "unsafe") || !strings.Contains(ok.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP %q", ok.Header.Get("Content-Security-Policy"))
	}
}
