package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orderflow/orderflow/eventstore/origin"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

// Defaults of supervisor.
const (
	superviseMinBackoff = time.Second
	superviseMaxBackoff = 30 * time.Second
	// superviseMaxFailures is how many failures in a row, none after a
	// run that lasted superviseMaxBackoff, make a part fail for good:
	// with the backoff doubling from a second, about a minute and a half
	// of a part unable to run.
	superviseMaxFailures = 8
)

// permanentErrors are the errors no restart can cure (the configuration
// is wrong, the database follows another event store): a part that stops
// with one fails for good at once.
var permanentErrors = []error{runner.ErrPartitionCount, origin.ErrMismatch}

// supervisor restarts the parts of serve that stop early, and tells when
// one has failed for good. Its zero fields take the defaults above.
type supervisor struct {
	logger      *slog.Logger
	minBackoff  time.Duration
	maxBackoff  time.Duration
	maxFailures int
}

// run runs part until ctx ends, starting it again after it returns early:
// at once after a run that lasted a while, else after a backoff that
// doubles up to maxBackoff. A part that fails for a while (a lost
// database connection, a bug met by one event) comes back by itself
// instead of leaving the process up but idle.
//
// run returns nil once ctx has ended and part has returned. It returns an
// error, after an ERROR line, when part fails for good: it stopped with
// one of permanentErrors, or it failed maxFailures times in a row with no
// run lasting maxBackoff.
func (s supervisor) run(ctx context.Context, name string, part func(context.Context) error) error {
	minBackoff, maxBackoff := cmp.Or(s.minBackoff, superviseMinBackoff), cmp.Or(s.maxBackoff, superviseMaxBackoff)
	maxFailures := cmp.Or(s.maxFailures, superviseMaxFailures)
	backoff, failures := minBackoff, 0
	for ctx.Err() == nil {
		started := time.Now()
		err := part(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(started) > maxBackoff {
			backoff, failures = minBackoff, 0
		}
		failures++
		if err == nil {
			err = errors.New("returned before it was asked to stop")
		}
		if permanent(err) || failures >= maxFailures {
			s.logger.ErrorContext(ctx, name+" failed for good; stopping the process", "err", err, "failures", failures)
			return fmt.Errorf("%s failed for good after %d failures: %w", name, failures, err)
		}
		s.logger.ErrorContext(ctx, name+" stopped; starting it again", "err", err, "in", backoff.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
	return nil
}

// permanent reports whether err is one of permanentErrors.
func permanent(err error) bool {
	for _, p := range permanentErrors {
		if errors.Is(err, p) {
			return true
		}
	}
	return false
}
