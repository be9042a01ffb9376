package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/console"
	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/browse"
	"github.com/orderflow/orderflow/paymentprovider/report"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/httpserver"
	"github.com/orderflow/orderflow/platform/instance"
	"github.com/orderflow/orderflow/platform/metrics"
	"github.com/orderflow/orderflow/platform/migrate"
	"github.com/orderflow/orderflow/platform/requestid"
	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/adminapi"
	"github.com/orderflow/orderflow/projections/productview"
	"github.com/orderflow/orderflow/read"
	"github.com/orderflow/orderflow/write/api"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// runServe migrates the database, opens the event store, checks that the
// state in the database follows it (checkEventStore) and serves HTTP
// until ctx ends, then shuts down gracefully.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig("serve", withDatabase|withEventStore|withHTTP|withDemo|withPaymentProvider|withRoles|withGateway|withCarrier, args, getenv, stderr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, newLogger(stderr, cfg.LogLevel))
}

// system is what serve builds before it starts the roles: the stores, the
// command side, the projections, and the metrics registry.
type system struct {
	cfg      Config
	logger   *slog.Logger
	store    eventstore.Store
	pool     *pgxpool.Pool
	metrics  *metrics.Registry
	handler  *command.Handler
	catalog  *service.Catalog
	service  *service.Service
	views    *projections.Manager
	commands *metrics.Commands
	sagas    *metrics.Sagas
	tracer   *tracing.Provider
	// name is this process's one name, in its leases and its reports.
	name string
	// admin is the admin API, with the api role: its rebuilds run until
	// the parts stop.
	admin *adminapi.API
}

// serve runs the roles of cfg and serves HTTP until ctx ends or a part
// fails for good, then stops in order (see parts): the HTTP server drains,
// the roles stop and release what they hold, and only then are the event
// store and, last, the pool closed. It returns nil after a signal and the
// error of the part that failed for good otherwise.
func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	logger.InfoContext(ctx, "orderflow starting", "version", buildVersion(), "eventstore", eventStoreKind(cfg), "roles", cfg.Roles.String())
	if _, err := migrate.Up(ctx, cfg.DatabaseURL, logger); err != nil {
		return err
	}
	store, err := openEventStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		closeStore(ctx, store, logger)
		return err
	}
	if err := checkEventStore(ctx, store, pool, logger); err != nil {
		closeStore(ctx, store, logger)
		pool.Close()
		return err
	}
	err = serveWith(ctx, cfg, logger, store, pool)
	// Nothing uses them any more: every part has returned.
	closeStore(ctx, store, logger)
	pool.Close()
	if err != nil {
		return err
	}
	logger.InfoContext(ctx, "orderflow stopped")
	return nil
}

// closeStore closes the event store, logging a failure.
func closeStore(ctx context.Context, store eventstore.Store, logger *slog.Logger) {
	if err := store.Close(); err != nil {
		logger.WarnContext(ctx, "close event store", "err", err)
	}
}

// serveWith is serve once the event store and the pool are open: it
// returns once the HTTP server and every part have stopped.
func serveWith(ctx context.Context, cfg Config, logger *slog.Logger, store eventstore.Store, pool *pgxpool.Pool) (err error) {
	tp, err := tracing.New(ctx, tracing.Config{Endpoint: cfg.Gateway.OTLPEndpoint, ServiceName: "orderflow", Version: buildVersion(), SampleRatio: cfg.Gateway.TraceSampleRatio})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			logger.WarnContext(ctx, "flush traces", "err", err)
		}
	}()
	sys, err := newSystem(cfg, logger, store, pool, tp)
	if err != nil {
		return err
	}
	p := newParts(ctx, logger)
	defer func() {
		logger.InfoContext(ctx, "stopping the roles")
		err = errors.Join(err, p.stop())
		if sys.admin != nil {
			sys.admin.Wait()
		}
		logger.InfoContext(ctx, "roles stopped")
	}()
	router, err := sys.router(ctx, p)
	if err != nil {
		return err
	}
	if err := sys.start(ctx, p); err != nil {
		return err
	}
	srv, err := httpserver.Listen(httpserver.Config{Addr: cfg.Addr}, router, logger)
	if err != nil {
		return err
	}
	return srv.Serve(p.done)
}

