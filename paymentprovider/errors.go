package paymentprovider

import (
	"errors"
	"fmt"
)

var (
	// ErrDeclined means the provider declined the charge: no money was
	// taken, and trying again with the same key gives the same decline.
	// The error is a *DeclineError, which says why.
	ErrDeclined = errors.New("charge declined")
	// ErrCircuitOpen means recent calls failed so often that the client
	// stopped calling the provider for a while; nothing was sent. Park the
	// step and try again later, with the same key.
	ErrCircuitOpen = errors.New("payment provider circuit open")
	// ErrBulkheadFull means as many requests as the client allows were in
	// flight for the whole of Config.MaxWait; nothing was sent. It is our
	// own queue, not the provider, that was too long. Try again later,
	// with the same key.
	ErrBulkheadFull = errors.New("payment provider bulkhead full")
	// ErrUnavailable means every attempt failed in a way worth retrying
	// (timeouts, connection errors, 5xx, 429) and the retries ran out. The
	// outcome may be unknown (a charge may have been made): try again
	// later with the same key, which never charges twice, or look the
	// charge up.
	ErrUnavailable = errors.New("payment provider unavailable")
	// ErrInvalidRequest means the call's arguments were refused before
	// anything was sent.
	ErrInvalidRequest = errors.New("invalid payment provider request")
	// ErrRejected means the provider refused the request with a 4xx other
	// than a decline; trying again will not help. The error is a
	// *ProviderError; the sentinels below name the refusals the saga may
	// meet.
	ErrRejected = errors.New("payment provider refused the request")
	// ErrIdempotencyKeyReused means the key was already used with another
	// request (another amount, reference or charge).
	ErrIdempotencyKeyReused = errors.New("idempotency key used for another request")
	// ErrChargeNotFound means the refunded charge does not exist.
	ErrChargeNotFound = errors.New("no such charge")
	// ErrAlreadyRefunded means the charge was refunded already, under
	// another key.
	ErrAlreadyRefunded = errors.New("charge already refunded")
	// ErrNotRefundable means the charge was declined, so there is nothing
	// to refund.
	ErrNotRefundable = errors.New("charge not refundable")
)

// DeclineError is the error of a declined charge. errors.Is(err,
// ErrDeclined) holds for it.
type DeclineError struct {
	// Code is the provider's reason, e.g. "card_declined" or
	// "insufficient_funds".
	Code string
	// ChargeID is the declined charge's id.
	ChargeID string
}

func (e *DeclineError) Error() string {
	return fmt.Sprintf("charge %s declined: %s", e.ChargeID, e.Code)
}

// Is reports whether target is ErrDeclined.
func (e *DeclineError) Is(target error) bool { return target == ErrDeclined }

// ProviderError is a 4xx answer other than a decline. errors.Is(err,
// ErrRejected) holds for it, and so does the sentinel its code maps to,
// if any.
type ProviderError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the problem's code, e.g. "charge_already_refunded".
	Code string
	// Detail is the provider's explanation.
	Detail string
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("payment provider refused the request: %d %s: %s", e.Status, e.Code, e.Detail)
}

// providerCodes maps the provider's problem codes to sentinels.
var providerCodes = map[string]error{
	"idempotency_key_reused":  ErrIdempotencyKeyReused,
	"charge_not_found":        ErrChargeNotFound,
	"charge_already_refunded": ErrAlreadyRefunded,
	"charge_not_refundable":   ErrNotRefundable,
}

// Is reports whether target is ErrRejected or the sentinel of e's code.
func (e *ProviderError) Is(target error) bool {
	return target == ErrRejected || target != nil && providerCodes[e.Code] == target
}
