// Package auth is Meridian's identity: people (users with e-mail and
// password or an external OpenID Connect identity), machines (per-
// organization API keys and OAuth2 clients), the sign-in flows that turn
// them into tokens, the authenticator that turns a request's credentials
// into a meridian.Principal, and the append-only audit log of security
// events.
//
// Sub-packages do one job each: token (JWT access tokens, JWKS, rotating
// refresh tokens), password (argon2id, policy, sign-in throttling) and
// oidc (authorization code flow with PKCE). Authorization decisions are not
// made here: the application layer makes them from the principal.
//
// Errors: EUnauthorized for every failed sign-in or credential (one generic
// message), EInvalid for unacceptable input, EConflict for an e-mail that
// is already registered, ERateLimited while sign-in is throttled.
package auth
