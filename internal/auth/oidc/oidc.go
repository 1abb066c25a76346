package oidc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Identity is a user as asserted by an external identity provider. The
// pair (Issuer, Subject) is the stable key of the account at the provider;
// Email may change and is only trustworthy when EmailVerified is true.
type Identity struct {
	// Provider is the ProviderConfig.Name the sign-in went through.
	Provider string
	// Issuer is the verified iss of the ID token (KindOIDC) or
	// ProviderConfig.Issuer (KindOAuth2).
	Issuer string
	// Subject is the provider's stable user id (sub, or UserIDField).
	Subject string
	// Email is the user's e-mail address, if the provider shared one.
	Email string
	// EmailVerified is the provider's email_verified claim. It is always
	// false for KindOAuth2 providers, which have no standard way to say so.
	EmailVerified bool
	// Name is the display name, if the provider shared one.
	Name string
}

// Service runs sign-ins with external identity providers. It is safe for
// concurrent use; its only state between Start and Callback is in the
// oidc_states table, so any node of a cluster can finish a sign-in that
// another node started.
type Service struct {
	db        *store.DB
	providers map[string]*provider
	opts      options
}

// provider is one configured provider and, for KindOIDC, its lazily
// discovered metadata.
type provider struct {
	cfg ProviderConfig

	mu       sync.Mutex
	ready    bool
	oauth    oauth2.Config
	oidc     *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	lastTry  time.Time
	lastErr  error
}

// New validates the providers and returns a Service storing its sign-in
// states in db.
//
// New does no network I/O: OpenID Connect discovery (and the key set
// fetch) happens on the first Start or Callback for a provider, and its
// result is cached for the life of the Service. When discovery fails, Start
// returns meridian.EUnavailable and the next attempt is made no sooner than
// WithDiscoveryRetry later. So a provider that is down when Meridian starts
// neither stops Meridian nor the other providers, and is picked up as soon
// as it answers.
//
// Errors: meridian.EInvalid for an invalid or duplicate ProviderConfig.
func New(ctx context.Context, db *store.DB, providers []ProviderConfig, opts ...Option) (*Service, error) {
	_ = ctx // reserved: New does no I/O (see above)
	if db == nil {
		return nil, meridian.Errorf(meridian.EInvalid, "oidc: a database is required")
	}
	o := options{
		now:            time.Now,
		stateTTL:       DefaultStateTTL,
		discoveryRetry: DefaultDiscoveryRetry,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.stateTTL <= 0 {
		return nil, meridian.Errorf(meridian.EInvalid, "oidc: the state lifetime must be positive")
	}
	s := &Service{db: db, providers: map[string]*provider{}, opts: o}
	for _, c := range providers {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if _, dup := s.providers[c.Name]; dup {
			return nil, &meridian.Error{Code: meridian.EInvalid, Message: fmt.Sprintf("identity provider %q is configured twice", c.Name),
				Fields: map[string]string{"name": "duplicate"}}
		}
		c = c.withDefaults()
		p := &provider{cfg: c, oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL, Scopes: c.Scopes}}
		if c.Kind == KindOAuth2 {
			p.oauth.Endpoint = oauth2.Endpoint{AuthURL: c.AuthURL, TokenURL: c.TokenURL}
			p.ready = true
		}
		s.providers[c.Name] = p
	}
	return s, nil
}

// Providers returns the names of the configured providers, sorted.
func (s *Service) Providers() []string {
	names := make([]string, 0, len(s.providers))
	for n := range s.providers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// clientContext carries the Service's HTTP client to go-oidc and oauth2.
func (s *Service) clientContext(ctx context.Context) context.Context {
	return gooidc.ClientContext(ctx, s.opts.client)
}

// discover makes sure p's endpoints are known (see New).
func (s *Service) discover(ctx context.Context, p *provider) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready {
		return nil
	}
	if p.lastErr != nil && time.Since(p.lastTry) < s.opts.discoveryRetry {
		return p.lastErr
	}
	p.lastTry = time.Now()
	// Discovery is shared by every caller: the caller's cancellation must
	// not make it fail for everyone until the next retry.
	dctx, cancel := context.WithTimeout(s.clientContext(context.WithoutCancel(ctx)), DefaultHTTPTimeout)
	defer cancel()
	gp, err := gooidc.NewProvider(dctx, p.cfg.Issuer)
	if err != nil {
		p.lastErr = fmt.Errorf("discover %s: %w", p.cfg.Issuer, err)
		return p.lastErr
	}
	p.oidc = gp
	p.oauth.Endpoint = gp.Endpoint()
	p.oauth.Endpoint.AuthStyle = authStyle(gp, p.cfg.ClientSecret)
	p.verifier = gp.VerifierContext(s.clientContext(context.Background()), &gooidc.Config{ClientID: p.cfg.ClientID, Now: s.opts.now})
	p.ready, p.lastErr = true, nil
	return nil
}

