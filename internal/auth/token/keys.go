package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

const (
	// algEdDSA is the only JWS algorithm Meridian signs with or accepts.
	algEdDSA = "EdDSA"
	// sealPurpose binds sealed signing keys to their use (associated data).
	sealPurpose = "jwt-signing-key"
	// keysLock is the PostgreSQL transaction advisory lock that serializes
	// EnsureSigningKey and RotateSigningKey across nodes.
	keysLock = 72431101
)

// signingKey is one row of signing_keys, opened.
type signingKey struct {
	kid       string
	priv      ed25519.PrivateKey // nil unless the key is active
	pub       ed25519.PublicKey
	jwk       jwk.Key // public key with kid, alg and use
	active    bool
	createdAt time.Time
	retiredAt time.Time
}

// keySet is an immutable snapshot of the signing keys.
type keySet struct {
	byKid  map[string]*signingKey
	signer *signingKey // newest active key; nil when there is none
	sorted []*signingKey
}

// usable reports whether k may verify tokens at now: it is active, or was
// retired less than grace ago.
func (k *signingKey) usable(now time.Time, grace time.Duration) bool {
	return k.active || (!k.retiredAt.IsZero() && now.Before(k.retiredAt.Add(grace)))
}

// EnsureSigningKey creates an active signing key when there is none. Nodes
// starting at once create only one (a PostgreSQL advisory lock, SQLite's
// exclusive write transaction). Its errors are internal (no *meridian.Error,
// so meridian.ErrorCode reports meridian.EInternal): the database or the
// random source failed.
func (s *Service) EnsureSigningKey(ctx context.Context) error {
	k, err := generateKey()
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockKeys(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM signing_keys WHERE active = 1`).Scan(&n); err != nil {
			return fmt.Errorf("count active signing keys: %w", err)
		}
		if n > 0 {
			return nil
		}
		return s.insertKey(ctx, tx, k)
	})
	if err != nil {
		return fmt.Errorf("ensure signing key: %w", err)
	}
	_, err = s.reload(ctx)
	return err
}

// RotateSigningKey creates a new signing key and makes it the only active
// one; the keys it replaces are retired (see the package documentation for
// how long they keep verifying). It returns the new key's kid, or an
// internal error (meridian.EInternal) when the database or the random source
// fails.
func (s *Service) RotateSigningKey(ctx context.Context) (kid string, err error) {
	k, err := generateKey()
	if err != nil {
		return "", err
	}
	now := meridian.FormatTime(s.now())
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockKeys(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE signing_keys SET active = 0, retired_at = ? WHERE active = 1`, now); err != nil {
			return fmt.Errorf("retire signing keys: %w", err)
		}
		return s.insertKey(ctx, tx, k)
	})
	if err != nil {
		return "", fmt.Errorf("rotate signing key: %w", err)
	}
	if _, err := s.reload(ctx); err != nil {
		return "", err
	}
	return k.kid, nil
}

// JWKS returns the public JWK Set ({"keys":[...]}) of every key that may
// verify a token now, newest first, for /.well-known/jwks.json. It returns
// an internal error (meridian.EInternal) when the keys cannot be loaded.
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	ks, err := s.keySet(ctx)
	if err != nil {
		return nil, err
	}
	now, grace := s.now(), s.retireGrace()
	set := jwk.NewSet()
	for _, k := range ks.sorted {
		if !k.usable(now, grace) {
			continue
		}
		if err := set.AddKey(k.jwk); err != nil {
			return nil, fmt.Errorf("build JWK set: %w", err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode JWK set: %w", err)
	}
	return b, nil
}

func lockKeys(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil // the SQLite write transaction is already exclusive
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(keysLock)); err != nil {
		return fmt.Errorf("lock signing keys: %w", err)
	}
	return nil
}

// newKey is a freshly generated key, not yet stored.
type newKey struct {
	kid  string
	priv ed25519.PrivateKey
	jwk  []byte
}

func generateKey() (newKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return newKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	pk, kid, err := publicJWK(pub)
	if err != nil {
		return newKey{}, err
	}
	b, err := json.Marshal(pk)
	if err != nil {
		return newKey{}, fmt.Errorf("encode public key: %w", err)
	}
	return newKey{kid: kid, priv: priv, jwk: b}, nil
}

