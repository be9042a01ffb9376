package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/service"
)

// ProblemTypePrefix starts the stable type URI of every problem the command
// API answers with; the error code follows it.
const ProblemTypePrefix = "urn:orderflow:problem:"

// apiError is an error the API answers with as it is.
type apiError struct {
	status int
	code   string
	detail string
}

func (e *apiError) Error() string { return e.detail }

func badRequest(code, detail string) error {
	return &apiError{status: http.StatusBadRequest, code: code, detail: detail}
}

var (
	errTooLarge = &apiError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
		detail: fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes)}
	errIdempotencyKeyReused = &apiError{status: http.StatusUnprocessableEntity, code: "idempotency_key_reused",
		detail: "this Idempotency-Key was already used with a different request; use a new key for a new request"}
	errIdempotencyKeyInvalid = &apiError{status: http.StatusBadRequest, code: "idempotency_key_invalid",
		detail: "the Idempotency-Key header must be 1 to 255 printable ASCII characters"}
	errIfMatchInvalid = &apiError{status: http.StatusBadRequest, code: "if_match_invalid",
		detail: `the If-Match header must be the order's revision, e.g. "3"`}
	errPreconditionFailed = &apiError{status: http.StatusPreconditionFailed, code: "revision_mismatch",
		detail: "the resource changed since the revision given in If-Match; read it again"}
)

func errUnsupportedMediaType(got string) error {
	if got == "" {
		got = "none"
	}
	return &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
		detail: fmt.Sprintf("send the request body as application/json (Content-Type was %s)", got)}
}

// problemFor turns any error into the problem details the API answers
// with. A passing infrastructure outage (problem.Transient) is a 503
// "unavailable". Errors it does not know become a 500 without detail; the
// caller logs them.
func problemFor(err error) (problem.Details, bool) {
	var (
		api *apiError
		dom *domain.Error
	)
	switch {
	case errors.As(err, &api):
		return details(api.status, api.code, api.detail), true
	case errors.As(err, &dom):
		status := http.StatusConflict
		switch {
		case errors.Is(err, domain.ErrInvalid):
			status = http.StatusUnprocessableEntity
		case errors.Is(err, domain.ErrNotFound):
			status = http.StatusNotFound
		}
		return details(status, dom.Code, err.Error()), true
	case errors.Is(err, service.ErrRevisionMismatch):
		return details(errPreconditionFailed.status, errPreconditionFailed.code, err.Error()), true
	case errors.Is(err, command.ErrTooManyConflicts), errors.Is(err, eventstore.ErrWrongExpectedRevision):
		return details(http.StatusConflict, "concurrent_modification", "the resource is being changed by others right now; try again"), true
	case errors.Is(err, eventstore.ErrTooLarge):
		return details(http.StatusRequestEntityTooLarge, "too_large", "the events this request makes are more than the event store takes in one append; send less at once"), true
	case errors.Is(err, eventstore.ErrInvalid):
		return details(http.StatusUnprocessableEntity, "invalid", err.Error()), true
	case problem.Transient(err):
		return details(http.StatusServiceUnavailable, "unavailable", "a service this request needs is briefly unavailable; it is safe to retry with the same Idempotency-Key"), true
	case errors.Is(err, context.DeadlineExceeded):
		return details(http.StatusServiceUnavailable, "timeout", "the request took too long; it is safe to retry with the same Idempotency-Key"), true
	default:
		return details(http.StatusInternalServerError, "internal", "something went wrong on our side; it is safe to retry with the same Idempotency-Key"), false
	}
}

func details(status int, code, detail string) problem.Details {
	return problem.Details{
		Type:       ProblemTypePrefix + code,
		Status:     status,
		Detail:     detail,
		Extensions: map[string]any{"code": code},
	}
}

// writeError answers with the problem for err, logging errors it did not
// expect, and a 503 as a WARN with Retry-After set.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	p, known := problemFor(err)
	switch {
	case !known:
		logger.ErrorContext(r.Context(), "command failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case p.Status == http.StatusServiceUnavailable:
		logger.WarnContext(r.Context(), "command not done, service briefly unavailable; the client may retry",
			"method", r.Method, "path", r.URL.Path, "code", p.Extensions["code"], "err", err)
		problem.SetRetryAfter(w)
	}
	p.Instance = r.URL.Path
	problem.Write(w, p)
}