// authStyle picks how the client authenticates at the token endpoint from
// the discovery document, so that a refused exchange is not retried with
// the other style (as oauth2's auto-detection does).
func authStyle(gp *gooidc.Provider, secret string) oauth2.AuthStyle {
	if secret == "" {
		return oauth2.AuthStyleInParams // a public client sends its client_id in the body
	}
	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	_ = gp.Claims(&meta)
	switch {
	case len(meta.Methods) == 0 || slices.Contains(meta.Methods, "client_secret_basic"): // the default (OpenID Connect Discovery §3)
		return oauth2.AuthStyleInHeader
	case slices.Contains(meta.Methods, "client_secret_post"):
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleAutoDetect
}

// Start begins a sign-in with the named provider and returns the URL to
// send the user's browser to. It stores a fresh state (256 random bits,
// also the key of the stored row, hashed), a nonce (KindOIDC) and a PKCE
// verifier (the URL carries its S256 challenge) in oidc_states for
// WithStateTTL (default 10 minutes). returnTo is where to send the user
// after Callback: a path on this site ("/jobs?q=go"); "" means "/".
//
// Errors: meridian.EInvalid for an unknown provider or a returnTo that is
// not a local path (absolute and scheme-relative URLs are refused: open
// redirect); meridian.EUnavailable when the provider's discovery document
// cannot be fetched.
func (s *Service) Start(ctx context.Context, providerName, returnTo string) (authURL string, err error) {
	p, ok := s.providers[providerName]
	if !ok {
		return "", &meridian.Error{Code: meridian.EInvalid, Message: "Unknown identity provider.", Fields: map[string]string{"provider": "unknown"}}
	}
	returnTo, err = CheckReturnTo(returnTo)
	if err != nil {
		return "", err
	}
	if err := s.discover(ctx, p); err != nil {
		s.opts.logger.WarnContext(ctx, "oidc provider unavailable", "provider", providerName, "err", err)
		return "", &causeError{m: meridian.Errorf(meridian.EUnavailable, "The identity provider cannot be reached; please try again later."), cause: err}
	}
	state, nonce, verifier := randomToken(), "", oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if p.cfg.Kind == KindOIDC {
		nonce = randomToken()
		opts = append(opts, gooidc.Nonce(nonce))
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO oidc_states (state, provider, nonce, verifier, return_to, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		stateKey(state), providerName, nonce, verifier, returnTo, meridian.FormatTime(s.opts.now().Add(s.opts.stateTTL))); err != nil {
		return "", fmt.Errorf("store oidc state: %w", err)
	}
	return p.oauth.AuthCodeURL(state, opts...), nil
}

// Reasons for rejecting a callback. They are logged and wrapped in the
// returned error (errors.Is works), but never shown to users.
var (
	errNoState         = errors.New("no state")
	errUnknownState    = errors.New("unknown or already used state")
	errStateProvider   = errors.New("state belongs to another provider")
	errStateExpired    = errors.New("state expired")
	errUnknownProvider = errors.New("unknown provider")
	errNoCode          = errors.New("no authorization code")
	errReturnTo        = errors.New("stored return path is not local")
	errDiscovery       = errors.New("provider discovery failed")
	errExchange        = errors.New("code exchange failed")
	errNoIDToken       = errors.New("token response without id_token")
	errIDToken         = errors.New("invalid ID token")
	errNonceMismatch   = errors.New("nonce mismatch")
	errAuthorizedParty = errors.New("ID token issued to another party")
	errAccessTokenHash = errors.New("access token does not match at_hash")
	errUserInfo        = errors.New("user info request failed")
	errUserInfoSubject = errors.New("user info subject differs from the ID token")
	errNoSubject       = errors.New("no subject")
)

// signInFailed is the message of every rejected callback.
const signInFailed = "Sign-in failed. Please try again."

// causeError is a *meridian.Error (what users see) together with its
// cause (what is logged).
type causeError struct {
	m     *meridian.Error
	cause error
}

func (e *causeError) Error() string   { return e.m.Code + ": " + e.cause.Error() }
func (e *causeError) Unwrap() []error { return []error{e.m, e.cause} }

type stateRow struct {
	provider, nonce, verifier, returnTo, expiresAt string
}

// Callback finishes a sign-in: providerName, state and code are what came
// back to the provider's RedirectURL. The state must have been issued by
// Start for the same provider and not have expired; it is deleted by the
// first Callback that presents it, whatever the outcome. The code is
// exchanged with the stored PKCE verifier. For KindOIDC the ID token is
// verified (signature against the provider's JWKS, iss, aud, azp, exp,
// at_hash when present) and its nonce must equal the stored one; e-mail and
// name missing from it are read from the user-info endpoint (whose sub must
// match). For KindOAuth2 the identity is read from UserInfoURL with the
// access token. returnTo is the local path given to Start.
//
// Errors: every rejection is a meridian.EUnauthorized error with the same
// generic message (the reason is logged and wrapped for errors.Is, never
// shown); a database failure is returned as is (meridian.EInternal).
func (s *Service) Callback(ctx context.Context, providerName, state, code string) (id Identity, returnTo string, err error) {
	reject := func(reason, cause error) error {
		if cause == nil {
			cause = reason
		} else {
			cause = fmt.Errorf("%w: %w", reason, cause)
		}
		s.opts.logger.WarnContext(ctx, "oidc sign-in rejected", "provider", providerName, "err", cause)
		return &causeError{m: meridian.Errorf(meridian.EUnauthorized, signInFailed), cause: cause}
	}
	if state == "" {
		return Identity{}, "", reject(errNoState, nil)
	}
	row, err := s.consumeState(ctx, state)
	if errors.Is(err, sql.ErrNoRows) {
		return Identity{}, "", reject(errUnknownState, nil)
	}
	if err != nil {
		return Identity{}, "", fmt.Errorf("consume oidc state: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(row.provider), []byte(providerName)) != 1 {
		return Identity{}, "", reject(errStateProvider, nil)
	}
	expires, err := meridian.ParseTime(row.expiresAt)
	if err != nil || !s.opts.now().Before(expires) {
		return Identity{}, "", reject(errStateExpired, err)
	}
	p, ok := s.providers[providerName]
	if !ok {
		return Identity{}, "", reject(errUnknownProvider, nil)
	}
	if code == "" {
		return Identity{}, "", reject(errNoCode, nil)
	}
	if returnTo, err = CheckReturnTo(row.returnTo); err != nil {
		return Identity{}, "", reject(errReturnTo, err)
	}
	if err := s.discover(ctx, p); err != nil {
		return Identity{}, "", reject(errDiscovery, err)
	}
	cctx := s.clientContext(ctx)
	tok, err := p.oauth.Exchange(cctx, code, oauth2.VerifierOption(row.verifier))
	if err != nil {
		return Identity{}, "", reject(errExchange, err)
	}
	if p.cfg.Kind == KindOIDC {
		id, err = s.oidcIdentity(cctx, p, tok, row.nonce)
	} else {
		id, err = s.oauth2Identity(cctx, p, tok)
	}
	if err != nil {
		return Identity{}, "", reject(err, nil)
	}
	return id, returnTo, nil
}

// consumeState deletes and returns the row of state (sql.ErrNoRows when
// there is none) in one statement, so that two concurrent callbacks with
// the same state cannot both get it.
func (s *Service) consumeState(ctx context.Context, state string) (stateRow, error) {
	var r stateRow
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `DELETE FROM oidc_states WHERE state = ? RETURNING provider, nonce, verifier, return_to, expires_at`, stateKey(state)).
			Scan(&r.provider, &r.nonce, &r.verifier, &r.returnTo, &r.expiresAt)
	})
	return r, err
}

