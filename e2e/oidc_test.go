package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/auth/oidc/oidctest"
)

// TestOIDCSignIn signs in through Meridian's HTTP routes against a real
// OpenID provider (see package oidctest): start, the provider's login
// form, callback, session cookies, CSRF, and the callback's refusals.
func TestOIDCSignIn(t *testing.T) {
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	callback := base + "/auth/oidc/zitadel/callback"
	op := oidctest.Start(t, callback)
	providers, err := json.Marshal([]map[string]string{{"name": "zitadel", "issuer": op.Issuer(), "clientId": op.ClientID(), "clientSecret": op.ClientSecret()}})
	if err != nil {
		t.Fatal(err)
	}
	p := startServeAt(t, fmt.Sprintf("127.0.0.1:%d", port), []string{"MERIDIAN_OIDC_PROVIDERS=" + string(providers)},
		"--data-dir", t.TempDir(), "--no-demo", "--public-url", base)
	if p.URL != base {
		t.Fatalf("meridian runs at %s, want %s", p.URL, base)
	}

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, u string, body any, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, u, rd)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := browser.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res, raw
	}
	// start sends the browser to the provider and returns the URL it was sent to.
	start := func(returnTo string) string {
		t.Helper()
		res, raw := do("GET", p.URL+"/auth/oidc/zitadel/start?return_to="+url.QueryEscape(returnTo), nil)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, strings.TrimSuffix(op.Issuer(), "/")) {
			t.Fatalf("start: %s Location=%q, want 302 to the provider %s\n%s", res.Status, loc, op.Issuer(), raw)
		}
		return loc
	}
	wantProblem := func(what string, res *http.Response, raw []byte, status int) {
		t.Helper()
		if res.StatusCode != status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %s %s, want %d problem+json\n%s", what, res.Status, res.Header.Get("Content-Type"), status, raw)
		}
		if res.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s set cookies: %q", what, res.Header.Values("Set-Cookie"))
		}
	}

	// Sign in.
	cb := op.Login(t, start("/api/v1/auth/me"))
	if !strings.HasPrefix(cb.String(), callback+"?") || cb.Query().Get("code") == "" || cb.Query().Get("state") == "" {
		t.Fatalf("provider sent the browser to %s", cb)
	}
	res, raw := do("GET", cb.String(), nil)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/api/v1/auth/me" {
		t.Fatalf("callback: %s Location=%q, want 302 to /api/v1/auth/me\n%s", res.Status, res.Header.Get("Location"), raw)
	}
	cookies := map[string]*http.Cookie{}
	for _, c := range res.Cookies() {
		cookies[c.Name] = c
	}
	for _, name := range []string{"meridian_access", "meridian_refresh", "meridian_csrf"} {
		if c := cookies[name]; c == nil || c.Value == "" {
			t.Fatalf("callback did not set %s: %q", name, res.Header.Values("Set-Cookie"))
		}
	}
	if !cookies["meridian_access"].HttpOnly || !cookies["meridian_refresh"].HttpOnly {
		t.Errorf("session cookies are not HttpOnly: %q", res.Header.Values("Set-Cookie"))
	}
	csrf := cookies["meridian_csrf"].Value

	res, raw = do("GET", p.URL+"/api/v1/auth/me", nil)
	var me map[string]any
	if err := json.Unmarshal(raw, &me); res.StatusCode != http.StatusOK || err != nil || me["email"] != oidctest.Email {
		t.Fatalf("me: %s %s, want 200 with e-mail %s", res.Status, raw, oidctest.Email)
	}

	// Unsafe requests with the cookie need the CSRF header.
	res, raw = do("POST", p.URL+"/api/v1/orgs", map[string]any{"name": "OIDC Co"})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without %s: %s %s, want 403", "X-CSRF-Token", res.Status, raw)
	}
	res, raw = do("POST", p.URL+"/api/v1/orgs", map[string]any{"name": "OIDC Co"}, "X-CSRF-Token", csrf)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST with %s: %s %s, want 201", "X-CSRF-Token", res.Status, raw)
	}

	// The callback URL is single use.
	res, raw = do("GET", cb.String(), nil)
	wantProblem("replayed callback", res, raw, http.StatusUnauthorized)

	// A callback whose state Meridian did not issue.
	cb = op.Login(t, start("/"))
	q := cb.Query()
	q.Set("state", "not-"+q.Get("state"))
	cb.RawQuery = q.Encode()
	res, raw = do("GET", cb.String(), nil)
	wantProblem("wrong state", res, raw, http.StatusUnauthorized)

	// The web app: the sign-in page offers the provider; signing in there
	// returns to the page the visitor came from, signed in.
	res, raw = do("GET", p.URL+"/signin?return_to="+url.QueryEscape("/me"), nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), `href="/auth/oidc/zitadel/start?return_to=%2fme"`) {
		t.Fatalf("sign-in page: %s, no button for the provider\n%s", res.Status, raw)
	}
	res, raw = do("GET", op.Login(t, start("/me")).String(), nil)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/me" {
		t.Fatalf("callback from the web sign-in: %s Location=%q\n%s", res.Status, res.Header.Get("Location"), raw)
	}
	res, raw = do("GET", p.URL+"/me", nil, "Accept", "text/html")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), `action="/signout"`) || !strings.Contains(string(raw), "<h1") {
		t.Fatalf("/me after signing in with the provider: %s\n%s", res.Status, raw)
	}

	// Only paths on this site are return targets.
	res, raw = do("GET", p.URL+"/auth/oidc/zitadel/start?return_to="+url.QueryEscape("https://evil.example"), nil)
	if res.StatusCode < 400 || res.StatusCode >= 500 || strings.Contains(res.Header.Get("Location"), "evil") {
		t.Errorf("start with an off-site return_to: %s Location=%q, want 4xx\n%s", res.Status, res.Header.Get("Location"), raw)
	}
}
