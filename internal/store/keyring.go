package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Keyring implements crypto-shredding: each data subject (a person) has a
// random AES-256 data key, stored wrapped by the master key; personal parts
// of events are sealed with AES-GCM under it. Deleting the key makes every
// sealed part of that person unreadable while the events themselves stay.
//
// Opened keys are cached for cacheTTL. In cluster mode another node may keep
// an erased subject's key in its cache for at most that long.
type Keyring struct {
	db       *DB
	kek      cipher.AEAD
	indexKey []byte // HMAC key for blind indexes, derived from the master key

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	aead    cipher.AEAD // nil: the subject has no key (erased or never had one)
	expires time.Time
}

const (
	cacheTTL      = time.Minute
	sealedVersion = 1
)

var _ eventstore.Keyring = (*Keyring)(nil)

func newKeyring(db *DB, master []byte) *Keyring {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("meridian blind index key v1"))
	return &Keyring{db: db, kek: mustGCM(master), indexKey: m.Sum(nil), cache: map[string]cachedKey{}}
}

func mustGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // key length is checked by the callers
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

func sealWith(a cipher.AEAD, plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plaintext)+a.Overhead())
	out[0] = sealedVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return a.Seal(out, out[1:1+a.NonceSize()], plaintext, aad), nil // #nosec G407 -- nonce read from crypto/rand above; only out[0] (version) is constant
}

func openWith(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1+a.NonceSize() || sealed[0] != sealedVersion {
		return nil, errors.New("sealed data has an unknown format")
	}
	ns := a.NonceSize()
	return a.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad)
}

// seal encrypts plaintext for subject inside tx, creating the subject's key
// on first use. Keys created here are cached only once committed (by Open).
func (k *Keyring) seal(ctx context.Context, tx *Tx, subject, _ string, plaintext []byte) ([]byte, error) {
	if a := k.cached(subject); a != nil {
		return sealWith(a, plaintext, []byte(subject))
	}
	var wrapped []byte
	err := tx.QueryRow(ctx, `SELECT wrapped FROM subject_keys WHERE subject = ?`, subject).Scan(&wrapped)
	if err == nil {
		// A key that existed before this transaction is committed: cache it,
		// so that a person's next events do not unwrap it again. (One created
		// earlier in this same transaction is not, until it commits.)
		a, err := k.unwrap(subject, wrapped)
		if err != nil {
			return nil, err
		}
		if !tx.createdKeys[subject] {
			k.remember(subject, a)
		}
		return sealWith(a, plaintext, []byte(subject))
	}
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM erased_subjects WHERE subject = ?`, subject).Scan(&n); err != nil {
			return nil, k.db.wrapErr("read erased subjects", err)
		}
		if n > 0 {
			return nil, meridian.Errorf(meridian.ERule, "the personal data of this person has been erased; it cannot be written again")
		}
		dk := make([]byte, 32)
		if _, err := rand.Read(dk); err != nil {
			return nil, err
		}
		w, err := sealWith(k.kek, dk, []byte("subject-key:"+subject))
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO subject_keys (subject, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING`, subject, w, meridian.FormatTime(time.Now())); err != nil {
			return nil, k.db.wrapErr("insert subject key", err)
		}
		if tx.createdKeys == nil {
			tx.createdKeys = map[string]bool{}
		}
		tx.createdKeys[subject] = true
		if err := tx.QueryRow(ctx, `SELECT wrapped FROM subject_keys WHERE subject = ?`, subject).Scan(&wrapped); err != nil {
			return nil, k.db.wrapErr("read subject key", err)
		}
	} else if err != nil {
		return nil, k.db.wrapErr("read subject key", err)
	}
	a, err := k.unwrap(subject, wrapped)
	if err != nil {
		return nil, err
	}
	return sealWith(a, plaintext, []byte(subject))
}

func (k *Keyring) unwrap(subject string, wrapped []byte) (cipher.AEAD, error) {
	dk, err := openWith(k.kek, wrapped, []byte("subject-key:"+subject))
	if err != nil {
		return nil, fmt.Errorf("unwrap key of subject %s (wrong master key?): %w", subject, err)
	}
	return mustGCM(dk), nil
}

