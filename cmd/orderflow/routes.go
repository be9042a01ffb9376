package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/health"
	"github.com/orderflow/orderflow/platform/httpserver"
	"github.com/orderflow/orderflow/platform/migrate"
	"github.com/orderflow/orderflow/platform/problem"
)

// newRouter returns serve's HTTP handler: /healthz, /readyz, and
// problem+json answers for unknown paths and methods, behind the
// middlewares given (outermost first).
func newRouter(logger *slog.Logger, middlewares []func(http.Handler) http.Handler, checks ...health.Check) chi.Router {
	r := chi.NewRouter()
	r.Use(middlewares...)
	r.Use(httpserver.Recover(logger))
	r.Get("/healthz", health.Live)
	r.Method(http.MethodGet, "/readyz", health.Ready(0, logger, checks...))
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		problem.Write(w, problem.Details{Status: http.StatusNotFound})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		problem.Write(w, problem.Details{Status: http.StatusMethodNotAllowed})
	})
	return r
}

// readinessChecks are what /readyz waits for: the database answers with no
// migration pending, and the event store answers.
func readinessChecks(pool *pgxpool.Pool, store eventstore.Store) []health.Check {
	return []health.Check{
		{Name: "database", Probe: func(ctx context.Context) error {
			pending, err := migrate.PendingIn(ctx, pool)
			if err != nil {
				return err
			}
			if pending {
				return errors.New("migrations pending")
			}
			return nil
		}},
		{Name: "eventstore", Probe: func(ctx context.Context) error {
			_, err := store.Head(ctx)
			return err
		}},
	}
}
