package charts

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/orderflow/orderflow/platform/problem"
)

// Path is where cmd/orderflow serves Handler (admins only).
const Path = "/api/v1/admin/charts"

// Handler answers GET with the Chart of a window: the query parameter
// since is where it starts, an RFC 3339 time or a duration back from now
// ("15m"); the last DefaultWindow without it. A window reaching further
// back than the retention (or MaxBuckets intervals) starts there instead,
// as the answer's since says. A malformed since, or one in the future, is
// a 400 problem; a database that cannot be reached a 503.
func (c *Charts) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			problem.Write(w, problem.Details{Status: http.StatusMethodNotAllowed})
			return
		}
		since, err := c.since(r.URL.Query().Get("since"))
		if err != nil {
			badSince(w, r, err.Error())
			return
		}
		ch, err := c.Read(r.Context(), since)
		switch {
		case errors.Is(err, ErrFuture):
			badSince(w, r, "since is in the future")
			return
		case err != nil && problem.Transient(err):
			c.logger.WarnContext(r.Context(), "charts not served, service briefly unavailable; the client may retry", "err", err)
			problem.WriteUnavailable(w, r.URL.Path)
			return
		case err != nil:
			c.logger.ErrorContext(r.Context(), "charts", "err", err)
			problem.Write(w, problem.Details{Type: "urn:orderflow:problem:internal", Status: http.StatusInternalServerError,
				Detail: "the request failed; the server log has the details"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(ch)
	})
}

// since reads the since parameter: empty, an RFC 3339 time, or a
// positive duration back from now.
func (c *Charts) since(v string) (time.Time, error) {
	if v == "" {
		return c.now().Add(-DefaultWindow), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return c.now().Add(-d), nil
	}
	return time.Time{}, errors.New("since must be an RFC 3339 time (2006-01-02T15:04:05Z) or a positive duration back from now (15m)")
}

// badSince answers 400 about the since parameter.
func badSince(w http.ResponseWriter, r *http.Request, detail string) {
	problem.Write(w, problem.Details{Type: "urn:orderflow:problem:invalid-since", Title: "Bad window", Status: http.StatusBadRequest,
		Detail: detail, Instance: r.URL.Path, Extensions: map[string]any{"code": "invalid-since"}})
}