// defaultPoolSize is the most connections serve opens to PostgreSQL for
// read models, sagas and the API unless the URL's pool_max_conns says
// otherwise: every projection runner, rebuild, saga worker and request
// takes one for its transaction, and pgx's default (the number of CPUs,
// at least 4) would starve them.
const defaultPoolSize = 32

// openPool connects to the database with defaultPoolSize connections at
// most, unless the URL sets pool_max_conns.
func openPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		pc.MaxConns = defaultPoolSize
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	return pool, nil
}

// newSystem builds the parts every role shares and registers their
// metrics.
func newSystem(cfg Config, logger *slog.Logger, store eventstore.Store, pool *pgxpool.Pool, tp *tracing.Provider) (*system, error) {
	s := &system{cfg: cfg, logger: logger, store: store, pool: pool, metrics: metrics.New(), tracer: tp, name: instance.Name()}
	var err error
	if s.commands, err = metrics.NewCommands(s.metrics); err != nil {
		return nil, err
	}
	if s.sagas, err = metrics.NewSagas(s.metrics); err != nil {
		return nil, err
	}
	s.handler = command.NewHandler(store, time.Now)
	s.handler.SetObserver(s.commands)
	s.handler.SetLogger(logger)
	s.catalog = service.NewCatalogFrom(productview.NewPrices(s.pool))
	s.service = service.New(s.handler, s.catalog)
	// The live runners trace each event only when traces go somewhere:
	// untraced, they apply whole batches set-based where a read model can.
	var projectionTracing trace.TracerProvider
	if cfg.Gateway.OTLPEndpoint != "" {
		projectionTracing = tp
	}
	if s.views, err = projections.New(projections.Config{Pool: pool, Store: store, Projections: readModels(), Logger: logger, TracerProvider: projectionTracing, Owner: s.name,
		Elsewhere: []projections.Projection{sagaIntake(store, pool, logger, cfg.PaymentTimeout)}, CountEvents: logCounter(store)}); err != nil {
		return nil, err
	}
	if err := s.metrics.Register(projectionMetrics(s.views), sagaMetrics(pool)); err != nil {
		return nil, err
	}
	return s, nil
}

// start starts the background work of the roles as parts of p: the
// catalog the command API prices orders with, the pruning of its old
// idempotency records, the saga and its payment client's report, the
// projections (the customer notifications among them). It seeds the demo data first, under ctx.
func (s *system) start(ctx context.Context, p *parts) error {
	if s.cfg.Roles.API || s.cfg.Roles.Sagas {
		p.supervise("catalog", func(ctx context.Context) error { return s.catalog.Run(ctx, s.store) })
	}
	if s.cfg.Roles.API {
		p.supervise("idempotency retention", func(ctx context.Context) error {
			return api.RunIdempotencyRetention(ctx, s.pool, s.cfg.Gateway.IdempotencyRetention)
		})
	}
	if s.cfg.Demo {
		if err := seedDemo(ctx, s.service); err != nil {
			return err
		}
		s.logger.InfoContext(ctx, "demo catalog ready", "products", len(demoProducts))
	}
	if s.cfg.Roles.Sagas {
		client, err := startSaga(p, s.cfg, s.name, s.store, s.service, s.pool, s.logger, sagaObserver{s.sagas}, s.tracer)
		if err != nil {
			return err
		}
		if err := s.metrics.Register(paymentMetrics(client)); err != nil {
			return err
		}
		p.goRun(func(ctx context.Context) { report.Publish(ctx, s.pool, client, s.name, 0, s.logger) })
	}
	if s.cfg.Roles.Projections {
		p.supervise("projections", s.views.Run)
		if err := s.startChartsRecorder(p); err != nil {
			return err
		}
	}
	return nil
}

