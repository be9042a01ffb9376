package adminapi

import (
	"net/http"
	"time"

	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/projections"
)

// statusJSON is one projection's status as the API shows it.
type statusJSON struct {
	Name          string       `json:"name"`
	State         string       `json:"state"`
	Consumer      bool         `json:"consumer"`
	CodeVersion   int          `json:"codeVersion"`
	Version       int          `json:"version"`
	Generation    int          `json:"generation"`
	Position      string       `json:"position"`
	Head          string       `json:"head"`
	Behind        int64        `json:"behind"`
	BehindAtLeast bool         `json:"behindAtLeast"`
	LagSeconds    float64      `json:"lagSeconds"`
	Rate          float64      `json:"eventsPerSecond"`
	DeadLetters   int64        `json:"deadLetters"`
	Owner         string       `json:"owner,omitempty"`
	LastError     string       `json:"lastError,omitempty"`
	Rebuild       *rebuildJSON `json:"rebuild,omitempty"`
}

// rebuildJSON is the progress of a rebuild in flight.
type rebuildJSON struct {
	Generation int       `json:"generation"`
	Version    int       `json:"version"`
	Owner      string    `json:"owner"`
	Position   string    `json:"position"`
	Done       int64     `json:"done"`
	Total      int64     `json:"total"`
	Rate       float64   `json:"eventsPerSecond"`
	ETASeconds *float64  `json:"etaSeconds,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func toStatusJSON(s projections.Status) statusJSON {
	out := statusJSON{
		Name: s.Name, State: string(s.State), Consumer: s.Consumer, CodeVersion: s.CodeVersion, Version: s.Version,
		Generation: s.Generation, Position: s.Position.String(), Head: s.Head.String(),
		Behind: s.Behind, BehindAtLeast: s.BehindAtLeast, LagSeconds: s.Lag.Seconds(), Rate: s.Rate,
		DeadLetters: s.DeadLetters, Owner: s.Owner, LastError: s.LastError,
	}
	if r := s.Rebuild; r != nil {
		out.Rebuild = &rebuildJSON{
			Generation: r.Generation, Version: r.Version, Owner: r.Owner, Position: r.Position.String(),
			Done: r.Done, Total: r.Total, Rate: r.Rate, StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt,
		}
		if r.Rate > 0 && r.Total > r.Done {
			eta := float64(r.Total-r.Done) / r.Rate
			out.Rebuild.ETASeconds = &eta
		}
	}
	return out
}

// status answers GET /: every registered projection, in name order.
func (a *API) status(w http.ResponseWriter, r *http.Request) {
	all, err := a.manager.Status(r.Context())
	if err != nil {
		a.internal(w, r, "projection status", err)
		return
	}
	out := make([]statusJSON, len(all))
	for i, s := range all {
		out[i] = toStatusJSON(s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"projections": out})
}

// internal logs err and answers 500 without its text, or 503 with
// Retry-After when err is a passing outage (problem.Transient).
func (a *API) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if problem.Transient(err) {
		a.logger.WarnContext(r.Context(), what+" not served, service briefly unavailable; the client may retry", "err", err)
		problem.WriteUnavailable(w, r.URL.Path)
		return
	}
	a.logger.ErrorContext(r.Context(), what+" failed", "err", err)
	fail(w, http.StatusInternalServerError, "internal", "the request failed; the server log has the details")
}
