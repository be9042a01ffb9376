package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/platform/requestid"
	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/write/command"
)

// accepted is a command's successful answer.
type accepted struct {
	status   int
	location string
	etag     string
	body     any
}

// commandFunc handles one command request whose body has been read.
type commandFunc func(r *http.Request, body []byte, meta command.Meta) (accepted, error)

// command wraps a command handler with body reading, request metadata and
// Idempotency-Key: the first response to a key is stored and every retry
// with the same request by the same caller gets it back byte for byte; the
// same key with another request is refused with 422. Keys are scoped by
// idempotencyScope, so one caller never gets another's response.
func (a *API) command(h commandFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(r)
		if err != nil {
			writeError(w, r, a.logger, err)
			return
		}
		meta := requestMeta(r)
		key := r.Header.Get("Idempotency-Key")
		scope := idempotencyScope(r)
		var print []byte
		if key != "" {
			print = fingerprint(r, body)
			if !validKey(key) {
				writeError(w, r, a.logger, errIdempotencyKeyInvalid)
				return
			}
			stored, ok, err := a.keys.lookup(r.Context(), scope, key)
			if err != nil {
				writeError(w, r, a.logger, err)
				return
			}
			if ok {
				a.replay(w, r, stored, print)
				return
			}
			meta.IdempotencyKey = scope + "\x00" + key
			// A retry is the same command: its id, which the events
			// name as their cause, must not change with the attempt.
			meta.CommandID = uuid.NewSHA1(commandIDNamespace, []byte(meta.IdempotencyKey)).String()
		}

		resp := a.respond(r, h, body, meta)
		if key != "" && resp.status < 500 {
			resp.fingerprint = print
			saved, err := a.keys.save(r.Context(), scope, key, resp)
			if err != nil {
				writeError(w, r, a.logger, err)
				return
			}
			a.replay(w, r, saved, print)
			return
		}
		send(w, resp)
	}
}

// respond runs h and renders its answer or its error.
func (a *API) respond(r *http.Request, h commandFunc, body []byte, meta command.Meta) storedResponse {
	out, err := h(r, body, meta)
	if err != nil {
		p, known := problemFor(err)
		headers := map[string]string{"Content-Type": problem.ContentType}
		switch {
		case !known:
			a.logger.ErrorContext(r.Context(), "command failed", "command", commandName(r), "command_id", meta.CommandID, "path", r.URL.Path, "err", err)
		case p.Status == http.StatusServiceUnavailable:
			// Not stored (a 5xx): the retry with the same key runs the command again.
			a.logger.WarnContext(r.Context(), "command not done, service briefly unavailable; the client may retry", "command", commandName(r),
				"command_id", meta.CommandID, "correlation_id", meta.CorrelationID, "path", r.URL.Path, "problem", p.Type, "err", err)
			headers["Retry-After"] = strconv.Itoa(int(problem.RetryAfter / time.Second))
		default:
			a.logger.InfoContext(r.Context(), "command refused", "command", commandName(r), "command_id", meta.CommandID, "path", r.URL.Path, "status", p.Status, "problem", p.Type)
		}
		p.Instance = r.URL.Path
		b, _ := json.Marshal(p)
		return storedResponse{status: p.Status, headers: headers, body: append(b, '\n')}
	}
	stream := ""
	if s, ok := out.body.(interface{ streamName() string }); ok {
		stream = s.streamName()
	}
	a.logger.InfoContext(r.Context(), "command handled", "command", commandName(r), "command_id", meta.CommandID, "stream", stream, "correlation_id", meta.CorrelationID)
	b, err := json.Marshal(out.body)
	if err != nil {
		a.logger.ErrorContext(r.Context(), "encode response", "err", err)
		return storedResponse{status: http.StatusInternalServerError, headers: map[string]string{"Content-Type": problem.ContentType}, body: []byte(`{"type":"about:blank","status":500}` + "\n")}
	}
	headers := map[string]string{"Content-Type": "application/json"}
	if out.location != "" {
		headers["Location"] = out.location
	}
	if out.etag != "" {
		headers["ETag"] = out.etag
	}
	return storedResponse{status: out.status, headers: headers, body: append(b, '\n')}
}

// replay sends a stored response, unless it answered another request.
func (a *API) replay(w http.ResponseWriter, r *http.Request, stored storedResponse, print []byte) {
	if !bytes.Equal(stored.fingerprint, print) {
		writeError(w, r, a.logger, errIdempotencyKeyReused)
		return
	}
	send(w, stored)
}

func send(w http.ResponseWriter, resp storedResponse) {
	for _, h := range replayedHeaders {
		if v, ok := resp.headers[h]; ok {
			w.Header().Set(h, v)
		}
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// commandIDNamespace scopes the command ids derived from idempotency keys.
var commandIDNamespace = uuid.MustParse("c3a1e0d2-5b8f-4c6a-9e7d-2f4b6a8c0e13")

// requestMeta collects what every event of the request carries: a new
// command id (the causation id of its events; command replaces it with one
// derived from the Idempotency-Key when there is one). The correlation id is the request id requestid.Middleware put in the
// context, else the X-Request-ID header, else the command's own id; the
// acting user is the subject of the request's auth.Principal, if any. The
// trace context is that of the span in the request's context (the server
// span tracing.Middleware opened), else the inbound traceparent and
// tracestate headers as they came.
func requestMeta(r *http.Request) command.Meta {
	m := command.Meta{
		CommandID:     uuid.NewString(),
		CorrelationID: r.Header.Get("X-Request-ID"),
		TraceParent:   r.Header.Get("traceparent"),
		TraceState:    r.Header.Get("tracestate"),
	}
	if parent, state := tracing.TraceParent(r.Context()); parent != "" {
		m.TraceParent, m.TraceState = parent, state
	}
	if id, ok := requestid.FromContext(r.Context()); ok {
		m.CorrelationID = id
	}
	if m.CorrelationID == "" {
		m.CorrelationID = m.CommandID
	}
	if p, ok := auth.FromContext(r.Context()); ok {
		m.UserID = p.Subject
	}
	return m
}

// etag is the ETag of an aggregate at revision rev: the value If-Match
// takes back.
func etag(rev int64) string { return `"` + strconv.FormatInt(rev, 10) + `"` }

// result is the body of every accepted command: the command's id, which
// the events it wrote name as their causation id, and where they landed.
type result struct {
	CommandID string `json:"commandId"`
	Revision  int64  `json:"revision"`
	Position  string `json:"position"`
	stream    string // for the log
}

func newResult(res command.Result, meta command.Meta) result {
	return result{CommandID: meta.CommandID, Revision: res.Revision, Position: res.Position.String(), stream: res.Stream}
}

// streamName is the stream the command wrote to (bodies that embed a
// result have it too).
func (r result) streamName() string { return r.stream }

// commandName names a command for the log by its route: "POST
// /api/v1/orders/{id}/cancel".
func commandName(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return r.Method + " " + rc.RoutePattern()
	}
	return r.Method + " " + r.URL.Path
}
