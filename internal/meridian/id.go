package meridian

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// NewID returns a new UUIDv7 as a string: time-ordered, so that identifiers
// double as keyset-pagination cursors.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// DerivedID returns a stable UUIDv5 built from parts, used where a natural
// key must map to exactly one stream (one application per profile and job).
func DerivedID(namespace string, parts ...string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("meridian:"+namespace+":"+strings.Join(parts, "/"))).String()
}

// ValidID reports whether s is a well-formed UUID.
func ValidID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// Clock returns the current time; tests inject fixed clocks.
type Clock func() time.Time

// SystemClock is the real clock in UTC.
func SystemClock() time.Time { return time.Now().UTC() }

// TimeLayout is the fixed-width UTC layout used for stored timestamps, so
// that they sort and compare as text in every database.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime formats t in TimeLayout ("" for the zero time).
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// ParseTime parses a TimeLayout or RFC 3339 timestamp ("" is the zero time).
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(TimeLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
