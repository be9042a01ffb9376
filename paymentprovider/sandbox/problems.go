package sandbox

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/orderflow/orderflow/platform/problem"
)

// ProblemTypePrefix starts the type URI of every problem the sandbox
// answers with; the problem's code follows it. The code is also the
// problem's "code" member.
const ProblemTypePrefix = "urn:orderflow:payments-sandbox:"

// The codes of the problems the sandbox answers with.
const (
	CodeBodyInvalid           = "body_invalid"            // 400: not one JSON object of the request's shape
	CodeBodyTooLarge          = "body_too_large"          // 413
	CodeUnsupportedMedia      = "unsupported_media_type"  // 415: Content-Type is not application/json
	CodeIdempotencyKeyMissing = "idempotency_key_missing" // 400
	CodeIdempotencyKeyInvalid = "idempotency_key_invalid" // 400
	CodeIdempotencyKeyReused  = "idempotency_key_reused"  // 422: the key came with another request
	CodeInvalidField          = "invalid_field"           // 422: a field's value is not allowed
	CodeChargeDeclined        = "charge_declined"         // 402
	CodeChargeNotFound        = "charge_not_found"        // 404
	CodeAlreadyRefunded       = "charge_already_refunded" // 409: refunded under another key
	CodeNotRefundable         = "charge_not_refundable"   // 409: a declined charge took no money
	CodeOutage                = "provider_unavailable"    // 503 with Retry-After: the outage control
	CodeRateLimited           = "rate_limited"            // 429 with Retry-After
	CodeInjectedError         = "injected_error"          // 500 or 503: the error controls
	CodeInternal              = "internal_error"          // 500: a bug in the sandbox
	CodeNotFound              = "not_found"               // 404: no such endpoint
	CodeMethodNotAllowed      = "method_not_allowed"      // 405
)

// apiError is a problem the sandbox answers with.
type apiError struct {
	status     int
	code       string
	detail     string
	retryAfter int // seconds; 0 means no Retry-After header
	extensions map[string]any
}

func (e *apiError) Error() string { return e.code + ": " + e.detail }

var (
	errNotFound         = &apiError{status: http.StatusNotFound, code: CodeNotFound, detail: "no such endpoint"}
	errMethodNotAllowed = &apiError{status: http.StatusMethodNotAllowed, code: CodeMethodNotAllowed, detail: "this endpoint does not take that method"}
	errKeyMissing       = &apiError{status: http.StatusBadRequest, code: CodeIdempotencyKeyMissing,
		detail: "send an Idempotency-Key header: the same key with the same request never charges or refunds twice"}
	errKeyInvalid = &apiError{status: http.StatusBadRequest, code: CodeIdempotencyKeyInvalid,
		detail: fmt.Sprintf("the Idempotency-Key must be 1 to %d printable ASCII characters", MaxIdempotencyKeyLength)}
	errKeyReused = &apiError{status: http.StatusUnprocessableEntity, code: CodeIdempotencyKeyReused,
		detail: "this Idempotency-Key was already used with a different request"}
	errChargeNotFound  = &apiError{status: http.StatusNotFound, code: CodeChargeNotFound, detail: "no such charge"}
	errAlreadyRefunded = &apiError{status: http.StatusConflict, code: CodeAlreadyRefunded,
		detail: "the charge was already refunded under another Idempotency-Key"}
	errNotRefundable = &apiError{status: http.StatusConflict, code: CodeNotRefundable,
		detail: "the charge was declined; there is nothing to refund"}
)

func badRequest(detail string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: CodeBodyInvalid, detail: detail}
}

func invalidField(field, detail string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, code: CodeInvalidField, detail: detail,
		extensions: map[string]any{"field": field}}
}

// declined is the 402 answer to a declined charge.
func declined(c Charge) *apiError {
	return &apiError{
		status: http.StatusPaymentRequired, code: CodeChargeDeclined,
		detail:     "the charge was declined: " + c.DeclineCode,
		extensions: map[string]any{"declineCode": c.DeclineCode, "charge": c.ID},
	}
}

// writeProblem answers with e as problem details.
func writeProblem(w http.ResponseWriter, e *apiError) {
	ext := map[string]any{"code": e.code}
	for k, v := range e.extensions {
		ext[k] = v
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	problem.Write(w, problem.Details{
		Type:       ProblemTypePrefix + e.code,
		Status:     e.status,
		Detail:     e.detail,
		Extensions: ext,
	})
}
