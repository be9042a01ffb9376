package read

import (
	"context"
	"encoding/json"
	"errors"
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

// writeProblem answers with the problem+json of an *httpError; any other
// error is logged and answered 500.
func (h *Handler) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) {
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

// writeRequestError answers 400 with a GraphQL response that holds only
// the error of a document refused before it ran.
func writeRequestError(w http.ResponseWriter, err error) {
	var re *requestError
	if !errors.As(err, &re) {
		re = &requestError{code: codeInternal, message: "internal error"}
	}
	writeJSON(w, http.StatusBadRequest, &graphql.Response{Errors: []*gqlerrors.QueryError{{
		Message: re.message, Extensions: map[string]any{"code": re.code},
	}}})
}

// writeResponse answers with the executor's response: 200 when the
// document ran (data present), 400 when it was refused (validation). Errors
// the client is not meant to see are logged and replaced; stale reads are
// flagged in the extensions.
func (h *Handler) writeResponse(w http.ResponseWriter, r *http.Request, resp *graphql.Response, rs *requestState) {
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

// sanitize keeps the message of a validation error or a fieldError and
// replaces that of any other resolver error with "internal error", after
// logging it.
func (h *Handler) sanitize(ctx context.Context, e *gqlerrors.QueryError) {
	if e.ResolverError == nil {
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
