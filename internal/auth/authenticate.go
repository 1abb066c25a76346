package auth

import (
	"context"
	"crypto/subtle"
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
			return meridian.Anonymous, meridian.Errorf(meridian.EForbidden, "missing or wrong CSRF token: send the %s cookie's value in %s", CSRFCookie, CSRFHeader)
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

func validCSRF(r *http.Request) bool {
	c, err := r.Cookie(CSRFCookie)
	h := r.Header.Get(CSRFHeader)
	return err == nil && c.Value != "" && h != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(h)) == 1
}
