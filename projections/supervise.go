package projections

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/orderflow/orderflow/eventstore/origin"
)

// Backoff after a failure, doubling up to the maximum.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// Run runs every registered projection (but those of Config.Elsewhere)
// until ctx ends, then returns once
// every transaction in flight has ended and the leases it held are given
// up: nil, or the errors of the leases it could not release (their
// standbys wait for them to expire). It releases them on Config.Pool, so
// the pool must stay open until Run has returned.
//
// For each projection it keeps doing what the state of the database asks:
// when the projection has no live generation, or one built by an older
// Version, it rebuilds it (a Consumer is not rebuilt: it starts at the
// start of the log, or goes on from its checkpoint) (Rebuild; with several processes, one rebuilds
// and the others wait); when the live generation is of its version, it
// waits for the lease and follows the log; when it is of a newer version
// (an older binary during a rolling deploy), it stands by. Failures are
// logged, noted on the checkpoint (status "failed") and retried with
// backoff; they never end Run, but for one: a checkpoint in another event
// store's log than the store's (package eventstore/origin). Run then stops
// every projection and returns that *origin.MismatchError, which no retry
// can cure.
func (m *Manager) Run(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	// Standbys take a released lease at once, when the waker hears of it.
	wakerCtx, stopWaker := context.WithCancel(ctx)
	wakerDone := make(chan struct{})
	go func() {
		defer close(wakerDone)
		if err := m.waker.Run(wakerCtx); err != nil {
			m.logger.WarnContext(ctx, "projections: lease waker stopped; standbys only poll", "err", err)
		}
	}()
	defer func() { stopWaker(); <-wakerDone }()
	for _, p := range m.projections {
		if m.elsewhere[p.Name()] {
			continue
		}
		wg.Go(func() {
			if err := m.supervise(ctx, p); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				if errors.Is(err, origin.ErrMismatch) {
					stop()
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// supervise is Run for one projection. It returns the error of the last
// lease release, if that failed, or the *origin.MismatchError that
// stopped it.
func (m *Manager) supervise(ctx context.Context, p Projection) error {
	name := p.Name()
	log := m.logger.With("projection", name)
	backoff := minBackoff
	warnedNewer := false
	for ctx.Err() == nil {
		progressed, err := m.step(ctx, p)
		if errors.Is(err, errRelease) && ctx.Err() != nil {
			return err
		}
		if progressed {
			backoff = minBackoff
		}
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil, errors.Is(err, ErrLeaseLost), errors.Is(err, ErrFenced), errors.Is(err, errNotRunnable):
			if err != nil {
				log.InfoContext(ctx, "projection writer stopped; looking again", "reason", err)
			}
		case errors.Is(err, origin.ErrMismatch):
			log.ErrorContext(ctx, "projection stopped: its checkpoint is in another event store's log", "err", err)
			m.recordError(name, err)
			return err
		case errors.Is(err, ErrRebuildRunning):
			wait = m.ttl / 2
		case errors.Is(err, ErrNewerVersionLive):
			if !warnedNewer {
				log.WarnContext(ctx, "a newer version of the projection is live; standing by", "version", p.Version())
				warnedNewer = true
			}
			wait = m.ttl
		default:
			log.ErrorContext(ctx, "projection failed; retrying", "err", err, "backoff", backoff)
			m.recordError(name, err)
			wait = backoff
			backoff = min(2*backoff, maxBackoff)
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
	}
	return nil
}

// step does what the checkpoint of p asks for once: rebuild, follow the
// log, or report that a newer version is live.
func (m *Manager) step(ctx context.Context, p Projection) (progressed bool, err error) {
	cp, found, err := loadCheckpoint(ctx, m.pool, p.Name())
	if err != nil {
		return false, err
	}
	switch {
	case !found && IsConsumer(p):
		return true, m.startConsumer(ctx, p)
	case found && cp.version < p.Version() && IsConsumer(p):
		return true, m.upgradeConsumer(ctx, p)
	case !found || cp.version < p.Version():
		if _, err := m.rebuild(ctx, p, nil); err != nil {
			return false, err
		}
		return true, nil
	case cp.version > p.Version():
		return false, ErrNewerVersionLive
	}
	return m.runLive(ctx, p)
}