func (k *Keyring) cached(subject string) cipher.AEAD {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.cache[subject]
	if !ok || time.Now().After(c.expires) {
		return nil
	}
	return c.aead
}

// key returns the subject's data key, or nil when it has none.
func (k *Keyring) key(ctx context.Context, subject string) (cipher.AEAD, error) {
	k.mu.Lock()
	c, ok := k.cache[subject]
	k.mu.Unlock()
	if ok && time.Now().Before(c.expires) {
		return c.aead, nil
	}
	var wrapped []byte
	err := k.db.QueryRow(ctx, `SELECT wrapped FROM subject_keys WHERE subject = ?`, subject).Scan(&wrapped)
	var a cipher.AEAD
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, k.db.wrapErr("read subject key", err)
	default:
		if a, err = k.unwrap(subject, wrapped); err != nil {
			return nil, err
		}
	}
	if a != nil { // absent keys are not cached: a key may be committed a moment later
		k.remember(subject, a)
	}
	return a, nil
}

func (k *Keyring) remember(subject string, a cipher.AEAD) {
	k.mu.Lock()
	k.cache[subject] = cachedKey{aead: a, expires: time.Now().Add(cacheTTL)}
	k.mu.Unlock()
}

// Open implements eventstore.Keyring.
func (k *Keyring) Open(ctx context.Context, e *eventstore.Event) error {
	if len(e.Sealed) == 0 {
		return nil
	}
	a, err := k.key(ctx, e.Subject)
	if err != nil {
		return err
	}
	if a == nil {
		e.Personal, e.Erased = nil, true
		return nil
	}
	p, err := openWith(a, e.Sealed, []byte(e.Subject))
	if err != nil {
		return fmt.Errorf("open personal data of event %s: %w", e.ID, err)
	}
	e.Personal = p
	return nil
}

// Forget implements eventstore.Keyring.
func (k *Keyring) Forget(ctx context.Context, subject string) error {
	err := k.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM subject_keys WHERE subject = ?`, subject); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO erased_subjects (subject, erased_at) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING`, subject, meridian.FormatTime(time.Now()))
		return err
	})
	if err != nil {
		return k.db.wrapErr("forget subject", err)
	}
	k.mu.Lock()
	delete(k.cache, subject)
	k.mu.Unlock()
	return nil
}

// SealFor seals personal data of subject outside an event append (e.g. a
// user's e-mail address in the identity tables), creating the subject's key
// on first use. Forget makes it unreadable like the subject's events.
func (k *Keyring) SealFor(ctx context.Context, subject string, plaintext []byte) ([]byte, error) {
	var out []byte
	err := k.db.InTx(ctx, func(tx *Tx) error {
		var err error
		out, err = k.seal(ctx, tx, subject, "", plaintext)
		return err
	})
	return out, err
}

// OpenFor opens what SealFor sealed; ok is false when the subject was erased.
func (k *Keyring) OpenFor(ctx context.Context, subject string, sealed []byte) (plaintext []byte, ok bool, err error) {
	a, err := k.key(ctx, subject)
	if err != nil || a == nil {
		return nil, false, err
	}
	p, err := openWith(a, sealed, []byte(subject))
	if err != nil {
		return nil, false, fmt.Errorf("open personal data of subject %s: %w", subject, err)
	}
	return p, true, nil
}

// SealSecret encrypts a system secret (e.g. a JWT signing key) under the
// master key; purpose is bound as associated data.
func (k *Keyring) SealSecret(purpose string, plaintext []byte) ([]byte, error) {
	return sealWith(k.kek, plaintext, []byte("secret:"+purpose))
}

// OpenSecret decrypts what SealSecret sealed for the same purpose.
func (k *Keyring) OpenSecret(purpose string, sealed []byte) ([]byte, error) {
	return openWith(k.kek, sealed, []byte("secret:"+purpose))
}

// BlindIndex returns a keyed hash of value for equality lookups of personal
// data (e.g. e-mail addresses) without storing the value in the clear.
func (k *Keyring) BlindIndex(purpose, value string) string {
	m := hmac.New(sha256.New, k.indexKey)
	m.Write([]byte(purpose + "\x00" + value))
	return hex.EncodeToString(m.Sum(nil))
}
