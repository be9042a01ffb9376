// Package api serves the REST command API under /api/v1: JSON in and out,
// RFC 9457 problem+json errors, strict decoding, request size limits,
// Idempotency-Key on every POST and If-Match for optimistic concurrency.
// Commands are accepted with 202 and the commit position of their events,
// which the read side takes for read-your-writes. Reads belong to GraphQL.
package api

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/write/service"
)

// Prefix is where the command API is mounted.
const Prefix = "/api/v1"

// Config is what the API needs.
type Config struct {
	// Service executes the commands.
	Service *service.Service
	// Pool is the database that keeps idempotent responses (schema api).
	Pool *pgxpool.Pool
	// Logger receives unexpected errors.
	Logger *slog.Logger
}

// API is the REST command API. It is safe for concurrent use.
type API struct {
	svc    *service.Service
	keys   idempotencyStore
	logger *slog.Logger
}

// New returns the API.
func New(cfg Config) *API {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &API{svc: cfg.Service, keys: idempotencyStore{pool: cfg.Pool}, logger: logger}
}

// Routes returns the API's router, to be mounted at Prefix.
func (a *API) Routes() chi.Router {
	r := chi.NewRouter()
	r.Post("/products", a.command(a.registerProduct))
	r.Post("/products/{sku}/stock", a.command(a.addStock))
	r.Post("/orders", a.command(a.placeOrder))
	r.Post("/orders/{id}/cancel", a.command(a.cancelOrder))
	r.Post("/shipments/{orderId}/dispatched", a.command(a.shipmentDispatched))
	r.Post("/shipments/{orderId}/delivered", a.command(a.shipmentDelivered))
	r.Get("/openapi.json", serveOpenAPI)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, a.logger, &apiError{status: http.StatusNotFound, code: "route_not_found", detail: "no such route: " + r.Method + " " + r.URL.Path})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, a.logger, &apiError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", detail: r.Method + " is not allowed on " + r.URL.Path})
	})
	return r
}
