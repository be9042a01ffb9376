package main

import (
	"context"
	"log/slog"

	"golang.org/x/sync/errgroup"
)

// parts is the background work of serve under one group: the roles'
// runners, the catalog, the reports. Each part runs supervised until
// stop; the shutdown order is serve's:
//
//  1. the signal arrives, or a part fails for good: done ends, and the
//     HTTP server stops accepting and drains the requests in flight;
//  2. stop ends the parts' context and waits until every part has
//     returned (leases released, checkpoints committed, reports removed);
//  3. only then does serve close the event store, and last the pool.
//
// The parts' context does not end with the signal: the requests still
// draining may wait for the projections.
type parts struct {
	ctx        context.Context // the parts run under it; stop ends it
	cancel     context.CancelFunc
	group      *errgroup.Group
	done       context.Context // ends at the signal or the first failure for good
	supervisor supervisor
}

// newParts returns an empty group whose done ends with ctx.
func newParts(ctx context.Context, logger *slog.Logger) *parts {
	g, done := errgroup.WithContext(ctx)
	partsCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &parts{ctx: partsCtx, cancel: cancel, group: g, done: done, supervisor: supervisor{logger: logger}}
}

// supervise starts run as the part called name, restarted when it stops
// early; when it fails for good, done ends and stop returns its error.
func (p *parts) supervise(name string, run func(context.Context) error) {
	p.group.Go(func() error { return p.supervisor.run(p.ctx, name, run) })
}

// goRun starts run, which returns once its context ends, as a part that
// is not restarted.
func (p *parts) goRun(run func(context.Context)) {
	p.group.Go(func() error {
		run(p.ctx)
		return nil
	})
}

// stop ends the parts' context and waits for every part to return. It
// returns the error of the first part that failed for good, or nil.
func (p *parts) stop() error {
	p.cancel()
	return p.group.Wait()
}
