// Package requestid gives every request a correlation id: the caller's
// X-Request-ID when it is sane, else a new one. Middleware puts it in the
// request's context and on the response; FromContext reads it back, for
// the metadata of the events a command writes; LogHandler adds it, and
// the authenticated user, to every log line logged with the request's
// context.
package requestid

import (
	"context"
	"net/http"

	"github.com/google/uuid"
)

// Header is the header that carries the id, in and out.
const Header = "X-Request-ID"

// MaxLength is the longest inbound id kept.
const MaxLength = 128

// Valid reports whether id is acceptable from a caller: 1 to MaxLength
// characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'. Anything else might
// smuggle line breaks, markup or unbounded data into logs and event
// metadata.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

type idKey struct{}

// NewContext returns a copy of ctx carrying id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, idKey{}, id)
}

// FromContext returns the request id ctx carries, and whether it carries
// one.
func FromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(idKey{}).(string)
	return id, ok
}

// Middleware gives each request its id: the one X-Request-ID header of
// the request when Valid accepts it, else (no header, several, empty, too
// long or with other characters) a new random UUID. The id is set as the
// response's X-Request-ID before next runs, put in the request's context
// (FromContext) and, when it replaced the inbound value, set as the
// request's X-Request-ID too, so that handlers reading the header see the
// same id.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inbound := r.Header.Values(Header)
		var id string
		if len(inbound) == 1 && Valid(inbound[0]) {
			id = inbound[0]
		} else {
			id = uuid.NewString()
		}
		w.Header().Set(Header, id)
		r = r.WithContext(NewContext(r.Context(), id))
		if len(inbound) != 1 || inbound[0] != id {
			r.Header = r.Header.Clone()
			r.Header.Set(Header, id)
		}
		next.ServeHTTP(w, r)
	})
}
