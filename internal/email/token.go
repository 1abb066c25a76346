package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// Unsubscribe scopes.
const (
	// ScopeAlert turns one saved search's alert off.
	ScopeAlert = "alert"
	// ScopeCategory opts a person out of a category of e-mail
	// (CategoryApplications, CategoryDigest).
	ScopeCategory = "category"
)

// Categories a person can opt out of.
const (
	// CategoryApplications is the e-mail about one's own applications.
	CategoryApplications = "applications"
	// CategoryDigest is the daily digest of one's saved searches' matches.
	CategoryDigest = "digest"
)

// Unsubscribe is what an unsubscribe token allows: turning one saved
// search's alert off (Scope ScopeAlert, Target the saved search id) or
// opting out of a category (ScopeCategory, Target the category), for the
// person UserID.
type Unsubscribe struct {
	Scope  string
	UserID string
	Target string
}

// Tokens signs and verifies unsubscribe tokens:
//
//	v<version>.<base64url(scope NUL user id NUL target)>.<base64url(HMAC-SHA256)>
//
// The MAC covers the version and the payload; the payload carries ids
// only. Tokens do not expire; the version names the key, so that a new key
// can sign while tokens of the old one (in e-mails already sent) still
// verify until it is dropped.
type Tokens struct {
	keys    map[int][]byte
	current int
}

// NewTokens returns Tokens signing with keys[current] and verifying with
// every key in keys.
func NewTokens(keys map[int][]byte, current int) (*Tokens, error) {
	if len(keys[current]) < 32 {
		return nil, meridian.Errorf(meridian.EInvalid, "unsubscribe key v%d must be at least 32 bytes", current)
	}
	return &Tokens{keys: keys, current: current}, nil
}

// tokenKeyVersion is the version of the key KeyringTokens derives.
const tokenKeyVersion = 1

// KeyringTokens returns Tokens whose key is derived from the store's master
// key, so that every node of a cluster (sharing the master key) signs and
// verifies the same tokens without another secret to distribute.
// Replacing the master key invalidates the links in e-mails already sent.
func KeyringTokens(db *store.DB) *Tokens {
	k := db.Keyring().BlindIndex("email-unsubscribe-key", strconv.Itoa(tokenKeyVersion))
	t, _ := NewTokens(map[int][]byte{tokenKeyVersion: []byte(k)}, tokenKeyVersion) // 64 bytes: never fails
	return t
}

func (t *Tokens) mac(version int, payload string) []byte {
	m := hmac.New(sha256.New, t.keys[version])
	m.Write([]byte("v" + strconv.Itoa(version) + "." + payload))
	return m.Sum(nil)
}

// Sign returns the token for u.
func (t *Tokens) Sign(u Unsubscribe) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(u.Scope + "\x00" + u.UserID + "\x00" + u.Target))
	return "v" + strconv.Itoa(t.current) + "." + payload + "." + base64.RawURLEncoding.EncodeToString(t.mac(t.current, payload))
}

// errBadToken is the one answer to every token that does not verify.
func errBadToken() error {
	return meridian.Errorf(meridian.EInvalid, "this unsubscribe link is not valid; use the link of a recent e-mail")
}

// Verify checks a token (the MAC in constant time) and returns what it
// allows. Any malformed, tampered or unknown-version token is EInvalid.
func (t *Tokens) Verify(token string) (Unsubscribe, error) {
	if len(token) > 1024 {
		return Unsubscribe{}, errBadToken()
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "v") {
		return Unsubscribe{}, errBadToken()
	}
	version, err := strconv.Atoi(parts[0][1:])
	if err != nil || t.keys[version] == nil || parts[0] != "v"+strconv.Itoa(version) {
		return Unsubscribe{}, errBadToken()
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, t.mac(version, parts[1])) {
		return Unsubscribe{}, errBadToken()
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Unsubscribe{}, errBadToken()
	}
	f := strings.Split(string(raw), "\x00")
	if len(f) != 3 || f[1] == "" || f[2] == "" {
		return Unsubscribe{}, errBadToken()
	}
	u := Unsubscribe{Scope: f[0], UserID: f[1], Target: f[2]}
	switch {
	case u.Scope == ScopeAlert:
	case u.Scope == ScopeCategory && (u.Target == CategoryApplications || u.Target == CategoryDigest):
	default:
		return Unsubscribe{}, errBadToken()
	}
	return u, nil
}