// claims are the standard claims read from ID tokens and user info.
type claims struct {
	Subject       string `json:"sub"`
	AuthorizedBy  string `json:"azp"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // a boolean, or "true" from some providers
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
}

func (c claims) displayName() string {
	if c.Name != "" {
		return c.Name
	}
	return strings.TrimSpace(c.GivenName + " " + c.FamilyName)
}

func (c claims) emailVerified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

func (s *Service) oidcIdentity(ctx context.Context, p *provider, tok *oauth2.Token, nonce string) (Identity, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, errNoIDToken
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", errIDToken, err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, errNonceMismatch
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return Identity{}, fmt.Errorf("%w: %w", errIDToken, err)
	}
	// OpenID Connect Core §3.1.3.7: with several audiences, azp must be us;
	// when present, it must be us anyway.
	if (len(idt.Audience) > 1 || c.AuthorizedBy != "") && c.AuthorizedBy != p.cfg.ClientID {
		return Identity{}, errAuthorizedParty
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Identity{}, fmt.Errorf("%w: %w", errAccessTokenHash, err)
		}
	}
	if idt.Subject == "" {
		return Identity{}, errNoSubject
	}
	id := Identity{Provider: p.cfg.Name, Issuer: idt.Issuer, Subject: idt.Subject,
		Email: c.Email, EmailVerified: c.Email != "" && c.emailVerified(), Name: c.displayName()}
	// Providers may keep profile claims out of the ID token when an access
	// token is issued (OpenID Connect Core §5.4): ask the user-info endpoint.
	if (id.Email == "" || id.Name == "") && p.oidc.UserInfoEndpoint() != "" && tok.AccessToken != "" {
		ui, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("%w: %w", errUserInfo, err)
		}
		var uc claims
		if err := ui.Claims(&uc); err != nil {
			return Identity{}, fmt.Errorf("%w: %w", errUserInfo, err)
		}
		// §5.3.2: the sub of the user-info response MUST match the ID token.
		if subtle.ConstantTimeCompare([]byte(uc.Subject), []byte(idt.Subject)) != 1 {
			return Identity{}, errUserInfoSubject
		}
		if id.Email == "" {
			id.Email, id.EmailVerified = uc.Email, uc.Email != "" && uc.emailVerified()
		}
		if id.Name == "" {
			id.Name = uc.displayName()
		}
	}
	return id, nil
}

// maxUserInfo bounds the user-info response read from a KindOAuth2 provider.
const maxUserInfo = 1 << 20

func (s *Service) oauth2Identity(ctx context.Context, p *provider, tok *oauth2.Token) (Identity, error) {
	if tok.AccessToken == "" {
		return Identity{}, fmt.Errorf("%w: no access token", errUserInfo)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.UserInfoURL, nil)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", errUserInfo, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Meridian") // GitHub's API refuses requests without one
	resp, err := s.opts.client.Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", errUserInfo, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserInfo+1))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", errUserInfo, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Identity{}, fmt.Errorf("%w: status %s", errUserInfo, resp.Status)
	}
	if len(body) > maxUserInfo {
		return Identity{}, fmt.Errorf("%w: response too large", errUserInfo)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return Identity{}, fmt.Errorf("%w: %w", errUserInfo, err)
	}
	sub := field(m, p.cfg.UserIDField)
	if sub == "" {
		return Identity{}, errNoSubject
	}
	return Identity{Provider: p.cfg.Name, Issuer: p.cfg.Issuer, Subject: sub,
		Email: field(m, p.cfg.EmailField), Name: field(m, p.cfg.NameField)}, nil
}

// field returns a string or integer field of a user-info object ("" for
// anything else: missing, null, fractional, boolean, object).
func field(m map[string]any, name string) string {
	switch v := m[name].(type) {
	case string:
		return v
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return v.String()
		}
	}
	return ""
}

// Purge deletes the sign-in states that expired at or before now, and
// returns how many it deleted.
func (s *Service) Purge(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM oidc_states WHERE expires_at <= ?`, meridian.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("purge oidc states: %w", err)
	}
	return res.RowsAffected()
}

