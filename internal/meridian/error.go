package meridian

import (
	"errors"
	"fmt"
)

// Error codes. Every transport maps each code to one status in one table.
const (
	EInvalid        = "invalid"         // the request is malformed or breaks a rule of the input
	ERule           = "rule"            // a business rule forbids the command in the current state
	ENotFound       = "not_found"       // the object does not exist or is not visible to the principal
	EConflict       = "conflict"        // a stale expected version or a duplicate
	EUnauthorized   = "unauthorized"    // no or invalid credentials
	EForbidden      = "forbidden"       // authenticated, but not allowed
	ERateLimited    = "rate_limited"    // too many requests
	EUnavailable    = "unavailable"     // a dependency is down; retry later
	EInternal       = "internal"        // a bug or unexpected failure; details are logged, never shown
	ETooLarge       = "too_large"       // the request body is over the limit
	EIdempotencyKey = "idempotency_key" // an Idempotency-Key was reused with a different request
)

// Error is Meridian's application error: a machine-readable code and a message
// safe to show to the user.
type Error struct {
	Code    string
	Message string
	// Fields optionally names offending input fields and why.
	Fields map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("meridian error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message so that their detail never reaches users.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error has occurred."
}

// MessageOf returns the message of the first *Error in err's chain, and
// err.Error() for any other error: what a command-line tool or an import
// report shows, where a plain error's text is safe to show (unlike HTTP
// answers, which use ErrorMessage).
func MessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
