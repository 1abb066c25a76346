package oidc

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Provider kinds.
const (
	// KindOIDC is an OpenID Connect provider: endpoints come from discovery
	// at Issuer, and the identity from its verified ID token.
	KindOIDC = "oidc"
	// KindOAuth2 is a plain OAuth 2.0 provider without ID tokens
	// (GitHub-style): the identity comes from its user-info endpoint.
	KindOAuth2 = "oauth2"
)

// Defaults.
const (
	// DefaultStateTTL is how long a sign-in may take between Start and
	// Callback.
	DefaultStateTTL = 10 * time.Minute
	// DefaultDiscoveryRetry is the shortest time between two discovery
	// attempts for a provider whose discovery failed.
	DefaultDiscoveryRetry = 5 * time.Second
	// DefaultHTTPTimeout bounds every request to a provider.
	DefaultHTTPTimeout = 15 * time.Second
)

// ProviderConfig describes one external identity provider.
type ProviderConfig struct {
	// Name identifies the provider in Meridian (URL paths, Identity.Provider).
	Name string
	// Kind is KindOIDC or KindOAuth2.
	Kind string
	// Issuer is the OpenID issuer identifier (required for KindOIDC, where
	// it must equal the issuer of the discovery document exactly). For
	// KindOAuth2 it only names the identity namespace in Identity.Issuer;
	// when empty, the origin (scheme://host) of AuthURL is used.
	Issuer string
	// ClientID and ClientSecret are the credentials registered with the
	// provider (ClientSecret may be empty for a public client; PKCE is
	// always used).
	ClientID, ClientSecret string
	// Scopes requested. For KindOIDC, "openid" is always added and the
	// default is openid, email, profile.
	Scopes []string
	// RedirectURL is our callback URL registered with the provider. Use a
	// distinct URL per provider (RFC 9700 §4.4.2, mix-up defence).
	RedirectURL string

	// AuthURL, TokenURL and UserInfoURL are the endpoints of a KindOAuth2
	// provider (all required there; ignored for KindOIDC).
	AuthURL, TokenURL, UserInfoURL string
	// UserIDField, EmailField and NameField name the fields of the
	// KindOAuth2 user-info JSON object holding the stable user id
	// (default "id"; numbers are accepted), the e-mail address (default
	// "email") and the display name (default "name").
	UserIDField, EmailField, NameField string
}

// withDefaults returns a copy with defaults applied.
func (c ProviderConfig) withDefaults() ProviderConfig {
	c.Scopes = slices.Clone(c.Scopes)
	switch c.Kind {
	case KindOIDC:
		if len(c.Scopes) == 0 {
			c.Scopes = []string{"openid", "email", "profile"}
		} else if !slices.Contains(c.Scopes, "openid") {
			c.Scopes = append([]string{"openid"}, c.Scopes...)
		}
	case KindOAuth2:
		if c.UserIDField == "" {
			c.UserIDField = "id"
		}
		if c.EmailField == "" {
			c.EmailField = "email"
		}
		if c.NameField == "" {
			c.NameField = "name"
		}
		if c.Issuer == "" {
			if u, err := url.Parse(c.AuthURL); err == nil {
				c.Issuer = u.Scheme + "://" + u.Host
			}
		}
	}
	return c
}

// Validate reports the first problem of the configuration as an
// meridian.EInvalid error. Provider URLs must use https, except on a
// loopback host (localhost, 127.0.0.0/8, ::1), where http is allowed for
// development and tests.
func (c ProviderConfig) Validate() error {
	bad := func(field, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		return &meridian.Error{Code: meridian.EInvalid,
			Message: fmt.Sprintf("identity provider %q: %s", c.Name, msg),
			Fields:  map[string]string{field: msg}}
	}
	if c.Name == "" {
		return bad("name", "a name is required")
	}
	if strings.ContainsAny(c.Name, "/?#% \t\r\n") {
		return bad("name", "the name must not contain spaces or URL delimiters")
	}
	if c.ClientID == "" {
		return bad("client_id", "a client id is required")
	}
	if err := checkURL(c.RedirectURL); err != nil {
		return bad("redirect_url", "redirect URL: %v", err)
	}
	switch c.Kind {
	case KindOIDC:
		if err := checkURL(c.Issuer); err != nil {
			return bad("issuer", "issuer: %v", err)
		}
	case KindOAuth2:
		for _, f := range []struct{ field, v string }{{"auth_url", c.AuthURL}, {"token_url", c.TokenURL}, {"userinfo_url", c.UserInfoURL}} {
			if err := checkURL(f.v); err != nil {
				return bad(f.field, "%s: %v", f.field, err)
			}
		}
	default:
		return bad("kind", "kind must be %q or %q, got %q", KindOIDC, KindOAuth2, c.Kind)
	}
	return nil
}

// checkURL accepts an absolute https URL, or http on a loopback host.
func checkURL(s string) error {
	if s == "" {
		return fmt.Errorf("required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("must be an absolute URL without user information or fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("must use https (http is allowed on loopback hosts only)")
	default:
		return fmt.Errorf("must use https")
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Option configures a Service.
type Option func(*options)

type options struct {
	client         *http.Client
	now            func() time.Time
	logger         *slog.Logger
	stateTTL       time.Duration
	discoveryRetry time.Duration
}

// WithHTTPClient sets the client used for every request to providers
// (default: a client with DefaultHTTPTimeout).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets the logger that records why a sign-in was rejected
// (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithStateTTL sets how long a started sign-in stays valid (default
// DefaultStateTTL).
func WithStateTTL(d time.Duration) Option { return func(o *options) { o.stateTTL = d } }

// WithDiscoveryRetry sets the shortest time between two discovery attempts
// for a provider whose discovery failed (default DefaultDiscoveryRetry; 0
// retries on every call).
func WithDiscoveryRetry(d time.Duration) Option { return func(o *options) { o.discoveryRetry = d } }
