// Package errs is the one error model every layer shares, free of any
// domain and of HTTP: an *Error carries a Kind (what sort of failure, which
// each surface turns into its own status), a stable Code clients match on, the
// Field it concerns and a Message for people. Domain packages declare their
// errors with it; each HTTP surface has one function that renders them in its
// own envelope.
package errs

import (
	"errors"
	"time"
)

// Kind is what sort of failure an error is.
type Kind uint8

// Kinds. The zero Kind is Internal: an error nobody classified is the
// server's fault.
const (
	Internal Kind = iota
	// Invalid: the input is refused as it is (422).
	Invalid
	// NotFound: nothing of that id, or not the caller's to see (404).
	NotFound
	// Conflict: the input is fine but the object's state refuses it (409).
	Conflict
	// TooMany: a limit was reached; RetryAfter says for how long (429).
	TooMany
	// Upstream: a peer (a payment provider) refused or could not be reached
	// (502).
	Upstream
	// Forbidden: the caller may not do this, whatever the input (403).
	Forbidden
	// Unavailable: what the request needs is not set up (503).
	Unavailable
	// BadRequest: the request cannot be taken as sent, such as an event that
	// concerns nothing of the peer that sent it (400).
	BadRequest
)

// Error is a failure with a stable code.
type Error struct {
	Kind    Kind
	Code    string
	Field   string
	Message string
	// RetryAfter is how long until a try may pass, for TooMany.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// RetryAfterSeconds is a Retry-After header's value for a TooMany error, at
// least 1.
func (e *Error) RetryAfterSeconds() int { return int(e.RetryAfter/time.Second) + 1 }

// New is an error of kind with code and message, for declaring sentinels
// (compared with errors.Is by identity).
func New(kind Kind, code, msg string) *Error {
	return &Error{Kind: kind, Code: code, Message: msg}
}

// Refused is an Invalid error naming the field it concerns.
func Refused(code, field, msg string) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Message: msg}
}

// Is reports whether err carries an *Error with target's code.
func Is(err error, target *Error) bool {
	e, ok := As(err)
	return ok && e.Code == target.Code
}

// As finds the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrNotFound: nothing of that id, or not of the caller's organization or
// mode (which the caller must not be able to tell apart). A lookup that found
// nothing answers it whether it looked for a checkout, a site or a key.
var ErrNotFound = New(NotFound, "not_found", "not found")
