package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/meridianhq/meridian/internal/store"
)

func hs256(secret []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	}
}

// TestForgeryCorpus feeds VerifyAccess tokens an attacker could build
// (RFC 8725 §2, OWASP ASVS 5.0 V9) and expects each to be refused with the
// one generic EUnauthorized error. Two controls built by the same harness
// must pass, so that each forgery fails for its own reason and not because
// the harness is wrong.
func TestForgeryCorpus(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock()
		s := MustService(t, db, clock)
		now := clock.Now()
		ours := activeKey(t, s)
		kid := ours.kid
		sign := edSigner(ours.priv)
		hdr, claims := goodHeader(kid), goodClaims(now)

		// Controls: hand-built tokens that must be accepted.
		for name, tok := range map[string]string{
			"control":           forge(hdr, claims, sign),
			"control aud array": forge(hdr, with(claims, "aud", []string{"other", testAudience}), sign),
		} {
			if _, err := s.VerifyAccess(ctx, tok); err != nil {
				t.Fatalf("%s: the forgery harness is broken: %v", name, err)
			}
		}

		issued, _ := MustIssue(t, s, user)
		issuedParts := strings.Split(issued, ".")

		// An attacker's own keys.
		atkPub, atkPriv, _ := ed25519.GenerateKey(rand.Reader)
		atkJWK, atkKid, err := publicJWK(atkPub)
		if err != nil {
			t.Fatal(err)
		}
		var atkJWKMap map[string]any
		b, _ := json.Marshal(atkJWK)
		_ = json.Unmarshal(b, &atkJWKMap)
		rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

		// Another Meridian installation: its own database and keys, same
		// issuer and audience configuration.
		elsewhere := MustService(t, openSQLite(t), clock)
		foreign, _ := MustIssue(t, elsewhere, user)
		foreignKey := activeKey(t, elsewhere)

		// What an HS256 confusion attack would use as the HMAC secret.
		pubJWKJSON, _ := json.Marshal(ours.jwk)
		revoked, revokedExp := MustIssue(t, s, user)
		_, revokedClaims, _ := parts(t, revoked)
		if err := s.Revoke(ctx, revokedClaims["jti"].(string), revokedExp, ""); err != nil {
			t.Fatal(err)
		}
		refresh, err := s.IssueRefresh(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Library-built forgeries (not hand-encoded).
		libToken := func(alg jwa.SignatureAlgorithm, key any, hdrs map[string]any) string {
			t.Helper()
			tok := jwt.New()
			for k, v := range claims {
				if err := tok.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			h := jws.NewHeaders()
			for k, v := range hdrs {
				if err := h.Set(k, v); err != nil {
					t.Fatalf("header %s: %v", k, err)
				}
			}
			out, err := jwt.Sign(tok, jwt.WithKey(alg, key, jws.WithProtectedHeaders(h)))
			if err != nil {
				t.Fatalf("library forgery: %v", err)
			}
			return string(out)
		}
		atkJWKKey, _ := jwk.Import(atkPub)

		type tc struct {
			name  string
			token string
		}
		cases := []tc{}
		add := func(name, token string) { cases = append(cases, tc{name, token}) }

		for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
			h := with(hdr, "alg", alg)
			add("alg "+alg+" without signature", forge(h, claims, nil))
			add("alg "+alg+" with a signature", forge(h, claims, sign))
			add("alg "+alg+" without kid", forge(with(h, "kid", nil), claims, nil))
		}
		add("alg none via the library", func() string {
			tok := jwt.New()
			for k, v := range claims {
				_ = tok.Set(k, v)
			}
			out, err := jwt.Sign(tok, jwt.WithInsecureNoSignature())
			if err != nil {
				t.Fatal(err)
			}
			return string(out)
		}())
		add("empty signature", forge(hdr, claims, nil))
		add("empty signature of an issued token", issuedParts[0]+"."+issuedParts[1]+".")
		add("two-part token", issuedParts[0]+"."+issuedParts[1])
		add("HS256 with the raw public key as secret", forge(with(hdr, "alg", "HS256"), claims, hs256(ours.pub)))
		add("HS256 with the public JWK as secret", forge(with(hdr, "alg", "HS256"), claims, hs256(pubJWKJSON)))
		add("HS256 with the base64 public key as secret", forge(with(hdr, "alg", "HS256"), claims, hs256([]byte(base64.RawURLEncoding.EncodeToString(ours.pub)))))
		add("HS256 via the library with the public key", libToken(jwa.HS256(), []byte(ours.pub), map[string]any{"kid": kid, "typ": "at+jwt"}))
		add("RS256 header on our EdDSA key", forge(with(hdr, "alg", "RS256"), claims, sign))
		add("ES256 header on our EdDSA key", forge(with(hdr, "alg", "ES256"), claims, sign))
		add("RS256 by an attacker key with our kid", libToken(jwa.RS256(), rsaKey, map[string]any{"kid": kid, "typ": "at+jwt"}))
		add("ES256 by an attacker key with our kid", libToken(jwa.ES256(), ecKey, map[string]any{"kid": kid, "typ": "at+jwt"}))
		add("Ed25519 (RFC 9864 name) header", forge(with(hdr, "alg", "Ed25519"), claims, sign))
		add("alg with trailing space", forge(with(hdr, "alg", "EdDSA "), claims, sign))
		add("alg lower case", forge(with(hdr, "alg", "eddsa"), claims, sign))
		add("unknown kid", forge(with(hdr, "kid", "x4Jt7-unknown-kid-0000000000000000000000000"), claims, sign))
		add("no kid", forge(with(hdr, "kid", nil), claims, sign))
		add("empty kid", forge(with(hdr, "kid", ""), claims, sign))
		add("kid path traversal", forge(with(hdr, "kid", "../../../../dev/null"), claims, sign))
		add("kid path traversal, HS256 with an empty secret", forge(with(hdr, "alg", "HS256", "kid", "../../../../dev/null"), claims, hs256(nil)))
		add("kid SQL injection", forge(with(hdr, "kid", "' OR '1'='1"), claims, sign))
		add("kid not a string", forge(with(hdr, "kid", 1), claims, sign))
		add("jku pointing elsewhere, signed by the attacker", forge(with(hdr, "kid", atkKid, "jku", "https://attacker.example/jwks.json"), claims, edSigner(atkPriv)))
		add("jku beside our own kid and signature", forge(with(hdr, "jku", "https://attacker.example/jwks.json"), claims, sign))
		add("embedded jwk, signed by the attacker", forge(with(hdr, "kid", atkKid, "jwk", atkJWKMap), claims, edSigner(atkPriv)))
		add("embedded jwk without kid", forge(with(hdr, "kid", nil, "jwk", atkJWKMap), claims, edSigner(atkPriv)))
		add("embedded jwk via the library", libToken(jwa.EdDSA(), atkPriv, map[string]any{"typ": "at+jwt", "jwk": atkJWKKey}))
		add("x5u header", forge(with(hdr, "kid", atkKid, "x5u", "https://attacker.example/cert.pem"), claims, edSigner(atkPriv)))
		add("x5c header", forge(with(hdr, "kid", atkKid, "x5c", []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}), claims, edSigner(atkPriv)))
		add("crit header", forge(with(hdr, "crit", []string{"exp"}), claims, sign))
		add("b64 false", forge(with(hdr, "b64", false), claims, sign))
		add("duplicate alg member", func() string {
			h := `{"alg":"none","typ":"at+jwt","kid":"` + kid + `","alg":"EdDSA"}`
			input := b64(h) + "." + b64(claims)
			return input + "." + b64(sign([]byte(input)))
		}())
		add("header is an array", func() string {
			input := b64(`["EdDSA"]`) + "." + b64(claims)
			return input + "." + b64(sign([]byte(input)))
		}())
		add("expired", forge(hdr, with(claims, "exp", now.Add(-time.Hour).Unix(), "iat", now.Add(-2*time.Hour).Unix(), "nbf", now.Add(-2*time.Hour).Unix()), sign))
		add("expired beyond the skew", forge(hdr, with(claims, "exp", now.Add(-maxSkew-time.Second).Unix()), sign))
		add("nbf in the future", forge(hdr, with(claims, "nbf", now.Add(time.Hour).Unix()), sign))
		add("nbf beyond the skew", forge(hdr, with(claims, "nbf", now.Add(maxSkew+2*time.Second).Unix()), sign))
		add("iat in the future", forge(hdr, with(claims, "iat", now.Add(time.Hour).Unix()), sign))
		add("iat beyond the skew", forge(hdr, with(claims, "iat", now.Add(maxSkew+2*time.Second).Unix()), sign))
		add("wrong iss", forge(hdr, with(claims, "iss", "https://evil.example"), sign))
		add("missing iss", forge(hdr, with(claims, "iss", nil), sign))
		add("wrong aud", forge(hdr, with(claims, "aud", "another-api"), sign))
		add("aud array without ours", forge(hdr, with(claims, "aud", []string{"a", "b"}), sign))
		add("missing aud", forge(hdr, with(claims, "aud", nil), sign))
		add("missing exp", forge(hdr, with(claims, "exp", nil), sign))
		add("exp not a number", forge(hdr, with(claims, "exp", "tomorrow"), sign))
		add("missing nbf", forge(hdr, with(claims, "nbf", nil), sign))
		add("missing iat", forge(hdr, with(claims, "iat", nil), sign))
		add("missing jti", forge(hdr, with(claims, "jti", nil), sign))
		add("missing sub", forge(hdr, with(claims, "sub", nil), sign))
		add("typ JWT, an ID token shape", forge(with(hdr, "typ", "JWT"), with(claims, "nonce", "n-0S6_WzA2Mj", "auth_time", now.Unix(), "azp", "web", "token_use", nil), sign))
		add("typ JWT with token_use access", forge(with(hdr, "typ", "JWT"), claims, sign))
		add("no typ", forge(with(hdr, "typ", nil), claims, sign))
		add("typ refresh+jwt", forge(with(hdr, "typ", "refresh+jwt"), claims, sign))
		add("token_use refresh", forge(hdr, with(claims, "token_use", "refresh"), sign))
		add("token_use id", forge(hdr, with(claims, "token_use", "id"), sign))
		add("missing token_use", forge(hdr, with(claims, "token_use", nil), sign))
		add("kind system", forge(hdr, with(claims, "kind", "system"), sign))
		add("kind missing", forge(hdr, with(claims, "kind", nil), sign))
		add("service without org", forge(hdr, with(claims, "kind", "service"), sign))
		add("adm not a bool", forge(hdr, with(claims, "adm", "true"), sign))
		add("scope not a string", forge(hdr, with(claims, "scope", []string{"jobs:write"}), sign))
		add("refresh token used as access token", refresh)
		add("refresh token as a JWT payload", forge(hdr, map[string]any{"refresh": refresh}, sign))
		add("tampered payload: adm flipped", func() string {
			_, c, _ := parts(t, issued)
			c["adm"] = true
			return issuedParts[0] + "." + b64(c) + "." + issuedParts[2]
		}())
		add("tampered payload: sub changed", func() string {
			_, c, _ := parts(t, issued)
			c["sub"] = "someone-else"
			return issuedParts[0] + "." + b64(c) + "." + issuedParts[2]
		}())
		add("tampered header: kid swapped", b64(with(hdr, "kid", foreignKey.kid))+"."+issuedParts[1]+"."+issuedParts[2])
		add("signature of another token", func() string {
			other, _ := MustIssue(t, s, user)
			return issuedParts[0] + "." + issuedParts[1] + "." + strings.Split(other, ".")[2]
		}())
		add("signature bit flipped", issuedParts[0]+"."+issuedParts[1]+"."+flipChar(issuedParts[2], 5))
		add("signature non-canonical base64 (trailing bits)", issuedParts[0]+"."+issuedParts[1]+"."+trailingBits(issuedParts[2]))
		add("signature with padding", issued+"==")
		add("signature truncated", issued[:len(issued)-4])
		add("another installation's token", foreign)
		add("another installation's key under our kid", forge(hdr, claims, edSigner(foreignKey.priv)))
		add("revoked jti", revoked)
		add("garbage", "garbage")
		add("empty", "")
		add("white space", "   ")
		add("huge (1 MB)", strings.Repeat("a", 1<<20))
		add("huge three parts (1 MB)", issuedParts[0]+"."+strings.Repeat("A", 1<<20)+"."+issuedParts[2])
		add("Bearer prefix", "Bearer "+issued)
		add("trailing newline", issued+"\n")
		add("extra dots: four parts", issued+".AAAA")
		add("extra dots: trailing dot", issued+".")
		add("extra dots: double dot", issuedParts[0]+".."+issuedParts[1]+"."+issuedParts[2])
		add("extra dots: JWE-like five parts", issuedParts[0]+"..."+issuedParts[1]+"."+issuedParts[2])
		add("JWS JSON serialization", func() string {
			b, _ := json.Marshal(map[string]any{"payload": issuedParts[1], "protected": issuedParts[0], "signature": issuedParts[2]})
			return string(b)
		}())
		add("raw JSON claims", func() string { b, _ := json.Marshal(claims); return string(b) }())
		add("header not base64url", "eyJ+"+issued[4:])
		add("header not JSON", b64("not json")+"."+issuedParts[1]+"."+issuedParts[2])

		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p, err := s.VerifyAccess(ctx, c.token)
				wantUnauthorized(t, err)
				if p.ID != "" || p.Kind != "" {
					t.Errorf("a refused token still returned principal %+v", p)
				}
			})
		}

		// The issued token itself still passes after all that.
		if _, err := s.VerifyAccess(ctx, issued); err != nil {
			t.Fatalf("the issued token: %v", err)
		}
	})
}

// flipChar replaces the i-th character of a base64url string with another
// character of the alphabet.
func flipChar(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// trailingBits changes the unused low bits of the last character of an
// unpadded base64url string: a lenient decoder yields the same bytes.
func trailingBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}
