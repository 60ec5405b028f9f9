// Package fault holds the error kinds that services return. A service says what went wrong
// (not found, invalid, conflict...) without knowing HTTP; platform/httperr turns a kind into a
// status code and a problem document.
package fault

import (
	"errors"
	"strings"
)

// Kind classifies an error for the client.
type Kind int

// The kinds, each with the HTTP status httperr gives it.
const (
	BadRequest         Kind = iota + 1 // 400: malformed request or query parameter
	Unauthorized                       // 401
	Forbidden                          // 403
	NotFound                           // 404
	MethodNotAllowed                   // 405
	Conflict                           // 409
	PreconditionFailed                 // 412: stale If-Match
	TooLarge                           // 413
	UnsupportedMedia                   // 415
	Invalid                            // 422: well-formed input with invalid values
	TooManyRequests                    // 429
	Unavailable                        // 503
)

// FieldError names one invalid input field by its JSON path (dots between segments).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error a client can act on. Detail is safe to show to the client.
type Error struct {
	Kind Kind
	// Code, when set, replaces the kind's problem code (idempotency_key_reused, say).
	Code       string
	Detail     string
	Fields     []FieldError
	Constraint string
	// RetryAfter, when positive, tells the client how many seconds to wait (429, 503).
	RetryAfter int
	// Err is the underlying cause, kept for logs and errors.As; never shown to clients.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Detail)
	for _, f := range e.Fields {
		b.WriteString("; " + f.Field + ": " + f.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a client-facing detail.
func New(kind Kind, detail string) *Error { return &Error{Kind: kind, Detail: detail} }

// Validation returns a 422 error listing every invalid field.
func Validation(fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Detail: "The request has invalid fields.", Fields: fields}
}

// Field builds a FieldError.
func Field(field, message string) FieldError { return FieldError{Field: field, Message: message} }

// KindOf returns the kind of the first *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
