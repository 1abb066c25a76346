package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTolerance is how far a message's timestamp may be from the
// receiver's clock, in either direction, when Verifier.Tolerance is zero.
const DefaultTolerance = 5 * time.Minute

// Verification failures. Verify returns exactly one of these (or, for a
// misconfigured Verifier, an error wrapping ErrInvalidSecret, or an error
// from the ReplayCache).
var (
	// ErrMissingHeaders: webhook-id, webhook-timestamp or webhook-signature
	// is absent or empty.
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature header")
	// ErrBadTimestamp: webhook-timestamp is not a single non-negative
	// decimal integer without sign or leading zeros.
	ErrBadTimestamp = errors.New("webhook: malformed webhook-timestamp")
	// ErrTimestampTooOld: the timestamp is more than the tolerance in the past.
	ErrTimestampTooOld = errors.New("webhook: timestamp too old")
	// ErrTimestampTooNew: the timestamp is more than the tolerance in the future.
	ErrTimestampTooNew = errors.New("webhook: timestamp too far in the future")
	// ErrNoMatchingSignature: no v1 signature in webhook-signature matches
	// the body, id and timestamp under any of the Verifier's secrets.
	ErrNoMatchingSignature = errors.New("webhook: no matching signature")
	// ErrReplayed: a message with this id was already accepted and its entry
	// has not expired.
	ErrReplayed = errors.New("webhook: message id already seen (replay)")
)

// sigLen is the length of a base64-encoded HMAC-SHA256 value.
var sigLen = base64.StdEncoding.EncodedLen(sha256.Size)

// Verifier verifies received webhooks. Create one per endpoint (or per set
// of secrets) and reuse it: the replay protection lives in it. It is safe
// for concurrent use; it must not be copied after first use.
type Verifier struct {
	// Secrets are the keys a signature may be made with (ParseSecret). While
	// the sender rotates, list both the new and the old one.
	Secrets [][]byte
	// Tolerance is the largest accepted difference between the message's
	// timestamp and Now, in either direction; zero or negative means
	// DefaultTolerance.
	Tolerance time.Duration
	// Seen remembers accepted message ids. Nil means an in-memory cache of
	// DefaultReplayCacheSize ids private to this Verifier; a receiver running
	// several processes should share one (for example in Redis).
	Seen ReplayCache
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	once        sync.Once
	defaultSeen *MemoryReplayCache
}

func (v *Verifier) tolerance() time.Duration {
	if v.Tolerance <= 0 {
		return DefaultTolerance
	}
	return v.Tolerance
}

func (v *Verifier) seen() ReplayCache {
	if v.Seen != nil {
		return v.Seen
	}
	v.once.Do(func() { v.defaultSeen = NewMemoryReplayCache(0) })
	return v.defaultSeen
}

// Verify checks a received webhook: header is the request's header and
// body its exact bytes, as read (never re-encoded). In order it checks that
// the three headers are present, the id and the timestamp are well formed,
// the timestamp is within the tolerance of Now, one v1 signature matches
// under one of Secrets (constant-time comparison; other versions such as
// v1a are skipped), and, last, that the id was not accepted before. Only a
// message that passes every other check is recorded in Seen, so forged
// requests cannot use up ids. Nil means the message is authentic and new.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	if err := checkKeys(v.Secrets); err != nil {
		return err
	}
	ids, tss, sigs := header.Values(HeaderID), header.Values(HeaderTimestamp), header.Values(HeaderSignature)
	if empty(ids) || empty(tss) || empty(sigs) {
		return ErrMissingHeaders
	}
	if len(ids) != 1 {
		return ErrBadID
	}
	id := ids[0]
	if err := checkID(id); err != nil {
		return err
	}
	if len(tss) != 1 {
		return ErrBadTimestamp
	}
	unix, err := parseTimestamp(tss[0])
	if err != nil {
		return err
	}
	ts := time.Unix(unix, 0)

	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t, tol := now(), v.tolerance()
	if t.Sub(ts) > tol {
		return ErrTimestampTooOld
	}
	if ts.Sub(t) > tol {
		return ErrTimestampTooNew
	}

	if !v.signatureMatches(strings.Join(sigs, " "), id, tss[0], body) {
		return ErrNoMatchingSignature
	}

	// An exact copy of this request is acceptable until ts+tol; the entry
	// must live at least that long.
	replayed, err := v.seen().CheckAndStore(id, t, ts.Add(tol))
	if err != nil {
		return fmt.Errorf("webhook: replay cache: %w", err)
	}
	if replayed {
		return ErrReplayed
	}
	return nil
}

func (v *Verifier) signatureMatches(header, id, unix string, body []byte) bool {
	want := make([][]byte, len(v.Secrets))
	for i, key := range v.Secrets {
		want[i] = mac(hmac.New(sha256.New, key), id, unix, body)
	}
	// Decode may write up to DecodedLen(sigLen) = 33 bytes.
	var buf [sha256.Size + 3]byte
	for _, f := range strings.Fields(header) {
		version, value, ok := strings.Cut(f, ",")
		if !ok || version != signatureVersion || len(value) != sigLen {
			continue
		}
		n, err := base64.StdEncoding.Decode(buf[:], []byte(value))
		if err != nil || n != sha256.Size {
			continue
		}
		for _, w := range want {
			if hmac.Equal(buf[:n], w) {
				return true
			}
		}
	}
	return false
}

func empty(values []string) bool {
	return len(values) == 0 || (len(values) == 1 && values[0] == "")
}

// parseTimestamp accepts the canonical decimal form only ("0" or digits
// without a leading zero), so that the signed text has one spelling.
func parseTimestamp(s string) (int64, error) {
	if s == "" || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, ErrBadTimestamp
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrBadTimestamp
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrBadTimestamp
	}
	return n, nil
}
