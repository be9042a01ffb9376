package requestid

import (
	"context"
	"log/slog"

	"github.com/orderflow/orderflow/platform/auth"
)

// Log attribute keys.
const (
	// AttrKey is the key of the request id.
	AttrKey = "request_id"
	// UserKey is the key of the authenticated subject.
	UserKey = "user"
)

// Attr returns the request id of ctx as a log attribute, or the empty
// Attr (which handlers leave out) when ctx carries none.
func Attr(ctx context.Context) slog.Attr {
	if id, ok := FromContext(ctx); ok {
		return slog.String(AttrKey, id)
	}
	return slog.Attr{}
}

// LogHandler is a slog.Handler that adds to every record logged with a
// context (the *Context logging methods) the request id (request_id) and
// the subject of the auth.Principal (user) that context carries, and
// hands the record on. Records logged without them pass unchanged. The
// attributes land inside any group opened with WithGroup, like the
// record's own. It is safe for concurrent use when the next handler is.
type LogHandler struct {
	next slog.Handler
}

var _ slog.Handler = (*LogHandler)(nil)

// NewLogHandler returns a LogHandler handing records on to next:
//
//	logger := slog.New(requestid.NewLogHandler(slog.NewJSONHandler(os.Stderr, nil)))
func NewLogHandler(next slog.Handler) *LogHandler { return &LogHandler{next: next} }

// Enabled reports whether the next handler handles level.
func (h *LogHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the request id and user of ctx to r and hands it on.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	id, hasID := FromContext(ctx)
	p, hasUser := auth.FromContext(ctx)
	if hasID || hasUser {
		r = r.Clone()
		if hasID {
			r.AddAttrs(slog.String(AttrKey, id))
		}
		if hasUser {
			r.AddAttrs(slog.String(UserKey, p.Subject))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a LogHandler over the next handler with attrs.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &LogHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a LogHandler over the next handler with the group.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	return &LogHandler{next: h.next.WithGroup(name)}
}
