package httpserver

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/orderflow/orderflow/platform/problem"
)

// Recover returns middleware that turns a panicking handler into a logged
// error and a 500 problem+json answer, so one bad request cannot take the
// process down. http.ErrAbortHandler passes through: it is how a handler
// asks net/http to abort the response.
func Recover(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				logger.ErrorContext(r.Context(), "handler panicked",
					"method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				problem.Write(w, problem.Details{Status: http.StatusInternalServerError})
			}()
			next.ServeHTTP(w, r)
		})
	}
}
