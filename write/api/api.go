// Package api serves the REST command API under /api/v1: JSON in and out,
// RFC 9457 problem+json errors, strict decoding, request size limits,
// Idempotency-Key on every POST and If-Match for optimistic concurrency.
// Commands are accepted with 202 and the commit position of their events,
// which the read side takes for read-your-writes. Reads belong to GraphQL.
//
// Every command route requires a caller: the auth.Principal that
// auth.Verifier.Middleware, run in front of the API, put in the request's
// context. Anonymous requests are answered 401, callers whose role may not
// use a route 403, and a customer acting on another customer's order gets
// the 404 an order that does not exist gets. Only GET /openapi.json (and
// GET /openapi, its deprecated first location) is public.
//
// A deprecated route (deprecation.go) answers as before, with the headers
// Deprecation (RFC 9745), Sunset (RFC 8594) and Link, and each request to
// it is reported to Config.OnDeprecated; the OpenAPI document marks its
// operation deprecated with the same sunset date (x-sunset).
package api

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/auth"
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
	// Shedder, when set, refuses new orders while more are in flight
	// than can be paid for in time.
	Shedder *Shedder
	// OnDeprecated, when set, is told of every request to a deprecated
	// route, with the route ("GET /api/v1/openapi"), for metrics. It must
	// be safe for concurrent use.
	OnDeprecated func(route string)
}

// API is the REST command API. It is safe for concurrent use.
type API struct {
	svc          *service.Service
	keys         idempotencyStore
	logger       *slog.Logger
	shed         *Shedder
	onDeprecated func(route string)
}

// New returns the API.
func New(cfg Config) *API {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &API{svc: cfg.Service, keys: idempotencyStore{pool: cfg.Pool}, logger: logger, shed: cfg.Shedder, onDeprecated: cfg.OnDeprecated}
}

// Routes returns the API's router, to be mounted at Prefix behind
// auth.Verifier.Middleware. Role guards run before a request's body is
// read: an anonymous command is answered 401 and a refused role 403, with
// platform/auth's bodies, and neither is stored for an Idempotency-Key.
func (a *API) Routes() chi.Router {
	r := chi.NewRouter()
	// The catalog and the carrier's reports are the staff's business;
	// customers place orders and cancel their own (see placeOrder and
	// cancelOrder for what they may place and cancel).
	staff := auth.RequireRole(auth.RoleAdmin)
	customers := auth.RequireRole(auth.RoleCustomer, auth.RoleAdmin)
	r.With(staff).Post("/products", a.command(a.registerProduct))
	r.With(staff).Post("/products/{sku}/stock", a.command(a.addStock))
	r.With(customers, a.shed.Middleware).Post("/orders", a.command(a.placeOrder))
	r.With(customers).Post("/orders/{id}/cancel", a.command(a.cancelOrder))
	r.With(staff).Post("/shipments/{orderId}/dispatched", a.command(a.shipmentDispatched))
	r.With(staff).Post("/shipments/{orderId}/delivered", a.command(a.shipmentDelivered))
	r.Get("/openapi.json", serveOpenAPI)
	// Deprecated routes answer with the Deprecation, Sunset and Link
	// headers (deprecation.go).
	a.registerDeprecated(r)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, a.logger, &apiError{status: http.StatusNotFound, code: "route_not_found", detail: "no such route: " + r.Method + " " + r.URL.Path})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, a.logger, &apiError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", detail: r.Method + " is not allowed on " + r.URL.Path})
	})
	return r
}
