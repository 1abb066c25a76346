package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix marks a serialized symmetric Standard Webhooks secret.
const SecretPrefix = "whsec_"

const (
	// NewSecretBytes is the key size NewSecret generates (256 bits).
	NewSecretBytes = 32
	// MinSecretBytes and MaxSecretBytes bound the keys accepted: the
	// specification asks for at least 24 random bytes and at most 64.
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// ErrInvalidSecret is wrapped by every error about a secret's format or size.
var ErrInvalidSecret = errors.New("webhook: invalid secret")

// NewSecret returns a new random secret (NewSecretBytes bytes from
// crypto/rand) serialized as "whsec_<base64>".
func NewSecret() (string, error) {
	key := make([]byte, NewSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhook: generating a secret: %w", err)
	}
	return FormatSecret(key), nil
}

// FormatSecret serializes key as "whsec_" and its standard base64 encoding.
func FormatSecret(key []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret decodes a secret given as "whsec_<base64>" or, as the
// reference libraries also accept, as the bare base64 (standard alphabet,
// padded). Surrounding white space is ignored. The key must decode to
// MinSecretBytes..MaxSecretBytes bytes. Errors wrap ErrInvalidSecret.
func ParseSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	encoded := strings.TrimPrefix(s, SecretPrefix)
	switch {
	case s == "":
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	case encoded == "":
		return nil, fmt.Errorf("%w: nothing after %q", ErrInvalidSecret, SecretPrefix)
	case strings.HasPrefix(s, "whsk_"), strings.HasPrefix(s, "whpk_"):
		return nil, fmt.Errorf("%w: %q is an asymmetric (ed25519) key; only symmetric whsec_ secrets are supported", ErrInvalidSecret, s[:5])
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		// The base64 error names an offset, never the secret's bytes.
		return nil, fmt.Errorf("%w: not standard base64 after the %q prefix: %v", ErrInvalidSecret, SecretPrefix, err)
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return key, nil
}

func checkKey(key []byte) error {
	switch {
	case len(key) < MinSecretBytes:
		return fmt.Errorf("%w: %d bytes, at least %d required", ErrInvalidSecret, len(key), MinSecretBytes)
	case len(key) > MaxSecretBytes:
		return fmt.Errorf("%w: %d bytes, at most %d allowed", ErrInvalidSecret, len(key), MaxSecretBytes)
	}
	return nil
}

func checkKeys(keys [][]byte) error {
	if len(keys) == 0 {
		return fmt.Errorf("%w: no secret given", ErrInvalidSecret)
	}
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			return fmt.Errorf("secret %d: %w", i, err)
		}
	}
	return nil
}
