package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/meridianhq/meridian/internal/auth/token"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Cookie names of the web app's session.
const (
	AccessCookie  = "meridian_access"
	RefreshCookie = "meridian_refresh"
	CSRFCookie    = "meridian_csrf"
	CSRFHeader    = "X-CSRF-Token"
	// CSRFField is the form field that carries the CSRF token in the web
	// app's HTML forms, which cannot set headers.
	CSRFField = "csrf_token"
	// FormLimit caps the body of a form read for its CSRF token.
	FormLimit = 2 << 20
)

// Authenticator turns a request's credentials into a principal. A request
// without credentials is anonymous; a request with bad credentials is
// rejected (never downgraded to anonymous).
type Authenticator struct {
	Tokens *token.Service
	Keys   *APIKeys
}

var errCredentials = meridian.Errorf(meridian.EUnauthorized, "invalid or expired credentials")

// Authenticate reads, in order: Authorization: Bearer (a JWT access token,
// or an API key starting mk_), X-API-Key, and the session cookie (which
// also requires the CSRF token header on unsafe methods).
func (a *Authenticator) Authenticate(r *http.Request) (meridian.Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || cred == "" {
			return meridian.Anonymous, errCredentials
		}
		cred = strings.TrimSpace(cred)
		if strings.HasPrefix(cred, secretPrefix) {
			return a.Keys.Authenticate(ctx, cred, KindAPIKey)
		}
		return a.verify(ctx, cred)
	}
	if k := r.Header.Get("X-API-Key"); k != "" {
		return a.Keys.Authenticate(ctx, k, KindAPIKey)
	}
	if c, err := r.Cookie(AccessCookie); err == nil && c.Value != "" {
		if unsafeMethod(r.Method) && !validCSRF(r) {
			return meridian.Anonymous, ErrCSRF
		}
		return a.verify(ctx, c.Value)
	}
	return meridian.Anonymous, nil
}

// Token authenticates a bare credential (a JWT access token or an API key
// starting mk_), as sent in the first message of a WebSocket, where
// browsers cannot set headers.
func (a *Authenticator) Token(ctx context.Context, cred string) (meridian.Principal, error) {
	cred = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cred), "Bearer "))
	if cred == "" {
		return meridian.Anonymous, errCredentials
	}
	if strings.HasPrefix(cred, secretPrefix) {
		return a.Keys.Authenticate(ctx, cred, KindAPIKey)
	}
	return a.verify(ctx, cred)
}

// verify checks a JWT access token; tokens of OAuth2 clients stop working
// as soon as the client is revoked.
func (a *Authenticator) verify(ctx context.Context, tok string) (meridian.Principal, error) {
	p, err := a.Tokens.VerifyAccess(ctx, tok)
	if err != nil {
		return meridian.Anonymous, err
	}
	if p.Kind == meridian.PrincipalService {
		id := strings.TrimPrefix(p.ID, "key:")
		k, err := a.Keys.Get(ctx, p.OrgID, id)
		if err != nil || k.RevokedAt != nil {
			return meridian.Anonymous, errCredentials
		}
	}
	return p, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// validCSRF checks the double-submit token: the CSRF cookie's value must
// come back in the X-CSRF-Token header or, for an HTML form (urlencoded or
// multipart), in its csrf_token field. Reading the field parses the form
// (its body capped at FormLimit); handlers then read r.PostForm.
func validCSRF(r *http.Request) bool {
	c, err := r.Cookie(CSRFCookie)
	if err != nil || c.Value == "" {
		return false
	}
	h := r.Header.Get(CSRFHeader)
	if h == "" && isForm(r) {
		r.Body = http.MaxBytesReader(nil, r.Body, FormLimit)
		if err := r.ParseMultipartForm(FormLimit); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return false
		}
		h = r.PostForm.Get(CSRFField)
	}
	return h != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(h)) == 1
}

// CheckCSRF reports whether an unsafe request carries the session's CSRF
// token (header or form field), for handlers that act on a session the
// authenticator did not see (the web app renewing an expired one).
func CheckCSRF(r *http.Request) bool { return validCSRF(r) }

func isForm(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data"
}

// SessionCookies are the web app's cookies for freshly issued tokens: the
// access token (HttpOnly, SameSite=Lax), the refresh token (HttpOnly,
// SameSite=Strict; the web app's pages renew an expired session with it,
// the refresh and sign-out endpoints read it) and a CSRF token
// readable by the page, which it echoes in X-CSRF-Token or a form's
// csrf_token field on unsafe requests (double submit).
func SessionCookies(secure bool, t Tokens) []*http.Cookie {
	csrf := meridian.NewID()
	return []*http.Cookie{
		{Name: AccessCookie, Value: t.AccessToken, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int(t.ExpiresIn)},
		{Name: RefreshCookie, Value: t.RefreshToken, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode, MaxAge: 30 * 24 * 3600},
		{Name: CSRFCookie, Value: csrf, Path: "/", Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: 30 * 24 * 3600},
	}
}

// oldRefreshPath is where earlier versions scoped the refresh cookie;
// signing out clears it there too.
const oldRefreshPath = "/api/v1/auth/refresh"

// ErrCSRF refuses an unsafe request authenticated by the session cookie
// without the session's CSRF token (a cross-site form, or a page opened
// before the session changed).
var ErrCSRF = meridian.Errorf(meridian.EForbidden, "missing or wrong CSRF token: send the %s cookie's value in %s", CSRFCookie, CSRFHeader)

// ClearAccessCookie removes the access cookie alone: one that no longer
// verifies, while the refresh cookie may still renew the session.
func ClearAccessCookie(secure bool) *http.Cookie {
	return &http.Cookie{Name: AccessCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// ClearCookies removes the session's cookies.
func ClearCookies(secure bool) []*http.Cookie {
	var out []*http.Cookie
	for _, n := range []struct{ name, path string }{{AccessCookie, "/"}, {RefreshCookie, "/"}, {RefreshCookie, oldRefreshPath}, {CSRFCookie, "/"}} {
		out = append(out, &http.Cookie{Name: n.name, Value: "", Path: n.path, MaxAge: -1, HttpOnly: n.name != CSRFCookie, Secure: secure, SameSite: http.SameSiteLaxMode})
	}
	return out
}

// CookiesSecure: Secure cookies everywhere except plain HTTP on loopback,
// where browsers would drop them during local development.
func CookiesSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	return !(host == "localhost" || (ip != nil && ip.IsLoopback()))
}
