package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/httpserver"
)

// runPaymentsSandbox serves the sandbox payment provider until ctx ends,
// then shuts down gracefully.
func runPaymentsSandbox(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig("payments-sandbox", withSandbox, args, getenv, stderr)
	if err != nil {
		return err
	}
	return servePaymentsSandbox(ctx, cfg, newLogger(stderr, cfg.LogLevel))
}

func servePaymentsSandbox(ctx context.Context, cfg Config, logger *slog.Logger) error {
	logger.InfoContext(ctx, "payments sandbox starting", "version", buildVersion())
	sb := sandbox.New(sandbox.Config{Logger: logger, Now: time.Now, Seed: time.Now().UnixNano()})
	srv, err := httpserver.Listen(httpserver.Config{Addr: cfg.SandboxAddr}, sb, logger)
	if err != nil {
		return err
	}
	// Answers held by the sandbox's latency and timeout controls must not
	// hold up the shutdown.
	stop := context.AfterFunc(ctx, sb.Close)
	defer stop()
	if err := srv.Serve(ctx); err != nil {
		return err
	}
	logger.InfoContext(ctx, "payments sandbox stopped")
	return nil
}
