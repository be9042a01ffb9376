// Package adminapi serves the projection runtime's admin endpoints over
// HTTP: every projection's status, starting a zero-downtime rebuild, the
// dead letters, and redriving them. The same operations back the
// `orderflow projections` command; authorization (admins only) is the
// router's, in front of Routes.
package adminapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/projections"
)

// Prefix is where cmd/orderflow mounts Routes.
const Prefix = "/api/v1/admin/projections"

// problemType prefixes the problem types of this API's errors, as in the
// rest of orderflow.
const problemType = "urn:orderflow:problem:"

// Config configures an API.
type Config struct {
	// Manager runs the projections. Required.
	Manager *projections.Manager
	// Jobs is the context of the rebuilds the API starts: they outlive the
	// request that started them and stop when Jobs ends (API.Wait waits
	// for them). Required.
	Jobs context.Context
	// Logger receives rebuild outcomes and internal errors; nil discards.
	Logger *slog.Logger
}

// API is the admin endpoints of one Manager. It is safe for concurrent
// use.
type API struct {
	manager *projections.Manager
	jobs    context.Context
	running sync.WaitGroup // the rebuilds started
	logger  *slog.Logger
}

// New returns the API of cfg.Manager.
func New(cfg Config) *API {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &API{manager: cfg.Manager, jobs: cfg.Jobs, logger: logger}
}

// Wait returns once every rebuild the API started has returned; after
// Jobs has ended, that is once they have stopped and released their locks.
func (a *API) Wait() { a.running.Wait() }

// Routes returns the endpoints, relative to Prefix:
//
//	GET  /                      every projection's status
//	POST /{name}/rebuild        start a rebuild of name (202; 409 if one runs)
//	GET  /{name}/dead-letters   the parked events of name's live generation
//	POST /{name}/redrive        apply them again (?id=N: only dead letter N)
func (a *API) Routes() chi.Router {
	r := chi.NewRouter()
	r.Get("/", a.status)
	r.Post("/{name}/rebuild", a.rebuild)
	r.Get("/{name}/dead-letters", a.deadLetters)
	r.Post("/{name}/redrive", a.redrive)
	return r
}

// writeJSON sends v as a JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers with a problem of the given status and code.
func fail(w http.ResponseWriter, status int, code, detail string) {
	problem.Write(w, problem.Details{Type: problemType + code, Status: status, Detail: detail})
}
