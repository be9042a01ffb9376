// Package domain holds what every bounded context's rules share: the kinds
// of error a decision can end in, so that the edges (HTTP, GraphQL, sagas)
// can react to a kind without knowing each context's errors.
package domain

import "errors"

// Kinds of domain error. Every error a context's Decide returns matches
// exactly one of them with errors.Is.
var (
	// ErrInvalid: the command itself is malformed (a zero quantity, an
	// unknown currency). Retrying it cannot succeed.
	ErrInvalid = errors.New("invalid command")
	// ErrRule: the command is well formed but a business rule forbids it in
	// the aggregate's current state (cancelling a shipped order).
	ErrRule = errors.New("business rule violated")
	// ErrNotFound: the aggregate the command addresses does not exist.
	ErrNotFound = errors.New("not found")
)

// Error is a domain error with a stable code, a message a person
// understands, and its kind. Contexts declare their errors as package-level
// values and return them (or wrap them with %w to add detail).
type Error struct {
	// Code is stable and machine-readable: "order_not_cancellable".
	Code string
	// Message explains the rule in plain words.
	Message string
	// Kind is ErrInvalid, ErrRule or ErrNotFound.
	Kind error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, e.Kind) true.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Invalid declares an error of kind ErrInvalid.
func Invalid(code, message string) *Error {
	return &Error{Code: code, Message: message, Kind: ErrInvalid}
}

// Rule declares an error of kind ErrRule.
func Rule(code, message string) *Error { return &Error{Code: code, Message: message, Kind: ErrRule} }

// NotFound declares an error of kind ErrNotFound.
func NotFound(code, message string) *Error {
	return &Error{Code: code, Message: message, Kind: ErrNotFound}
}