// router returns the HTTP handler of the process: /healthz, /readyz and
// /metrics for every role; with the api role, behind the gateway, the
// REST command API, the GraphQL query API and the admin endpoints.
// Its background work (the load shedder, rebuilds started by the admin
// API) runs as parts of p.
func (s *system) router(ctx context.Context, p *parts) (chi.Router, error) {
	httpMetrics, err := metrics.NewHTTPMetrics(s.metrics)
	if err != nil {
		return nil, err
	}
	router := newRouter(s.logger, []func(http.Handler) http.Handler{requestid.Middleware, tracing.Middleware(s.tracer), httpMetrics.Middleware},
		readinessChecks(s.pool, s.store)...)
	router.Method(http.MethodGet, "/metrics", s.metrics.Handler())
	if !s.cfg.Roles.API {
		return router, nil
	}
	gw, err := newGateway(ctx, s.cfg.Gateway, s.name, s.pool, s.logger)
	if err != nil {
		return nil, err
	}
	p.supervise("rate limit replicas", gw.replicas.Run)
	graphqlMetrics, err := metrics.NewGraphQL(s.metrics)
	if err != nil {
		return nil, err
	}
	queries, err := read.New(read.Config{Pool: s.pool, Status: s.views.Status, MaxWait: s.cfg.Gateway.ReadWait,
		Introspection: s.cfg.Gateway.Introspection, Logger: s.logger, Observer: graphqlMetrics,
		Limits: read.Limits{MaxResponseBytes: s.cfg.Gateway.MaxResponseBytes}, Events: s.store})
	if err != nil {
		return nil, err
	}
	page, err := console.New()
	if err != nil {
		return nil, err
	}
	shedMetrics, err := metrics.NewShed(s.metrics)
	if err != nil {
		return nil, err
	}
	deprecatedMetrics, err := metrics.NewDeprecatedRoutes(s.metrics)
	if err != nil {
		return nil, err
	}
	shed := api.NewShedder(api.ShedConfig{Pool: s.pool, PaymentWindow: s.cfg.PaymentTimeout, Capacity: s.cfg.OrderCapacity,
		Logger: s.logger, OnShed: func() { shedMetrics.Refused(api.Prefix + "/orders") }})
	p.supervise("load shedder", shed.Run)
	chartsAPI, err := charts.New(charts.Config{Pool: s.pool, Step: s.cfg.ChartsStep, Logger: s.logger})
	if err != nil {
		return nil, err
	}
	s.admin = adminapi.New(adminapi.Config{Manager: s.views, Jobs: p.ctx, Logger: s.logger})
	// The operator console's files need no token: the page calls the APIs below with the operator's.
	router.Mount(console.Prefix, page)
	router.Group(func(r chi.Router) {
		r.Use(gw.middlewares()...)
		r.With(auth.RequireRole(auth.RoleAdmin)).Mount(adminapi.Prefix, s.admin.Routes())
		if log, ok := s.store.(browse.Store); ok {
			r.With(auth.RequireRole(auth.RoleAdmin)).Mount(browse.Prefix, browse.New(log, s.logger))
		}
		r.With(auth.RequireRole(auth.RoleAdmin)).Method(http.MethodGet, report.Path, report.Handler(s.pool, paymentReportMaxAge, s.logger))
		r.With(auth.RequireRole(auth.RoleAdmin)).Method(http.MethodGet, charts.Path, chartsAPI.Handler())
		r.Mount(graphqlPath, queries)
		r.Mount(api.Prefix, api.New(api.Config{Service: s.service, Pool: s.pool, Logger: s.logger, Shedder: shed,
			OnDeprecated: deprecatedMetrics.Requested}).Routes())
	})
	return router, nil
}

// graphqlPath is where the GraphQL query API answers.
const graphqlPath = "/api/v1/graphql"

// paymentReportMaxAge is how old a payment client's report may be and
// still show: a few missed reports of a live process.
const paymentReportMaxAge = 10 * time.Second
