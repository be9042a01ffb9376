package problem

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// RetryAfter is how long a client is told to wait before it retries a
// request that met a passing outage (Retry-After of a 503).
const RetryAfter = time.Second

// TypeUnavailable is the type URI of the problem a request that met a
// passing outage answers with; its code member is "unavailable".
const TypeUnavailable = "urn:orderflow:problem:unavailable"

// Transient reports whether err says that the infrastructure behind the
// request failed for a while, not that the request or the code is wrong:
// the same request, retried after a moment (with the same Idempotency-Key
// for a command), may well succeed. Those are
//
//   - a PostgreSQL error of class 08 (connection exception), 57P01-57P03
//     (admin or crash shutdown, cannot connect now), 53300 (too many
//     connections), 40001 or 40P01 (serialization failure, deadlock: they
//     reach the edge only once the caller's own retries gave up);
//   - a failure to connect (pgconn.ConnectError, also from a pool),
//     a connection that broke under a statement (pgconn.SafeToRetry, or
//     an unexpected EOF), a refused, reset or aborted connection and any
//     net.Error;
//   - any error in the chain with a method Unavailable() bool returning
//     true, for the event store adapters and others to say so.
//
// A context that ended is not transient by itself: the caller knows
// whether its own deadline passed.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && pe.Code[:2] == "08",
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03",
			pe.Code == "53300", pe.Code == "40001", pe.Code == "40P01":
			return true
		}
		return false
	}
	var u interface{ Unavailable() bool }
	if errors.As(err, &u) && u.Unavailable() {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // context.DeadlineExceeded is a net.Error too
	}
	var ne net.Error
	switch {
	case pgconn.SafeToRetry(err),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return true
	}
	return false
}

// WriteUnavailable answers 503 Service Unavailable: problem+json of type
// TypeUnavailable with code "unavailable", Retry-After set to RetryAfter
// (whole seconds) and instance the path given.
func WriteUnavailable(w http.ResponseWriter, instance string) {
	SetRetryAfter(w)
	Write(w, Details{
		Type:       TypeUnavailable,
		Status:     http.StatusServiceUnavailable,
		Detail:     "a service this request needs is briefly unavailable; retry after a moment (a command with the same Idempotency-Key)",
		Instance:   instance,
		Extensions: map[string]any{"code": "unavailable"},
	})
}

// SetRetryAfter sets Retry-After to RetryAfter, in whole seconds, unless
// the response has one already.
func SetRetryAfter(w http.ResponseWriter) {
	if w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter/time.Second)))
	}
}
