// Package oidc signs users in with external identity providers: OpenID
// Connect providers (Google, Microsoft, Okta, Keycloak, ZITADEL, Dex...)
// and plain OAuth 2.0 providers without ID tokens (GitHub-style).
//
// The flow is the authorization code grant with PKCE, as required by the
// OAuth 2.0 Security Best Current Practice (RFC 9700), OpenID Connect Core
// 1.0 and RFC 7636, and checked by OWASP ASVS 5.0 chapter V10:
//
//  1. Service.Start creates a state (256 random bits), a nonce (OpenID
//     Connect only) and a PKCE code verifier, stores them in the oidc_states
//     table for ten minutes and returns the provider's authorization URL
//     carrying the state, the nonce and the S256 code challenge. The row
//     is keyed by the SHA-256 of the state, so that a copy of the database
//     holds no state that could be presented back; it also records the
//     provider (binding the state to it, a mix-up defence) and the local
//     path to return to (only a path on this site: no open redirect).
//  2. The browser signs in at the provider and comes back to the
//     provider's RedirectURL with state and code.
//  3. Service.Callback deletes the state row in the same statement that
//     reads it (single use, whatever the outcome), checks its provider and
//     expiry, exchanges the code with the PKCE verifier, then for OpenID
//     Connect verifies the ID token (signature against the provider's JWKS,
//     iss, aud, azp, exp, at_hash) and its nonce, and for OAuth 2.0 reads
//     the user-info endpoint with the access token. It returns the
//     Identity and the return path.
//
// Every rejected callback is a meridian.EUnauthorized error with one
// generic message; the reason is logged with the injected slog.Logger and
// wrapped in the error for errors.Is, never shown to users. Mapping an
// Identity to a Meridian user (external_identities) is the caller's job;
// only a verified e-mail (Identity.EmailVerified) may be used to link
// accounts.
//
// OpenID Connect discovery is lazy: New does no network I/O, the first
// Start or Callback for a provider fetches its discovery document, and a
// failure is retried at most every WithDiscoveryRetry (Start then returns
// meridian.EUnavailable). A provider that is down when Meridian starts
// therefore does not stop it.
//
// Service.Purge deletes expired states; Service.Run calls it periodically.
package oidc
