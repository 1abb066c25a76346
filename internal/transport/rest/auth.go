package rest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/meridian"
)

type credentialsIn struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" required:"true"`
		Password string `json:"password" maxLength:"1024" required:"true"`
		// Cookie asks for the web app's session cookies instead of tokens in the body.
		Cookie bool `json:"cookie,omitempty" doc:"set HttpOnly session cookies (web app) instead of returning tokens"`
	}
}

type tokensOut struct {
	SetCookie []*http.Cookie `header:"Set-Cookie"`
	Body      auth.Tokens
}

type refreshIn struct {
	RefreshCookie string `cookie:"meridian_refresh"`
	Body          *struct {
		RefreshToken string `json:"refresh_token,omitempty"`
		Cookie       bool   `json:"cookie,omitempty"`
	}
}

type registerIn struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" required:"true"`
		Password string `json:"password" maxLength:"1024" required:"true"`
		Name     string `json:"name,omitempty" maxLength:"120"`
	}
}

type registeredOut struct {
	Body struct {
		Status string `json:"status"`
		Detail string `json:"detail"`
	}
}

type logoutOut struct {
	SetCookie []*http.Cookie `header:"Set-Cookie"`
}

type meOut struct {
	Body auth.User
}

type keysPath struct {
	OrgPath
	KeyID string `path:"keyId"`
}

type createKeyIn struct {
	OrgPath
	Body struct {
		Name      string    `json:"name" minLength:"1" maxLength:"100" required:"true"`
		Kind      string    `json:"kind,omitempty" enum:"key,client" doc:"key (X-API-Key) or client (OAuth2 client credentials); default key"`
		Scopes    []string  `json:"scopes" required:"true" doc:"jobs:read, jobs:write, applications:read, applications:write, org:read"`
		ExpiresAt time.Time `json:"expiresAt,omitempty"`
	}
}

type createdKeyOut struct {
	Body struct {
		auth.APIKey
		Secret string `json:"secret" doc:"shown only once; store it now"`
	}
}

type keyOut struct{ Body auth.APIKey }

type keysOut struct {
	Body struct {
		Items []auth.APIKey `json:"items"`
	}
}

