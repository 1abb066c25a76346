package token

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Claim and header values Meridian writes and requires.
const (
	typAccess = "at+jwt" // RFC 9068 §2.1
	useAccess = "access"

	claimTokenUse = "token_use"
	claimKind     = "kind"
	claimOrg      = "org"
	claimScope    = "scope"
	claimAdmin    = "adm"
)

const (
	// maxTokenLen bounds the input VerifyAccess looks at; Meridian's access
	// tokens are well under 2 KiB even with many scopes.
	maxTokenLen = 8 << 10
	// maxHeaderLen bounds the encoded protected header.
	maxHeaderLen = 512
	maxJTILen    = 128
)

// kidRE is the shape of a kid Meridian writes (a base64url SHA-256
// thumbprint); anything else cannot name one of our keys.
var kidRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// IssueAccess signs an access token for p that expires AccessTTL from now
// (whole seconds). p must be a user or service principal with an ID, a
// service must have an OrgID, and scopes must be non-empty and free of
// white space; otherwise the error has code meridian.EInvalid. Failures of
// the database or the random source are internal errors (meridian.EInternal).
func (s *Service) IssueAccess(ctx context.Context, p meridian.Principal) (token string, expires time.Time, err error) {
	if err := checkPrincipal(p); err != nil {
		return "", time.Time{}, err
	}
	k, err := s.signer(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.sign(k, p, s.now())
}

func checkPrincipal(p meridian.Principal) error {
	switch {
	case p.Kind != meridian.PrincipalUser && p.Kind != meridian.PrincipalService:
		return meridian.Errorf(meridian.EInvalid, "access tokens are issued to users and services, not %q principals", p.Kind)
	case p.ID == "":
		return meridian.Errorf(meridian.EInvalid, "the principal has no id")
	case p.Kind == meridian.PrincipalService && p.OrgID == "":
		return meridian.Errorf(meridian.EInvalid, "a service principal must belong to an organization")
	}
	for _, sc := range p.Scopes {
		if sc == "" || strings.ContainsFunc(sc, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return meridian.Errorf(meridian.EInvalid, "scope %q is empty or contains white space", sc)
		}
	}
	return nil
}

// sign builds and signs the token of p issued at now with k.
func (s *Service) sign(k *signingKey, p meridian.Principal, now time.Time) (string, time.Time, error) {
	now = now.Truncate(time.Second)
	exp := now.Add(s.cfg.AccessTTL)
	jti, err := randomString(16)
	if err != nil {
		return "", time.Time{}, err
	}
	b := jwt.NewBuilder().
		Issuer(s.cfg.Issuer).
		Audience([]string{s.cfg.Audience}).
		Subject(p.ID).
		IssuedAt(now).
		NotBefore(now).
		Expiration(exp).
		JwtID(jti).
		Claim(claimTokenUse, useAccess).
		Claim(claimKind, string(p.Kind)).
		Claim(claimAdmin, p.PlatformAdmin)
	if p.OrgID != "" {
		b = b.Claim(claimOrg, p.OrgID)
	}
	if len(p.Scopes) > 0 {
		b = b.Claim(claimScope, strings.Join(p.Scopes, " "))
	}
	t, err := b.Build()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("build access token: %w", err)
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, typAccess); err != nil {
		return "", time.Time{}, fmt.Errorf("set typ: %w", err)
	}
	if err := hdr.Set(jws.KeyIDKey, k.kid); err != nil {
		return "", time.Time{}, fmt.Errorf("set kid: %w", err)
	}
	signed, err := jwt.Sign(t, jwt.WithKey(jwa.EdDSA(), k.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return string(signed), exp, nil
}

// VerifyAccess checks an access token made by IssueAccess and returns its
// principal, with TokenID set to the token's jti. A token that is malformed,
// forged, signed with an unknown or expired key, not an access token, for
// another issuer or audience, expired, not yet valid or revoked gets an
// error with code meridian.EUnauthorized and the message "invalid or
// expired token", whatever the reason. When the key table or the revocation
// list cannot be read the error is internal (meridian.EInternal); no token
// is ever accepted then.
func (s *Service) VerifyAccess(ctx context.Context, token string) (meridian.Principal, error) {
	const what = "access token"
	hdrB64, payloadB64, sigB64, ok := splitCompact(token)
	if !ok {
		return meridian.Principal{}, s.reject(ctx, what, "not a compact JWS", nil)
	}
	if len(hdrB64) > maxHeaderLen {
		return meridian.Principal{}, s.reject(ctx, what, "header too long", nil)
	}
	hdrJSON, err := decodePart(hdrB64)
	if err != nil {
		return meridian.Principal{}, s.reject(ctx, what, "header encoding", err)
	}
	if _, err := decodePart(payloadB64); err != nil {
		return meridian.Principal{}, s.reject(ctx, what, "payload encoding", err)
	}
	if sig, err := decodePart(sigB64); err != nil || len(sig) != ed25519.SignatureSize {
		return meridian.Principal{}, s.reject(ctx, what, "signature encoding", err)
	}
	h, err := parseHeader(hdrJSON)
	if err != nil {
		return meridian.Principal{}, s.reject(ctx, what, "header", err)
	}
	if h.alg != algEdDSA {
		return meridian.Principal{}, s.reject(ctx, what, "algorithm "+h.alg, nil)
	}
	if !strings.EqualFold(h.typ, typAccess) && !strings.EqualFold(h.typ, "application/"+typAccess) {
		return meridian.Principal{}, s.reject(ctx, what, "typ "+h.typ, nil)
	}
	if !kidRE.MatchString(h.kid) {
		return meridian.Principal{}, s.reject(ctx, what, "malformed kid", nil)
	}
	k, err := s.verifyKey(ctx, h.kid)
	if err != nil {
		return meridian.Principal{}, err
	}
	if k == nil {
		return meridian.Principal{}, s.reject(ctx, what, "unknown or expired kid "+h.kid, nil)
	}

	now := s.now()
	t, err := jwt.Parse([]byte(token),
		jwt.WithKey(jwa.EdDSA(), k.pub),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })),
		jwt.WithAcceptableSkew(maxSkew),
		jwt.WithIssuer(s.cfg.Issuer),
		jwt.WithAudience(s.cfg.Audience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.NotBeforeKey),
		jwt.WithRequiredClaim(jwt.IssuedAtKey),
		jwt.WithRequiredClaim(jwt.JwtIDKey),
		jwt.WithRequiredClaim(jwt.SubjectKey),
	)
	if err != nil {
		return meridian.Principal{}, s.reject(ctx, what, "signature or claims", err)
	}
	p, reason := principalOf(t, now)
	if reason != "" {
		return meridian.Principal{}, s.reject(ctx, what, reason, nil)
	}
	revoked, err := s.isRevoked(ctx, p.TokenID)
	if err != nil {
		return meridian.Principal{}, err
	}
	if revoked {
		return meridian.Principal{}, s.reject(ctx, what, "revoked", nil)
	}
	return p, nil
}

