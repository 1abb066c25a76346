package rest

import (
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/meridian"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	meridian.EInvalid:        http.StatusUnprocessableEntity,
	meridian.ERule:           http.StatusConflict,
	meridian.ENotFound:       http.StatusNotFound,
	meridian.EConflict:       http.StatusConflict,
	meridian.EUnauthorized:   http.StatusUnauthorized,
	meridian.EForbidden:      http.StatusForbidden,
	meridian.ERateLimited:    http.StatusTooManyRequests,
	meridian.EUnavailable:    http.StatusServiceUnavailable,
	meridian.ETooLarge:       http.StatusRequestEntityTooLarge,
	meridian.EIdempotencyKey: http.StatusUnprocessableEntity,
	meridian.EInternal:       http.StatusInternalServerError,
}

// codeOf maps statuses that huma produces on its own back to codes.
var codeOf = map[int]string{
	http.StatusBadRequest:            meridian.EInvalid,
	http.StatusUnprocessableEntity:   meridian.EInvalid,
	http.StatusNotFound:              meridian.ENotFound,
	http.StatusConflict:              meridian.EConflict,
	http.StatusUnauthorized:          meridian.EUnauthorized,
	http.StatusForbidden:             meridian.EForbidden,
	http.StatusRequestEntityTooLarge: meridian.ETooLarge,
	http.StatusTooManyRequests:       meridian.ERateLimited,
	http.StatusServiceUnavailable:    meridian.EUnavailable,
	http.StatusMethodNotAllowed:      meridian.EInvalid,
	http.StatusNotAcceptable:         meridian.EInvalid,
	http.StatusUnsupportedMediaType:  meridian.EInvalid,
	http.StatusRequestTimeout:        meridian.EUnavailable,
}

// Problem is an RFC 9457 problem details object with Meridian's error code
// as an extension member.
type Problem struct {
	Type     string              `json:"type" doc:"URI reference identifying the problem type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail,omitempty"`
	Instance string              `json:"instance,omitempty"`
	Code     string              `json:"code" doc:"Meridian error code: invalid, rule, not_found, conflict, unauthorized, forbidden, rate_limited, unavailable, too_large, idempotency_key, internal"`
	Errors   []*huma.ErrorDetail `json:"errors,omitempty"`
	Fields   map[string]string   `json:"fields,omitempty" doc:"offending input fields and why"`
}

// Error implements error.
func (p *Problem) Error() string { return p.Detail }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

func problemType(code string) string { return "/api/docs#problem-" + code }

func newProblem(status int, code, detail string) *Problem {
	return &Problem{Type: problemType(code), Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

func init() {
	// Huma's own errors (validation, body too large, ...) become Problems too.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		code, ok := codeOf[status]
		if !ok {
			code = meridian.EInternal
			if status < 500 {
				code = meridian.EInvalid
			}
		}
		p := newProblem(status, code, msg)
		for _, e := range errs {
			if e == nil {
				continue
			}
			var d huma.ErrorDetailer
			if errors.As(e, &d) {
				p.Errors = append(p.Errors, d.ErrorDetail())
			} else {
				p.Errors = append(p.Errors, &huma.ErrorDetail{Message: e.Error()})
			}
		}
		return p
	}
}

// problemFor converts an application error into a Problem. Internal errors
// are logged by the caller and never shown.
func problemFor(err error) *Problem {
	code := meridian.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	p := newProblem(status, code, meridian.ErrorMessage(err))
	var me *meridian.Error
	if errors.As(err, &me) {
		p.Fields = me.Fields
	}
	return p
}