// publicJWK returns pub as a JWK with its RFC 7638 thumbprint as kid.
func publicJWK(pub ed25519.PublicKey) (jwk.Key, string, error) {
	k, err := jwk.Import(pub)
	if err != nil {
		return nil, "", fmt.Errorf("import public key: %w", err)
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "", fmt.Errorf("thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.AlgorithmKey: jwa.EdDSA(), jwk.KeyUsageKey: "sig"} {
		if err := k.Set(name, v); err != nil {
			return nil, "", fmt.Errorf("set %s: %w", name, err)
		}
	}
	return k, kid, nil
}

func (s *Service) insertKey(ctx context.Context, tx *store.Tx, k newKey) error {
	sealed, err := s.db.Keyring().SealSecret(sealPurpose, k.priv.Seed())
	if err != nil {
		return fmt.Errorf("seal signing key: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO signing_keys (kid, alg, private_sealed, public_jwk, active, created_at, retired_at) VALUES (?, ?, ?, ?, 1, ?, '')`,
		k.kid, algEdDSA, sealed, string(k.jwk), meridian.FormatTime(s.now()))
	if err != nil {
		return fmt.Errorf("insert signing key: %w", err)
	}
	return nil
}

// keySet returns the cached keys, reloading them when older than keyRefresh.
func (s *Service) keySet(ctx context.Context) (*keySet, error) {
	s.keyMu.Lock()
	ks, fresh := s.keys, time.Since(s.loadedAt) < keyRefresh
	s.keyMu.Unlock()
	if ks != nil && fresh {
		return ks, nil
	}
	return s.reload(ctx)
}

// verifyKey returns the key named kid if it may verify a token now. An
// unknown kid triggers a reload, at most once per missReload, so that a key
// created on another node is found.
func (s *Service) verifyKey(ctx context.Context, kid string) (*signingKey, error) {
	ks, err := s.keySet(ctx)
	if err != nil {
		return nil, err
	}
	k := ks.byKid[kid]
	if k == nil {
		s.keyMu.Lock()
		retry := time.Since(s.missAt) >= s.missReload
		if retry {
			s.missAt = time.Now()
		}
		s.keyMu.Unlock()
		if retry {
			if ks, err = s.reload(ctx); err != nil {
				return nil, err
			}
			k = ks.byKid[kid]
		}
	}
	if k == nil || !k.usable(s.now(), s.retireGrace()) {
		return nil, nil
	}
	return k, nil
}

// signer returns the active signing key, creating one when there is none.
func (s *Service) signer(ctx context.Context) (*signingKey, error) {
	ks, err := s.keySet(ctx)
	if err != nil {
		return nil, err
	}
	if ks.signer == nil {
		if err := s.EnsureSigningKey(ctx); err != nil {
			return nil, err
		}
		s.keyMu.Lock()
		ks = s.keys
		s.keyMu.Unlock()
		if ks == nil || ks.signer == nil {
			return nil, fmt.Errorf("no usable active signing key (was the master key changed? see the logged errors)")
		}
	}
	return ks.signer, nil
}

// reload reads every signing key from the database and replaces the cache,
// unless another goroutine's load started after this call (it saw every
// key committed before this call), so that callers who all find the cache
// stale cause one query, not one each.
// When the database fails and a cache exists, the stale cache is kept (and
// retried a second later) so that a database hiccup does not log everyone out.
func (s *Service) reload(ctx context.Context) (*keySet, error) {
	asked := time.Now()
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.keys != nil && s.loadedAt.After(asked) {
		return s.keys, nil
	}
	started := time.Now()
	ks, err := s.loadKeys(ctx)
	if err != nil {
		if s.keys != nil {
			s.cfg.Logger.WarnContext(ctx, "reload signing keys; keeping the cached ones", "err", err)
			s.loadedAt = time.Now().Add(-keyRefresh + time.Second)
			return s.keys, nil
		}
		return nil, err
	}
	s.keys, s.loadedAt = ks, started
	return ks, nil
}

func (s *Service) loadKeys(ctx context.Context) (*keySet, error) {
	rows, err := s.db.Query(ctx, `SELECT kid, alg, private_sealed, public_jwk, active, created_at, retired_at FROM signing_keys`)
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	defer rows.Close()
	ks := &keySet{byKid: map[string]*signingKey{}}
	for rows.Next() {
		var (
			kid, alg, pubJWK, created, retired string
			sealed                             []byte
			active                             int64
		)
		if err := rows.Scan(&kid, &alg, &sealed, &pubJWK, &active, &created, &retired); err != nil {
			return nil, fmt.Errorf("scan signing key: %w", err)
		}
		k, err := s.openKey(kid, alg, sealed, pubJWK, active != 0, created, retired)
		if err != nil {
			// One damaged row must not stop the others from verifying.
			s.cfg.Logger.ErrorContext(ctx, "skipping unusable signing key", "kid", kid, "err", err)
			continue
		}
		ks.byKid[kid] = k
		ks.sorted = append(ks.sorted, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	sort.Slice(ks.sorted, func(i, j int) bool {
		a, b := ks.sorted[i], ks.sorted[j]
		if !a.createdAt.Equal(b.createdAt) {
			return a.createdAt.After(b.createdAt)
		}
		return a.kid > b.kid
	})
	for _, k := range ks.sorted {
		if k.active && k.priv != nil {
			ks.signer = k
			break
		}
	}
	return ks, nil
}

// openKey checks a stored key: its algorithm, that the public JWK and the
// sealed private key belong together, and that kid is the JWK thumbprint.
func (s *Service) openKey(kid, alg string, sealed []byte, pubJWK string, active bool, created, retired string) (*signingKey, error) {
	if alg != algEdDSA {
		return nil, fmt.Errorf("algorithm %q is not supported", alg)
	}
	parsed, err := jwk.ParseKey([]byte(pubJWK))
	if err != nil {
		return nil, fmt.Errorf("parse public JWK: %w", err)
	}
	var pub ed25519.PublicKey
	if err := jwk.Export(parsed, &pub); err != nil {
		return nil, fmt.Errorf("public JWK is not an Ed25519 key: %w", err)
	}
	k := &signingKey{kid: kid, pub: pub, active: active}
	var wantKid string
	if k.jwk, wantKid, err = publicJWK(pub); err != nil {
		return nil, err
	}
	if wantKid != kid {
		return nil, fmt.Errorf("kid is not the thumbprint of the public key")
	}
	if k.createdAt, err = meridian.ParseTime(created); err != nil {
		return nil, fmt.Errorf("created_at: %w", err)
	}
	if k.retiredAt, err = meridian.ParseTime(retired); err != nil {
		return nil, fmt.Errorf("retired_at: %w", err)
	}
	if active {
		seed, err := s.db.Keyring().OpenSecret(sealPurpose, sealed)
		if err != nil {
			return nil, fmt.Errorf("open private key (wrong master key?): %w", err)
		}
		if len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("private key has %d bytes", len(seed))
		}
		priv := ed25519.NewKeyFromSeed(seed)
		if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
			return nil, fmt.Errorf("private key does not match the public key")
		}
		k.priv = priv
	}
	return k, nil
}
