package rest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/auth"
)

// browser is a cookie-keeping client that does not follow redirects, as
// the web app's forms are posted by a browser.
type browser struct {
	t       *testing.T
	base    string
	cookies map[string]*http.Cookie
}

func newBrowser(t *testing.T, base string) *browser {
	return &browser{t: t, base: base, cookies: map[string]*http.Cookie{}}
}

func (b *browser) do(method, path string, form url.Values, hdr ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			if c.Path == "/" { // the old refresh path's deletion does not remove the / cookie
				delete(b.cookies, c.Name)
			}
			continue
		}
		b.cookies[c.Name] = c
	}
	return res, string(raw)
}

func (b *browser) csrf() string {
	if c := b.cookies[auth.CSRFCookie]; c != nil {
		return c.Value
	}
	return ""
}

// TestWebSignUpSessionAndCSRF signs up, in and out through the web app's
// forms against the real identity service: session cookies, the CSRF
// token in forms, cross-origin refusal, renewal of an expired session
// from the refresh cookie, stale cookies, and return addresses kept on
// the site.
func TestWebSignUpSessionAndCSRF(t *testing.T) {
	e := newAuthEnv(t, nil)
	b := newBrowser(t, e.srv.URL)

	res, body := b.do("GET", "/signup", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `action="/signup"`) || !strings.Contains(body, `for="signup-email"`) {
		t.Fatalf("sign-up page: %d\n%s", res.StatusCode, body)
	}
	form := url.Values{"name": {"Ada Web"}, "email": {"ada@example.com"}, "password": {goodPassword}, "password2": {goodPassword}}
	res, _ = b.do("POST", "/signup", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/me/profile" {
		t.Fatalf("sign-up: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, n := range []string{auth.AccessCookie, auth.RefreshCookie, auth.CSRFCookie} {
		c := b.cookies[n]
		if c == nil {
			t.Fatalf("no %s cookie after sign-up", n)
		}
		if c.Path != "/" || (n != auth.CSRFCookie && !c.HttpOnly) {
			t.Errorf("%s cookie: path %q, HttpOnly %v", n, c.Path, c.HttpOnly)
		}
	}
	res, body = b.do("GET", "/", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Ada Web") || !strings.Contains(body, `name="csrf_token" value="`+b.csrf()+`"`) {
		t.Fatalf("home signed in: %d\n%s", res.StatusCode, body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("a signed-in page is cacheable: %q", cc)
	}

	// The same address again with another password: told to sign in.
	other := newBrowser(t, e.srv.URL)
	res, body = other.do("POST", "/signup", url.Values{"email": {"ada@example.com"}, "password": {"another long passphrase here"}, "password2": {"another long passphrase here"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "If you already have an account, sign in instead") || other.cookies[auth.AccessCookie] != nil {
		t.Fatalf("sign-up with a taken address: %d\n%s", res.StatusCode, body)
	}
	res, body = other.do("POST", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"not the right one at all"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("wrong password: %d\n%s", res.StatusCode, body)
	}
	// Return addresses stay on this site.
	for _, to := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		o := newBrowser(t, e.srv.URL)
		res, _ = o.do("POST", "/signin", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {to}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/me" {
			t.Errorf("return_to %q: %d to %q", to, res.StatusCode, res.Header.Get("Location"))
		}
	}
	o := newBrowser(t, e.srv.URL)
	if res, _ = o.do("POST", "/signin", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {"/market?region=EU"}}); res.Header.Get("Location") != "/market?region=EU" {
		t.Errorf("return_to on the site: %q", res.Header.Get("Location"))
	}

	// A browser on another site cannot post the forms.
	if res, _ = other.do("POST", "/signin", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", res.StatusCode)
	}

	// An expired access cookie (the browser dropped it): the page renews
	// the session from the refresh cookie and is served signed in.
	oldRefresh := b.cookies[auth.RefreshCookie].Value
	csrf := b.csrf()
	delete(b.cookies, auth.AccessCookie)
	res, body = b.do("GET", "/market", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Ada Web") || b.cookies[auth.AccessCookie] == nil {
		t.Fatalf("renewal: %d, signed in %v", res.StatusCode, strings.Contains(body, "Ada Web"))
	}
	if b.cookies[auth.RefreshCookie].Value == oldRefresh || b.csrf() != csrf {
		t.Errorf("renewal: the refresh token must rotate and the CSRF token stay (open forms keep working)")
	}
	// A refresh token used once does not work again: a stolen copy renews nothing.
	thief := newBrowser(t, e.srv.URL)
	thief.cookies[auth.RefreshCookie] = &http.Cookie{Name: auth.RefreshCookie, Value: oldRefresh}
	if _, body = thief.do("GET", "/", nil); strings.Contains(body, "Ada Web") {
		t.Error("a used refresh token renewed a session")
	}

	// The thief's reuse revoked the family: sign in again for the rest.
	b = newBrowser(t, e.srv.URL)
	if res, _ = b.do("POST", "/signin", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in again: %d", res.StatusCode)
	}
	// A form posted after the access cookie expired acts as the person only
	// with the session's CSRF token.
	delete(b.cookies, auth.AccessCookie)
	if res, _ = b.do("POST", "/me/notifications/read", url.Values{}); res.StatusCode != http.StatusUnauthorized || b.cookies[auth.AccessCookie] != nil {
		t.Errorf("renewal by a form without the CSRF token: %d", res.StatusCode)
	}
	if res, _ = b.do("POST", "/me/notifications/read", url.Values{"csrf_token": {b.csrf()}}); res.StatusCode != http.StatusSeeOther || b.cookies[auth.AccessCookie] == nil {
		t.Errorf("renewal by a form with the CSRF token: %d", res.StatusCode)
	}

	// A session cookie that does not verify: dropped by a redirect to the same page.
	stale := newBrowser(t, e.srv.URL)
	stale.cookies[auth.AccessCookie] = &http.Cookie{Name: auth.AccessCookie, Value: "not-a-token"}
	res, _ = stale.do("GET", "/market?region=EU", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/market?region=EU" || stale.cookies[auth.AccessCookie] != nil {
		t.Errorf("stale session cookie: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// Signing out needs the form's CSRF token; then the token is revoked.
	access := b.cookies[auth.AccessCookie].Value
	if res, _ = b.do("POST", "/signout", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without the CSRF token: %d", res.StatusCode)
	}
	// A browser is told in a page; an API client gets problem+json.
	res, body = b.do("POST", "/signout", url.Values{"csrf_token": {"forged"}})
	if res.StatusCode != http.StatusForbidden || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "This form has expired") {
		t.Fatalf("sign-out with a forged CSRF token: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ = b.do("POST", "/signout", url.Values{"csrf_token": {"forged"}}, "Accept", "application/json"); res.StatusCode != http.StatusForbidden || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API client, forged CSRF token: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csrf = b.csrf()
	res, _ = b.do("POST", "/signout", url.Values{"csrf_token": {csrf}})
	if res.StatusCode != http.StatusSeeOther || b.cookies[auth.AccessCookie] != nil || b.cookies[auth.RefreshCookie] != nil {
		t.Fatalf("sign-out: %d, cookies left %v", res.StatusCode, b.cookies)
	}
	e.problem(e.req("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+access), 401, "unauthorized")

	// Another tab of the same browser still had the page open: its form,
	// sent with the revoked session, gets a sign-in page that returns to
	// the page the form was on, and the dead cookie is dropped.
	tab := newBrowser(t, e.srv.URL)
	tab.cookies[auth.AccessCookie] = &http.Cookie{Name: auth.AccessCookie, Value: access}
	tab.cookies[auth.CSRFCookie] = &http.Cookie{Name: auth.CSRFCookie, Value: csrf}
	res, body = tab.do("POST", "/me/notifications/read", url.Values{"csrf_token": {csrf}}, "Referer", e.srv.URL+"/me?tab=2")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Your session has ended") ||
		!strings.Contains(body, `name="return_to" value="/me?tab=2"`) || tab.cookies[auth.AccessCookie] != nil {
		t.Fatalf("a form from a signed-out tab: %d, cookie kept %v\n%.600s", res.StatusCode, tab.cookies[auth.AccessCookie] != nil, body)
	}
}