type auditIn struct {
	OrgPath
	Before int64 `query:"before" doc:"id of the oldest entry of the previous page"`
	Limit  int   `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type auditOut struct {
	Body struct {
		Items []auth.AuditEntry `json:"items"`
	}
}

type requestInfoKey struct{}

type requestInfo struct {
	secure bool
	ip     string
}

func infoFrom(ctx context.Context) requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(requestInfo)
	return ri
}

// clientIP is the peer address. Forwarded headers are not trusted here: a
// deployment behind a proxy must pass the address on in a way it controls.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) tokensResponse(ctx context.Context, t auth.Tokens, cookie bool) *tokensOut {
	out := &tokensOut{Body: t}
	if cookie {
		out.SetCookie = auth.SessionCookies(infoFrom(ctx).secure, t)
		out.Body = auth.Tokens{TokenType: "cookie", ExpiresIn: t.ExpiresIn}
	}
	return out
}

func (s *Server) registerAuth() {
	tags := []string{"Sign-in"}
	huma.Register(s.api, huma.Operation{OperationID: "register", Method: http.MethodPost, Path: "/api/v1/auth/register", Summary: "Create an account with e-mail and password",
		Description: "Passwords need at least 12 characters and must not be common or contain your name or address. " +
			"The answer is the same whether or not the address was already registered (so that nobody can find out who has an account); sign in next.",
		Tags: tags, DefaultStatus: http.StatusAccepted, MaxBodyBytes: 16 << 10, Metadata: access(PolicyAuth, "")},
		func(ctx context.Context, in *registerIn) (*registeredOut, error) {
			if err := s.signInConfigured(); err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.Auth.Register(ctx, in.Body.Email, in.Body.Password, in.Body.Name, infoFrom(ctx).ip); err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &registeredOut{}
			out.Body.Status = "accepted"
			out.Body.Detail = "If this address was not registered yet, the account exists now: sign in with it."
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login", Summary: "Sign in with e-mail and password", Tags: tags, MaxBodyBytes: 16 << 10, Metadata: access(PolicyAuth, "")},
		func(ctx context.Context, in *credentialsIn) (*tokensOut, error) {
			if err := s.signInConfigured(); err != nil {
				return nil, s.fail(ctx, err)
			}
			t, err := s.cfg.Auth.SignIn(ctx, in.Body.Email, in.Body.Password, infoFrom(ctx).ip)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.tokensResponse(ctx, t, in.Body.Cookie), nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "refresh", Method: http.MethodPost, Path: "/api/v1/auth/refresh", Summary: "Rotate a refresh token",
		Description: "Each refresh token works once; presenting a used one revokes its whole family.", Tags: tags, MaxBodyBytes: 16 << 10, Metadata: access(PolicyAuth, "")},
		func(ctx context.Context, in *refreshIn) (*tokensOut, error) {
			if err := s.signInConfigured(); err != nil {
				return nil, s.fail(ctx, err)
			}
			rt, cookie := in.RefreshCookie, in.RefreshCookie != ""
			if in.Body != nil && in.Body.RefreshToken != "" {
				rt, cookie = in.Body.RefreshToken, in.Body.Cookie
			}
			if rt == "" {
				return nil, s.fail(ctx, meridian.Errorf(meridian.EUnauthorized, "no refresh token"))
			}
			t, err := s.cfg.Auth.Refresh(ctx, rt)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.tokensResponse(ctx, t, cookie), nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Summary: "Sign out", Description: "Revokes the access token in use and its refresh-token family.", Tags: tags, DefaultStatus: http.StatusNoContent, Metadata: access(PolicySession, "")},
		func(ctx context.Context, in *refreshIn) (*logoutOut, error) {
			if err := s.signInConfigured(); err != nil {
				return nil, s.fail(ctx, err)
			}
			p := meridian.PrincipalFrom(ctx)
			if p.Kind != meridian.PrincipalUser {
				return nil, s.fail(ctx, meridian.Errorf(meridian.EUnauthorized, "sign in to sign out"))
			}
			rt := in.RefreshCookie
			if in.Body != nil && in.Body.RefreshToken != "" {
				rt = in.Body.RefreshToken
			}
			if err := s.cfg.Auth.SignOut(ctx, p, time.Now().Add(24*time.Hour), rt, infoFrom(ctx).ip); err != nil {
				return nil, s.fail(ctx, err)
			}
			return &logoutOut{SetCookie: auth.ClearCookies(infoFrom(ctx).secure)}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/api/v1/auth/me", Summary: "The signed-in user", Tags: tags, Metadata: access(PolicySession, "")},
		func(ctx context.Context, _ *struct{}) (*meOut, error) {
			if err := s.signInConfigured(); err != nil {
				return nil, s.fail(ctx, err)
			}
			p := meridian.PrincipalFrom(ctx)
			if p.Kind != meridian.PrincipalUser {
				return nil, s.fail(ctx, meridian.Errorf(meridian.EUnauthorized, "sign in first"))
			}
			u, err := s.cfg.Auth.Users.Get(ctx, p.ID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &meOut{Body: u}, nil
		})

	ktags := []string{"API keys"}
	huma.Register(s.api, huma.Operation{OperationID: "createApiKey", Method: http.MethodPost, Path: "/api/v1/orgs/{orgId}/api-keys", Summary: "Create an API key or OAuth2 client",
		Description: "Admins and owners only. The secret is in this response and never again.", Tags: ktags, DefaultStatus: http.StatusCreated, MaxBodyBytes: 16 << 10, Metadata: access(PolicyOrgSecurity, "")},
		func(ctx context.Context, in *createKeyIn) (*createdKeyOut, error) {
			key, secret, err := s.cfg.App.CreateAPIKey(ctx, auth.NewKeyInput{OrgID: in.OrgID, Kind: in.Body.Kind, Name: in.Body.Name, Scopes: in.Body.Scopes, ExpiresAt: in.Body.ExpiresAt})
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &createdKeyOut{}
			out.Body.APIKey, out.Body.Secret = key, secret
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "listApiKeys", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}/api-keys", Summary: "List API keys and clients", Tags: ktags, Metadata: access(PolicyOrgSecurity, "")},
		func(ctx context.Context, in *OrgPath) (*keysOut, error) {
			keys, err := s.cfg.App.APIKeys(ctx, in.OrgID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &keysOut{}
			out.Body.Items = keys
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "revokeApiKey", Method: http.MethodDelete, Path: "/api/v1/orgs/{orgId}/api-keys/{keyId}", Summary: "Revoke an API key or client", Tags: ktags, Metadata: access(PolicyOrgSecurity, "")},
		func(ctx context.Context, in *keysPath) (*keyOut, error) {
			key, err := s.cfg.App.RevokeAPIKey(ctx, in.OrgID, in.KeyID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &keyOut{Body: key}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "auditLog", Method: http.MethodGet, Path: "/api/v1/orgs/{orgId}/audit", Summary: "Security events of an organization", Description: "Admins and owners only. Append-only.", Tags: ktags, Metadata: access(PolicyOrgSecurity, "")},
		func(ctx context.Context, in *auditIn) (*auditOut, error) {
			items, err := s.cfg.App.AuditLog(ctx, in.OrgID, in.Before, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := &auditOut{}
			out.Body.Items = items
			return out, nil
		})

	s.handle("GET /.well-known/jwks.json", PolicyPublic, func(w http.ResponseWriter, r *http.Request) {
		if err := s.signInConfigured(); err != nil {
			writeProblem(w, problemFor(err))
			return
		}
		b, err := s.cfg.Auth.Tokens.JWKS(r.Context())
		if err != nil {
			writeProblem(w, s.fail(r.Context(), err))
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		_, _ = w.Write(b)
	})
	s.handle("POST /oauth/token", PolicyAuth, s.oauthToken)
	s.handle("GET /auth/oidc/{provider}/start", PolicyAuth, s.oidcStart)
	s.handle("GET /auth/oidc/{provider}/callback", PolicyAuth, s.oidcCallback)
}

// oauthToken is the OAuth2 token endpoint (RFC 6749 §4.4, client
// credentials); its errors use RFC 6749's format, which OAuth2 clients expect.
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	if err := s.signInConfigured(); err != nil {
		writeProblem(w, problemFor(err))
		return
	}
	oauthErr := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="meridian"`)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	t, err := s.cfg.Auth.ClientCredentials(r.Context(), id, secret, r.PostForm.Get("scope"))
	switch meridian.ErrorCode(err) {
	case "":
	case meridian.EUnauthorized:
		oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	case meridian.EInvalid:
		oauthErr(http.StatusBadRequest, "invalid_scope", meridian.ErrorMessage(err))
		return
	default:
		s.fail(r.Context(), err)
		oauthErr(http.StatusInternalServerError, "server_error", "try again later")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(t)
}

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if err := s.signInConfigured(); err != nil {
		writeProblem(w, problemFor(err))
		return
	}
	if s.cfg.Auth.OIDC == nil {
		writeProblem(w, newProblem(http.StatusNotFound, meridian.ENotFound, "no sign-in providers are configured"))
		return
	}
	returnTo := r.URL.Query().Get("return_to")
	if returnTo == "" {
		returnTo = "/"
	}
	u, err := s.cfg.Auth.OIDC.Start(r.Context(), r.PathValue("provider"), returnTo)
	if err != nil {
		writeProblem(w, s.fail(r.Context(), err))
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if err := s.signInConfigured(); err != nil {
		writeProblem(w, problemFor(err))
		return
	}
	ctx := r.Context()
	if s.cfg.Auth.OIDC == nil {
		writeProblem(w, newProblem(http.StatusNotFound, meridian.ENotFound, "no sign-in providers are configured"))
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		writeProblem(w, newProblem(http.StatusUnauthorized, meridian.EUnauthorized, "the provider did not sign you in"))
		return
	}
	id, returnTo, err := s.cfg.Auth.OIDC.Callback(ctx, r.PathValue("provider"), q.Get("state"), q.Get("code"))
	if err != nil {
		writeProblem(w, s.fail(ctx, err))
		return
	}
	t, err := s.cfg.Auth.SignInExternal(ctx, id, clientIP(r))
	if err != nil {
		writeProblem(w, s.fail(ctx, err))
		return
	}
	for _, c := range auth.SessionCookies(auth.CookiesSecure(r), t) {
		http.SetCookie(w, c)
	}
	if !strings.HasPrefix(returnTo, "/") || strings.HasPrefix(returnTo, "//") {
		returnTo = "/"
	}
	http.Redirect(w, r, returnTo, http.StatusFound)
}

// signInConfigured reports whether this server runs sign-in (tools and
// tests may build it without); the routes exist either way, so that the
// OpenAPI document is the same.
func (s *Server) signInConfigured() error {
	if s.cfg.Auth == nil {
		return meridian.Errorf(meridian.ENotFound, "sign-in is not configured on this server")
	}
	return nil
}
