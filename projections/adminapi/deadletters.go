package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/projections"
)

// deadLetterJSON is one parked event as the API shows it.
type deadLetterJSON struct {
	ID         int64      `json:"id"`
	Projection string     `json:"projection"`
	Generation int        `json:"generation"`
	Position   string     `json:"position"`
	EventID    string     `json:"eventId"`
	Stream     string     `json:"stream"`
	Revision   uint64     `json:"revision"`
	Type       string     `json:"type"`
	Reason     string     `json:"reason"`
	Attempts   int        `json:"attempts"`
	ParkedAt   time.Time  `json:"parkedAt"`
	RetriedAt  *time.Time `json:"retriedAt,omitempty"`
}

func toDeadLetterJSON(d projections.DeadLetter) deadLetterJSON {
	out := deadLetterJSON{
		ID: d.ID, Projection: d.Projection, Generation: d.Generation, Position: d.Position.String(),
		EventID: d.EventID.String(), Stream: d.Stream, Revision: d.Revision, Type: d.Type,
		Reason: d.Reason, Attempts: d.Attempts, ParkedAt: d.ParkedAt,
	}
	if !d.RetriedAt.IsZero() {
		t := d.RetriedAt
		out.RetriedAt = &t
	}
	return out
}

func toDeadLettersJSON(ds []projections.DeadLetter) []deadLetterJSON {
	out := make([]deadLetterJSON, len(ds))
	for i, d := range ds {
		out[i] = toDeadLetterJSON(d)
	}
	return out
}

// deadLetters answers GET /{name}/dead-letters.
func (a *API) deadLetters(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	ds, err := a.manager.DeadLetters(r.Context(), name)
	if errors.Is(err, projections.ErrUnknownProjection) {
		fail(w, http.StatusNotFound, "unknown-projection", fmt.Sprintf("no projection is named %q", name))
		return
	}
	if err != nil {
		a.internal(w, r, "dead letters of "+name, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deadLetters": toDeadLettersJSON(ds)})
}

// redriveJSON is the outcome of a redrive.
type redriveJSON struct {
	Applied int              `json:"applied"`
	Failed  []deadLetterJSON `json:"failed"`
}

// redrive answers POST /{name}/redrive[?id=N]: it applies the parked
// events again, synchronously, and reports how many now applied and which
// failed again.
func (a *API) redrive(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	var id int64
	if s := r.URL.Query().Get("id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fail(w, http.StatusBadRequest, "invalid-id", fmt.Sprintf("id %q is not a dead letter id (a positive integer)", s))
			return
		}
		id = n
	}
	res, err := a.manager.Redrive(r.Context(), name, id)
	switch {
	case errors.Is(err, projections.ErrUnknownProjection):
		fail(w, http.StatusNotFound, "unknown-projection", fmt.Sprintf("no projection is named %q", name))
	case errors.Is(err, projections.ErrDeadLetterNotFound):
		fail(w, http.StatusNotFound, "dead-letter-not-found", fmt.Sprintf("%s has no dead letter %d", name, id))
	case err != nil:
		a.internal(w, r, "redrive "+name, err)
	default:
		writeJSON(w, http.StatusOK, redriveJSON{Applied: res.Applied, Failed: toDeadLettersJSON(res.Failed)})
	}
}
