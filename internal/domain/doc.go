// Package domain holds Meridian's aggregates (organization, job posting,
// developer profile, application): their state, their business rules, and
// the events their commands record. It is pure Go with no I/O.
//
// The four aggregates share value types (skills, salary, eligibility,
// time-zone rules) and the event plumbing, so they live in one package
// rather than four.
//
// Commands return *meridian.Error with code EInvalid for malformed input,
// ERule when the aggregate's state forbids the command, and EForbidden is
// left to the application layer.
package domain
