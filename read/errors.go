package read

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// Codes of the errors the API answers with, in extensions.code.
const (
	codeQueryTooLong          = "QUERY_TOO_LONG"
	codeSyntax                = "GRAPHQL_PARSE_FAILED"
	codeIntrospectionDisabled = "INTROSPECTION_DISABLED"
	codeMaxDepth              = "MAX_DEPTH_EXCEEDED"
	codeMaxCost               = "MAX_COST_EXCEEDED"
	codeFirstOutOfRange       = "FIRST_OUT_OF_RANGE"
	codeInvalidCursor         = "INVALID_CURSOR"
	codeForbidden             = "FORBIDDEN"
	codeInternal              = "INTERNAL"
	codeInvalidArgument       = "INVALID_ARGUMENT"
	codeInvalidVariable       = "INVALID_VARIABLE"
	codeNotReady              = "NOT_READY"
	codeMaxFields             = "MAX_FIELDS_EXCEEDED"
	codeFieldConflict         = "RESPONSE_KEY_CONFLICT"
	codeUnauthenticated       = "UNAUTHENTICATED"
	codeResponseTooLarge      = "RESPONSE_TOO_LARGE"
	codeErrorsDropped         = "ERRORS_DROPPED"
	codeUnavailable           = "UNAVAILABLE"
)

// requestError refuses a whole document before it runs. The client gets
// its message and code as they are, with its status (400 when zero).
type requestError struct {
	status  int
	code    string
	message string
}

func (e *requestError) Error() string { return e.message }

// fieldError is an error of one field that the client gets as it is,
// with its code in the extensions. Any other error a resolver returns is
// logged and answered as "internal error".
type fieldError struct {
	code    string
	message string
}

func (e *fieldError) Error() string { return e.message }

// Extensions gives graphql-go the error's extensions.
func (e *fieldError) Extensions() map[string]any { return map[string]any{"code": e.code} }

var (
	errForbidden     = &fieldError{code: codeForbidden, message: "forbidden"}
	errInvalidCursor = &fieldError{code: codeInvalidCursor, message: "invalid cursor: pass the endCursor of a page of the same connection"}
	errInternal      = &fieldError{code: codeInternal, message: "internal error"}
	errNotReady      = &fieldError{code: codeNotReady, message: "this read model is still being built for the first time; try again in a moment"}
)

// undefinedTable is PostgreSQL's SQLSTATE for a relation that does not
// exist: a readmodel view before its projection's first generation went
// live.
const undefinedTable = "42P01"

// notBuiltYet reports whether err says a read model's view does not exist
// yet.
func notBuiltYet(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == undefinedTable
}

// asFieldError returns the fieldError err is or wraps.
func asFieldError(err error) (*fieldError, bool) {
	var fe *fieldError
	ok := errors.As(err, &fe)
	return fe, ok
}
