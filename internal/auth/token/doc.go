// Package token issues and verifies Meridian's bearer credentials: short-lived
// JWT access tokens signed with Ed25519 keys that Meridian keeps in its own
// database, and opaque, rotating refresh tokens.
//
// # Access tokens
//
// An access token is a JWS in compact serialization with the protected header
// {"alg":"EdDSA","kid":...,"typ":"at+jwt"} (RFC 9068) and the claims iss,
// aud, sub, exp, nbf, iat, jti, token_use ("access"), kind ("user" or
// "service"), org (services), scope (space-separated) and adm (platform
// admin). Verification follows RFC 8725: the only algorithm accepted is
// EdDSA; the key is chosen by kid from Meridian's signing_keys table only
// (headers that point elsewhere, such as jku, jwk, x5u and x5c, are
// rejected, as is any header member Meridian does not write); typ, iss, aud,
// exp, nbf and iat are checked with at most 30 s of clock skew; and the jti
// must not be in revoked_tokens. Every rejection is the same
// *meridian.Error{Code: meridian.EUnauthorized} with the message "invalid or
// expired token", so a caller never learns which check failed; the reason is
// logged at debug level when a Logger is configured.
//
// # Signing keys
//
// Private keys are sealed under the master key (store.Keyring.SealSecret)
// and the kid is the key's RFC 7638 JWK thumbprint. Exactly one key signs;
// RotateSigningKey makes a new key the signer and retires the others, which
// keep verifying, and stay in the JWK Set, for AccessTTL plus the key cache
// refresh interval plus the clock skew allowance after their retirement: a
// node that has not yet seen a rotation may sign with the old key for up to
// that refresh interval, and those tokens must live out their AccessTTL.
// Each Service caches the keys and reloads them every 30 s, and at most once
// a second when a token names a kid it does not know, so a rotation on one
// node reaches every node.
//
// # Refresh tokens
//
// A refresh token is "mrt_" followed by 256 random bits in base64url; only
// its SHA-256 is stored. Each use rotates it: the presented token is marked
// used and a new one of the same family is returned. Presenting a used token
// again is treated as theft (RFC 9700 §4.14.2): the whole family is revoked
// and Service.OnReuse is called for the audit log. The row is locked for the
// rotation (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write transaction
// is exclusive), so two concurrent refreshes with one token cannot both
// succeed. The lifetime is sliding: each rotated token lives RefreshTTL.
package token
