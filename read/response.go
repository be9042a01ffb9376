package read

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/orderflow/orderflow/platform/problem"
)

// ProblemTypePrefix starts the type URI of every problem the handler
// answers with; the code follows it. It is the command API's prefix.
const ProblemTypePrefix = "urn:orderflow:problem:"

// responseContentType is the media type of GraphQL responses.
const responseContentType = "application/json"

// writeProblem answers with the problem+json of an *httpError; a passing
// outage (problem.Transient) is logged as a WARN and answered 503 with
// Retry-After; any other error is logged and answered 500.
func (h *Handler) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) && problem.Transient(err) {
		h.unavailable(w, r, err)
		return
	}
	if he == nil {
		h.logger.ErrorContext(r.Context(), "graphql request failed", "err", err)
		he = &httpError{status: http.StatusInternalServerError, code: "internal", detail: "something went wrong on our side"}
	}
	problem.Write(w, problem.Details{
		Type:       ProblemTypePrefix + he.code,
		Status:     he.status,
		Detail:     he.detail,
		Instance:   r.URL.Path,
		Extensions: map[string]any{"code": he.code},
	})
}

// refuse answers with the refusal of a document before it ran, and tells
// the observer.
func (h *Handler) refuse(w http.ResponseWriter, err error) {
	code := codeInternal
	var re *requestError
	if errors.As(err, &re) {
		code = re.code
	}
	h.observer.Refused(code)
	writeRequestError(w, err)
}

// writeRequestError answers with a GraphQL response that holds only the
// error of a document refused before it ran: 400, or the error's own
// status (401 with WWW-Authenticate for a root field that needs a token).
func writeRequestError(w http.ResponseWriter, err error) {
	var re *requestError
	if !errors.As(err, &re) {
		re = &requestError{code: codeInternal, message: "internal error"}
	}
	status := re.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, status, &graphql.Response{Errors: []*gqlerrors.QueryError{{
		Message: re.message, Extensions: map[string]any{"code": re.code},
	}}})
}

// maxErrors is how many errors a response carries; one more says how
// many were dropped.
const maxErrors = 10

// capErrors keeps the first maxErrors errors and, when there were more,
// adds one that says how many were dropped (extensions.count).
func capErrors(errs []*gqlerrors.QueryError) []*gqlerrors.QueryError {
	if len(errs) <= maxErrors {
		return errs
	}
	dropped := len(errs) - maxErrors
	return append(errs[:maxErrors:maxErrors], &gqlerrors.QueryError{
		Message:    fmt.Sprintf("%d more errors were dropped", dropped),
		Extensions: map[string]any{"code": codeErrorsDropped, "count": dropped},
	})
}

// writeResponse answers with the executor's response: 200 when the
// document ran (data present), 400 when it was refused (validation), 503
// problem+json with Retry-After when a resolver met a passing outage
// (problem.Transient): the client retries the whole document rather than
// take partial data. Errors the client is not meant to see are logged and
// replaced; stale reads are flagged in the extensions.
func (h *Handler) writeResponse(w http.ResponseWriter, r *http.Request, resp *graphql.Response, rs *requestState) {
	for _, e := range resp.Errors {
		if problem.Transient(e.ResolverError) {
			h.unavailable(w, r, e.ResolverError)
			return
		}
	}
	if n := len(resp.Errors); n > maxErrors {
		h.logger.WarnContext(r.Context(), "graphql response errors dropped", "errors", n, "kept", maxErrors)
		h.observer.ErrorsDropped(n - maxErrors)
	}
	resp.Errors = capErrors(resp.Errors)
	for _, e := range resp.Errors {
		h.sanitize(r.Context(), e)
	}
	if stale := rs.fresh.staleProjections(); len(stale) > 0 {
		resp.Extensions = map[string]any{"stale": true, "staleProjections": stale}
	}
	status := http.StatusOK
	if resp.Data == nil {
		status = http.StatusBadRequest
	}
	body, err := encodeResponse(resp)
	if err != nil {
		h.logger.ErrorContext(r.Context(), "encode graphql response", "err", err)
		writeJSON(w, http.StatusInternalServerError, &graphql.Response{Errors: []*gqlerrors.QueryError{{
			Message: errInternal.message, Extensions: errInternal.Extensions(),
		}}})
		return
	}
	if len(body) > h.limits.MaxResponseBytes {
		h.logger.WarnContext(r.Context(), "graphql response too large, answered with an error instead", "bytes", len(body), "limit", h.limits.MaxResponseBytes)
		h.observer.Refused(codeResponseTooLarge)
		writeJSON(w, http.StatusBadRequest, &graphql.Response{Errors: []*gqlerrors.QueryError{{
			Message:    fmt.Sprintf("the response would be %d bytes; the limit is %d bytes: ask for fewer items or fields", len(body), h.limits.MaxResponseBytes),
			Extensions: map[string]any{"code": codeResponseTooLarge},
		}}})
		return
	}
	writeBody(w, status, body)
}

// encodeResponse writes resp as graphql.Response's JSON encoding would,
// errors first, but copies the data, which the executor wrote as JSON
// already, rather than have encoding/json validate and compact it again.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	b := make([]byte, 0, len(resp.Data)+64)
	b = append(b, '{')
	sep := ""
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `"errors":`...), errs...)
		sep = ","
	}
	if resp.Data != nil { // absent when the document did not run
		b = append(append(append(b, sep...), `"data":`...), resp.Data...)
		sep = ","
	}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, sep...), `"extensions":`...), ext...)
	}
	return append(b, '}'), nil
}

// sanitize keeps the message of a validation error, clipped where it
// quotes the client's input (see clipMessage), or of a fieldError, and
// replaces that of any other resolver error with "internal error", after
// logging it. Names in the path (aliases) are clipped too.
func (h *Handler) sanitize(ctx context.Context, e *gqlerrors.QueryError) {
	for i, p := range e.Path {
		if s, ok := p.(string); ok {
			e.Path[i] = clip(s)
		}
	}
	if e.ResolverError == nil {
		e.Message = clipMessage(e.Message)
		return
	}
	if fe, ok := asFieldError(e.ResolverError); ok {
		e.Message, e.Extensions = fe.message, fe.Extensions()
		return
	}
	if notBuiltYet(e.ResolverError) {
		e.Message, e.Extensions = errNotReady.message, errNotReady.Extensions()
		return
	}
	if ctx.Err() == nil {
		h.logger.ErrorContext(ctx, "graphql resolver failed", "path", e.Path, "err", e.ResolverError)
	}
	e.Message, e.Extensions = errInternal.message, errInternal.Extensions()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // cannot happen: errors are strings and maps of strings
		status = http.StatusInternalServerError
		body = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", responseContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// unavailable answers 503 problem+json with Retry-After for a request
// that met a passing outage, and logs it as a WARN.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	h.logger.WarnContext(r.Context(), "graphql request not served, service briefly unavailable; the client may retry", "err", err)
	h.observer.Refused(codeUnavailable)
	problem.WriteUnavailable(w, r.URL.Path)
}
