package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/orderflow/orderflow/platform/httpserver"
	"github.com/orderflow/orderflow/platform/migrate"
)

// runServe migrates the database, opens the event store and serves HTTP
// until ctx ends, then shuts down gracefully.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig("serve", withDatabase|withEventStore|withHTTP, args, getenv, stderr)
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

	srv, err := httpserver.Listen(httpserver.Config{Addr: cfg.Addr}, newRouter(logger, readinessChecks(cfg.DatabaseURL, store)...), logger)
	if err != nil {
		return err
	}
	if err := srv.Serve(ctx); err != nil {
		return err
	}
	logger.InfoContext(ctx, "orderflow stopped")
	return nil
}
