package meridian

import (
	"context"
	"time"
)

// PrincipalKind says who is acting.
type PrincipalKind string

// Principal kinds.
const (
	PrincipalAnonymous PrincipalKind = "anonymous"
	PrincipalUser      PrincipalKind = "user"
	PrincipalService   PrincipalKind = "service" // API keys and OAuth2 clients (identity issue)
	PrincipalSystem    PrincipalKind = "system"  // Meridian itself: demo loader, expiry scheduler, CLI
)

// Principal is the authenticated actor of a command or query. It travels in
// the context so that every surface hands the application layer the same thing.
type Principal struct {
	Kind PrincipalKind
	// ID is the user, service or system identity ("system:demo").
	ID string
	// PlatformAdmin is true for operators allowed to act on any tenant.
	PlatformAdmin bool
	// OrgID binds a service principal (API key, OAuth2 client) to the one
	// organization that issued it.
	OrgID string
	// Scopes limit what a service principal may do ("jobs:read",
	// "jobs:write", ...). Users have no scopes: their roles decide.
	Scopes []string
	// TokenID is the id of the credential used (JWT jti, API key id), for
	// audit and revocation.
	TokenID string
	// Expires is when the credential stops being valid (zero: it does not
	// expire, e.g. an API key without an expiry). Long-lived connections
	// (live channels) end then.
	Expires time.Time
}

// HasScope reports whether a service principal was granted scope.
func (p Principal) HasScope(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Anonymous is the principal of unauthenticated requests.
var Anonymous = Principal{Kind: PrincipalAnonymous, ID: "anonymous"}

// System returns a system principal for internal actors such as the demo loader.
func System(name string) Principal {
	return Principal{Kind: PrincipalSystem, ID: "system:" + name, PlatformAdmin: true}
}

// Authenticated reports whether p is anything but anonymous.
func (p Principal) Authenticated() bool { return p.Kind != "" && p.Kind != PrincipalAnonymous }

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or Anonymous.
func PrincipalFrom(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Anonymous
}

type clientIPKey struct{}

// WithClientIP records the client's address for audit entries.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIPFrom returns the client's address ("" outside requests).
func ClientIPFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientIPKey{}).(string)
	return s
}
