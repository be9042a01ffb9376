package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/projections"
)

// startWait bounds how long POST /{name}/rebuild waits to learn whether
// the rebuild it started took the rebuild lock; past it, the rebuild is
// reported as started and its fate shows in the status.
const startWait = 2 * time.Second

// rebuildStarted is the body of a 202 answer to POST /{name}/rebuild.
type rebuildStarted struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	// Result is set when the rebuild already finished before the answer.
	Result *rebuildResultJSON `json:"result,omitempty"`
}

// rebuildResultJSON is the summary of a finished rebuild.
type rebuildResultJSON struct {
	Generation      int     `json:"generation"`
	Previous        int     `json:"previous"`
	Events          int64   `json:"events"`
	Parked          int     `json:"parked"`
	Position        string  `json:"position"`
	DurationSeconds float64 `json:"durationSeconds"`
}

// rebuild answers POST /{name}/rebuild: it starts a zero-downtime rebuild
// of the projection in the background and answers 202 once the rebuild has
// made progress, finished, or startWait passed; 404 for an unknown
// projection, 409 when a rebuild of it is already running, a newer
// version is live, or it is a consumer (which cannot be rebuilt).
func (a *API) rebuild(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	progressed := make(chan struct{})
	done := make(chan error, 1)
	var result projections.RebuildResult
	a.running.Go(func() {
		first := true
		res, err := a.manager.Rebuild(a.jobs, name, func(_, _ int64, _ float64) {
			if first {
				first = false
				close(progressed)
			}
		})
		switch {
		case errors.Is(err, projections.ErrUnknownProjection), errors.Is(err, projections.ErrNotRebuildable):
		case err != nil:
			a.logger.ErrorContext(a.jobs, "projection rebuild failed", "projection", name, "err", err)
		default:
			a.logger.InfoContext(a.jobs, "projection rebuilt", "projection", name, "generation", res.Generation,
				"events", res.Events, "parked", res.Parked, "duration", res.Duration)
		}
		result = res
		done <- err
	})
	select {
	case <-progressed:
		writeJSON(w, http.StatusAccepted, rebuildStarted{Name: name, Status: "running"})
	case err := <-done:
		switch {
		case errors.Is(err, projections.ErrUnknownProjection):
			fail(w, http.StatusNotFound, "unknown-projection", fmt.Sprintf("no projection is named %q", name))
		case errors.Is(err, projections.ErrNotRebuildable):
			fail(w, http.StatusConflict, "not-rebuildable", fmt.Sprintf("%s is a consumer, not a read model: it follows the log from its checkpoint and cannot be rebuilt", name))
		case errors.Is(err, projections.ErrRebuildRunning):
			fail(w, http.StatusConflict, "rebuild-running", fmt.Sprintf("a rebuild of %s is already running", name))
		case errors.Is(err, projections.ErrNewerVersionLive):
			fail(w, http.StatusConflict, "newer-version-live", fmt.Sprintf("a newer version of %s is live; this server does not rebuild it", name))
		case err != nil:
			a.internal(w, r, "rebuild "+name, err)
		default:
			writeJSON(w, http.StatusAccepted, rebuildStarted{Name: name, Status: "finished", Result: &rebuildResultJSON{
				Generation: result.Generation, Previous: result.Previous, Events: result.Events, Parked: result.Parked,
				Position: result.Position.String(), DurationSeconds: result.Duration.Seconds(),
			}})
		}
	case <-time.After(startWait):
		writeJSON(w, http.StatusAccepted, rebuildStarted{Name: name, Status: "running"})
	}
}
