// Package apperr holds dashgraph's one error type. Every error a client can
// see carries a Code; anything that is not an *Error is presented as INTERNAL
// with a fixed message, so internals never leak into a response.
//
// Codes are assigned where the meaning of a failure is known (validation,
// permission checks, lookups); storage and transport errors are wrapped with
// %w and stay internal.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for clients. The values are part of the API
// contract and appear as extensions.code in GraphQL errors.
type Code string

// The codes of DESIGN.md's contract.
const (
	Unauthenticated    Code = "UNAUTHENTICATED"
	Forbidden          Code = "FORBIDDEN"
	BadUserInput       Code = "BAD_USER_INPUT"
	NotFound           Code = "NOT_FOUND"
	RateLimited        Code = "RATE_LIMITED"
	ComplexityExceeded Code = "COMPLEXITY_LIMIT_EXCEEDED"
	Internal           Code = "INTERNAL"
)

// InternalMessage is the only message a client sees for an internal error.
const InternalMessage = "Internal error."

// Error is an error with a code and a message meant for the person using
// the API: it says what was wrong and, where it can, what to do instead.
type Error struct {
	Code    Code
	Message string
	// RetryAfter is set on RATE_LIMITED errors: how long until a retry can succeed.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an error with the given code and message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Errorf returns an error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, or INTERNAL.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the client-facing message of err: the message of its
// *Error, or InternalMessage when err carries no code.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return InternalMessage
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
