package browse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/problem"
)

// Prefix is where cmd/orderflow mounts the Handler, behind the admin role.
const Prefix = "/api/v1/admin/events"

// Bounds of one request.
const (
	// DefaultCount is the page size of a request that names none.
	DefaultCount = 20
	// MaxCount is the largest page a request may ask for.
	MaxCount = 100
	// CorrelationWindow is how many events of the global log a
	// correlation search reads on each side of its position: the events
	// of one correlation further away are not found.
	CorrelationWindow = 500
)

// Store is what the browser reads: the event-store port, which must also
// read the global log backwards (both adapters do).
type Store interface {
	ReadStream(ctx context.Context, stream string, opts eventstore.ReadOptions) ([]eventstore.RecordedEvent, error)
	ReadAll(ctx context.Context, from eventstore.Position, count int) ([]eventstore.RecordedEvent, error)
	eventstore.BackwardsReader
}

// Handler answers GET requests for pages of the event log as JSON (a
// Page); bad parameters are answered 400, an unknown stream 404, a
// passing outage of the store 503, each as problem+json. It is safe for
// concurrent use.
//
// Query parameters:
//
//	stream       a stream name; without it, the global log
//	direction    forwards (the default for a stream) or backwards (the
//	             default for the global log: the newest events first)
//	from         for a stream, the first revision shown (inclusive; the
//	             start or the end by default); for the global log, a
//	             position the page starts after (forwards) or before
//	             (backwards), exclusive; the start or the end by default
//	count        events per page, 1 to MaxCount (DefaultCount)
//	correlation  a correlation id: the events that carry it, oldest
//	             first, among the CorrelationWindow events of the global
//	             log on either side of the position "around" (the end of
//	             the log by default), the event there included
type Handler struct {
	store  Store
	logger *slog.Logger
}

// New returns the Handler of store; logger receives unexpected errors
// (nil discards them).
func New(store Store, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: store, logger: logger}
}

// problemType prefixes the problem types of the browser's errors.
const problemType = "urn:orderflow:problem:"

// badRequest is a parameter the browser cannot use.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func invalid(format string, a ...any) error { return badRequest{fmt.Sprintf(format, a...)} }

// ServeHTTP answers one request; see Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		problem.Write(w, problem.Details{Status: http.StatusMethodNotAllowed})
		return
	}
	page, err := h.page(r.Context(), r.URL.Query())
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		problem.Write(w, problem.Details{Type: problemType + "invalid_parameter", Status: http.StatusBadRequest,
			Detail: bad.msg, Extensions: map[string]any{"code": "invalid_parameter"}})
		return
	case errors.Is(err, eventstore.ErrStreamNotFound):
		problem.Write(w, problem.Details{Type: problemType + "stream_not_found", Status: http.StatusNotFound,
			Detail: fmt.Sprintf("there is no stream %q", page.Stream), Extensions: map[string]any{"code": "stream_not_found"}})
		return
	case err != nil && problem.Transient(err):
		h.logger.WarnContext(r.Context(), "browse the event log: the store is unavailable", "err", err)
		problem.WriteUnavailable(w, r.URL.Path)
		return
	case err != nil:
		h.logger.ErrorContext(r.Context(), "browse the event log", "err", err)
		problem.Write(w, problem.Details{Status: http.StatusInternalServerError})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(page)
}

// page reads the page the parameters ask for.
func (h *Handler) page(ctx context.Context, q url.Values) (Page, error) {
	for name, values := range q {
		switch name {
		case "stream", "direction", "from", "count", "correlation", "around":
			if len(values) > 1 {
				return Page{}, invalid("parameter %s is given %d times", name, len(values))
			}
		default:
			return Page{}, invalid("unknown parameter %q", clip(name))
		}
	}
	count := DefaultCount
	if c := q.Get("count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > MaxCount {
			return Page{}, invalid("count must be a whole number from 1 to %d, not %q", MaxCount, clip(c))
		}
		count = n
	}
	stream, correlation := q.Get("stream"), q.Get("correlation")
	switch {
	case correlation != "":
		if stream != "" || q.Has("direction") || q.Has("from") || q.Has("count") {
			return Page{}, invalid("correlation goes with around only")
		}
		return h.correlated(ctx, correlation, q.Get("around"))
	case q.Has("around"):
		return Page{}, invalid("around goes with correlation only")
	case stream != "":
		if err := eventstore.ValidateStreamName(stream); err != nil {
			return Page{}, invalid("stream %q is not a stream name", clip(stream))
		}
		dir, err := direction(q.Get("direction"), eventstore.Forwards)
		if err != nil {
			return Page{}, err
		}
		return h.streamPage(ctx, stream, dir, q.Get("from"), count)
	}
	dir, err := direction(q.Get("direction"), eventstore.Backwards)
	if err != nil {
		return Page{}, err
	}
	return h.logPage(ctx, dir, q.Get("from"), count)
}

// direction reads the direction parameter, def when it is empty.
func direction(s string, def eventstore.Direction) (eventstore.Direction, error) {
	switch s {
	case "":
		return def, nil
	case "forwards":
		return eventstore.Forwards, nil
	case "backwards":
		return eventstore.Backwards, nil
	}
	return 0, invalid("direction must be forwards or backwards, not %q", clip(s))
}

func directionName(d eventstore.Direction) string {
	if d == eventstore.Backwards {
		return "backwards"
	}
	return "forwards"
}

// clip shortens what a client sent to 64 characters for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}