// PurgeInterval is how often Run purges expired states.
const PurgeInterval = 5 * time.Minute

// Run purges expired states every PurgeInterval until ctx ends; it
// returns nil then. Failures are logged and retried at the next tick.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(PurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.Purge(ctx, s.opts.now()); err != nil && ctx.Err() == nil {
				s.opts.logger.ErrorContext(ctx, "purge oidc states", "err", err)
			}
		}
	}
}

// randomToken returns 256 random bits, base64url-encoded (43 characters).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// stateKey is the stored form of a state: its SHA-256, so that a copy of
// the database does not hold states that could be presented to Callback.
func stateKey(state string) string {
	h := sha256.Sum256([]byte(state))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// maxReturnTo bounds the length of a return path.
const maxReturnTo = 2048

// CheckReturnTo validates a post-sign-in return path and returns it ("/"
// for ""). Only a path on this site is accepted: it must start with a
// single "/" and have no scheme, host, backslash or control character, so
// that "https://evil.example", "//evil.example", "/\evil.example" and
// "/%2F%2Fevil.example" are all refused (open redirect).
//
// Errors: meridian.EInvalid, with Fields["return_to"].
func CheckReturnTo(returnTo string) (string, error) {
	if returnTo == "" {
		return "/", nil
	}
	bad := func(why string) error {
		return &meridian.Error{Code: meridian.EInvalid, Message: "The return path must be a path on this site.", Fields: map[string]string{"return_to": why}}
	}
	if len(returnTo) > maxReturnTo {
		return "", bad("too long")
	}
	if returnTo[0] != '/' {
		return "", bad("must start with /")
	}
	for _, r := range returnTo {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "", bad("must not contain backslashes or control characters")
		}
	}
	if strings.HasPrefix(returnTo, "//") {
		return "", bad("must not start with //")
	}
	u, err := url.Parse(returnTo)
	if err != nil {
		return "", bad("not a valid path")
	}
	if u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", bad("must be a path on this site")
	}
	// Refuse what becomes "//host" or "/\host" once decoded, in case a
	// proxy or router decodes the path before redirecting.
	if strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\") || strings.ContainsFunc(u.Path, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", bad("must not start with // once decoded")
	}
	return returnTo, nil
}
