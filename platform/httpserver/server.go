// Package httpserver runs orderflow's HTTP servers: bounded read, write and
// idle timeouts, structured logs, and a graceful shutdown when the context
// ends.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Defaults for the zero fields of Config.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultShutdownTimeout   = 20 * time.Second
)

// Config says where a Server listens and how long it waits. Zero durations
// take the defaults above.
type Config struct {
	// Addr is the TCP address to listen on, "host:port"; port 0 picks a
	// free port (see Server.Addr).
	Addr string
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its next
	// request.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once its context ends.
	ShutdownTimeout time.Duration
}

// Server is an HTTP server bound to its address. Create it with Listen, run
// it with Serve.
type Server struct {
	srv             *http.Server
	ln              net.Listener
	shutdownTimeout time.Duration
	logger          *slog.Logger
}

// Listen binds cfg.Addr and returns a Server that will answer with h once
// Serve runs. It returns an error when the address cannot be bound.
func Listen(cfg Config, h http.Handler, logger *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return &Server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: orDefault(cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout),
			ReadTimeout:       orDefault(cfg.ReadTimeout, DefaultReadTimeout),
			WriteTimeout:      orDefault(cfg.WriteTimeout, DefaultWriteTimeout),
			IdleTimeout:       orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		ln:              ln,
		shutdownTimeout: orDefault(cfg.ShutdownTimeout, DefaultShutdownTimeout),
		logger:          logger,
	}, nil
}

// Addr returns the address the server is bound to.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests until ctx ends, then stops accepting connections
// and waits up to the shutdown timeout for the requests in flight. It
// returns nil after a clean shutdown, and an error when serving fails or
// requests were still running when the shutdown timeout passed (their
// connections are then closed). Call it once.
func (s *Server) Serve(ctx context.Context) error {
	s.logger.InfoContext(ctx, "http server listening", "addr", s.Addr().String())
	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(s.ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	s.logger.InfoContext(ctx, "http server shutting down", "timeout", s.shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	shutdownErr := s.srv.Shutdown(shutdownCtx)
	if shutdownErr != nil {
		_ = s.srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("http server shutdown: %w", shutdownErr)
	}
	s.logger.InfoContext(ctx, "http server stopped")
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
