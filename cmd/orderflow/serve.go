package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/notifications"
	"github.com/orderflow/orderflow/platform/httpserver"
	"github.com/orderflow/orderflow/platform/migrate"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/api"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// runServe migrates the database, opens the event store and serves HTTP
// until ctx ends, then shuts down gracefully.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig("serve", withDatabase|withEventStore|withHTTP|withDemo|withPaymentProvider, args, getenv, stderr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, newLogger(stderr, cfg.LogLevel))
}

func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	logger.InfoContext(ctx, "orderflow starting", "version", buildVersion(), "eventstore", eventStoreKind(cfg))
	if _, err := migrate.Up(ctx, cfg.DatabaseURL, logger); err != nil {
		return err
	}
	store, err := openEventStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.WarnContext(ctx, "close event store", "err", err)
		}
	}()

	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer pool.Close()
	catalog := service.NewCatalog()
	go func() {
		if err := catalog.Run(ctx, store); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "catalog stopped; prices are read from product streams", "err", err)
		}
	}()
	svc := service.New(command.NewHandler(store, time.Now), catalog)
	if cfg.Demo {
		if err := seedDemo(ctx, svc); err != nil {
			return err
		}
		logger.InfoContext(ctx, "demo catalog ready", "products", len(demoProducts))
	}
	if err := runSaga(ctx, cfg, store, svc, pool, logger); err != nil {
		return err
	}
	go func() {
		if err := notifications.New(store, pool, logger).Run(ctx); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "notifications stopped", "err", err)
		}
	}()
	views, err := projections.New(projections.Config{Pool: pool, Store: store, Projections: readModels(), Logger: logger})
	if err != nil {
		return err
	}
	go func() {
		if err := views.Run(ctx); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "projections stopped", "err", err)
		}
	}()
	commands := api.New(api.Config{
		Service: svc,
		Pool:    pool,
		Logger:  logger,
	})

	router := newRouter(logger, readinessChecks(cfg.DatabaseURL, store)...)
	router.Mount(api.Prefix, commands.Routes())
	srv, err := httpserver.Listen(httpserver.Config{Addr: cfg.Addr}, router, logger)
	if err != nil {
		return err
	}
	if err := srv.Serve(ctx); err != nil {
		return err
	}
	logger.InfoContext(ctx, "orderflow stopped")
	return nil
}