// principalOf reads the principal from verified claims; reason is non-empty
// when the claims are not those of a Meridian access token.
func principalOf(t jwt.Token, now time.Time) (p meridian.Principal, reason string) {
	// Belt and braces: the library validated these, but an access token
	// without them must never pass, whatever its defaults become.
	iat, _ := t.IssuedAt()
	exp, _ := t.Expiration()
	if iat.After(now.Add(maxSkew)) {
		return p, "issued in the future"
	}
	if !now.Before(exp.Add(maxSkew)) {
		return p, "expired"
	}
	var use, kind, sub, jti string
	if err := t.Get(claimTokenUse, &use); err != nil || use != useAccess {
		return p, "token_use is not access"
	}
	sub, _ = t.Subject()
	jti, _ = t.JwtID()
	if sub == "" || jti == "" || len(jti) > maxJTILen {
		return p, "sub or jti"
	}
	if err := t.Get(claimKind, &kind); err != nil {
		return p, "kind"
	}
	p = meridian.Principal{Kind: meridian.PrincipalKind(kind), ID: sub, TokenID: jti, Expires: exp}
	if p.Kind != meridian.PrincipalUser && p.Kind != meridian.PrincipalService {
		return meridian.Principal{}, "kind " + kind
	}
	if t.Has(claimOrg) {
		if err := t.Get(claimOrg, &p.OrgID); err != nil {
			return meridian.Principal{}, "org"
		}
	}
	if p.Kind == meridian.PrincipalService && p.OrgID == "" {
		return meridian.Principal{}, "service without org"
	}
	if t.Has(claimScope) {
		var scope string
		if err := t.Get(claimScope, &scope); err != nil {
			return meridian.Principal{}, "scope"
		}
		p.Scopes = strings.Fields(scope)
	}
	if t.Has(claimAdmin) {
		if err := t.Get(claimAdmin, &p.PlatformAdmin); err != nil {
			return meridian.Principal{}, "adm"
		}
	}
	return p, ""
}

func (s *Service) isRevoked(ctx context.Context, jti string) (bool, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM revoked_tokens WHERE jti = ?`, jti).Scan(&n); err != nil {
		return false, fmt.Errorf("check revoked tokens: %w", err)
	}
	return n > 0, nil
}

// splitCompact splits a JWS compact serialization into its three non-empty
// base64url parts; anything else (JSON serialization, white space, padding,
// a missing or extra part, overlong input) is refused.
func splitCompact(token string) (hdr, payload, sig string, ok bool) {
	if len(token) == 0 || len(token) > maxTokenLen {
		return "", "", "", false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", "", false
	}
	for _, part := range parts {
		if part == "" {
			return "", "", "", false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return "", "", "", false
			}
		}
	}
	return parts[0], parts[1], parts[2], true
}

// decodePart decodes base64url without padding, refusing non-canonical
// encodings (non-zero trailing bits), so that one token has one spelling.
func decodePart(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// header is the protected header of a Meridian access token.
type header struct{ alg, typ, kid string }

// parseHeader reads a protected header that may hold only the string members
// alg, typ and kid, each at most once. Every other member is refused: jku,
// jwk, x5u and x5c would point the verifier at attacker-chosen keys, crit
// and b64 change how the signature is computed, and Meridian writes none.
func parseHeader(b []byte) (header, error) {
	var h header
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return h, errors.New("header is not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return h, err
		}
		name, _ := t.(string)
		if seen[name] {
			return h, fmt.Errorf("duplicate header member %q", name)
		}
		seen[name] = true
		v, err := dec.Token()
		if err != nil {
			return h, err
		}
		str, isStr := v.(string)
		if !isStr {
			return h, fmt.Errorf("header member %q is not a string", name)
		}
		switch name {
		case "alg":
			h.alg = str
		case "typ":
			h.typ = str
		case "kid":
			h.kid = str
		default:
			return h, fmt.Errorf("header member %q is not allowed", name)
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return h, errors.New("header is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return h, errors.New("data after the header object")
	}
	return h, nil
}

// randomString returns n random bytes in base64url.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
