package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks header names. net/http sends and looks them up in
// canonical form (Webhook-Id, ...); header names are case-insensitive.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// signatureVersion identifies an HMAC-SHA256 signature in the signature header.
const signatureVersion = "v1"

// MaxIDLength bounds message ids (in bytes).
const MaxIDLength = 256

// ErrBadID is returned for a message id that is empty, longer than
// MaxIDLength, or holds anything but printable ASCII other than '.'.
var ErrBadID = errors.New("webhook: malformed webhook-id")

// NewID returns a new random message id: "msg_" and 128 random bits in
// unpadded base64url (22 characters).
func NewID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: generating an id: %w", err)
	}
	return "msg_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// checkID reports whether id may be signed or accepted: 1..MaxIDLength
// bytes of printable ASCII (0x21-0x7e) other than '.', so that the signed
// content "<id>.<timestamp>.<body>" has exactly one reading.
func checkID(id string) error {
	if id == "" || len(id) > MaxIDLength {
		return ErrBadID
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e || c == '.' {
			return ErrBadID
		}
	}
	return nil
}

// mac returns HMAC-SHA256(key, "<id>.<unix>.<body>"), without copying body.
func mac(h hash.Hash, id, unix string, body []byte) []byte {
	h.Reset()
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(unix))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the webhook-signature header value for a message: one
// "v1,<base64 HMAC-SHA256>" per secret, in the order given, separated by
// single spaces. ts is truncated to whole seconds. Sign does not validate its
// input (an empty secrets list gives ""); Headers does.
func Sign(secrets [][]byte, id string, ts time.Time, body []byte) string {
	unix := strconv.FormatInt(ts.Unix(), 10)
	var b strings.Builder
	for i, key := range secrets {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(signatureVersion)
		b.WriteByte(',')
		b.WriteString(base64.StdEncoding.EncodeToString(mac(hmac.New(sha256.New, key), id, unix, body)))
	}
	return b.String()
}

// Headers returns the three Standard Webhooks headers for a message signed
// with every secret in secrets (the current one and, while rotating, the
// previous ones). It checks the id (ErrBadID), the timestamp (not before
// 1970; ErrBadTimestamp) and the secrets (at least one, each
// MinSecretBytes..MaxSecretBytes; ErrInvalidSecret). The caller adds
// Content-Type and sends exactly body.
func Headers(secrets [][]byte, id string, ts time.Time, body []byte) (http.Header, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if ts.Unix() < 0 {
		return nil, ErrBadTimestamp
	}
	if err := checkKeys(secrets); err != nil {
		return nil, err
	}
	h := make(http.Header, 3)
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(secrets, id, ts, body))
	return h, nil
}
