package main

import (
	"context"
	"log/slog"
	"time"
)

// Backoff bounds of supervise.
const (
	superviseMinBackoff = time.Second
	superviseMaxBackoff = 30 * time.Second
)

// supervise runs run until ctx ends, starting it again after it returns
// early: at once after a run that lasted a while, else after a backoff
// that doubles up to superviseMaxBackoff. A part of the system that fails
// (a lost database connection, a bug met by one event) comes back by
// itself instead of leaving the process up but idle.
func supervise(ctx context.Context, logger *slog.Logger, name string, run func(context.Context) error) {
	backoff := superviseMinBackoff
	for ctx.Err() == nil {
		started := time.Now()
		err := run(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > superviseMaxBackoff {
			backoff = superviseMinBackoff
		}
		logger.ErrorContext(ctx, name+" stopped; starting it again", "err", err, "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, superviseMaxBackoff)
	}
}
