package projections

import (
	"context"
	"errors"
	"fmt"
)

// Consumer is a Projection that follows the log for what it does rather
// than for tables readers query: it appends events, wakes work, sends
// messages. Its Tables and Views are empty, and it is not rebuildable
// (replaying the log would repeat its effects): the runtime starts its
// first generation at the start of the log with no replay, a newer
// Version takes over the live checkpoint where it is, and Rebuild
// refuses it with ErrNotRebuildable. Everything else is a projection's:
// one owner by lease, batches, the checkpoint committed with the
// statements Apply queues, dead letters and redrive, status, lag,
// metrics and tracing.
//
// Effects that Apply makes outside its Writer (an append to the event
// store) happen before the batch commits, so a batch handled again, after
// a crash or by the next owner, makes them again: they must be idempotent.
// Apply returns an error wrapped by Retry when a failure is about the
// services it calls rather than the event, so the event is retried rather
// than parked.
type Consumer interface {
	Projection
	// Consumer marks the projection as a consumer.
	Consumer()
}

// IsConsumer reports whether p is a Consumer.
func IsConsumer(p Projection) bool {
	_, ok := p.(Consumer)
	return ok
}

// ErrNotRebuildable means the projection is a Consumer: it has no read
// model to rebuild.
var ErrNotRebuildable = errors.New("the projection is a consumer, not a read model: it cannot be rebuilt")

// retryable marks an error of Apply that is not the event's fault.
type retryable struct{ err error }

func (e retryable) Error() string { return e.err.Error() }
func (e retryable) Unwrap() error { return e.err }

// Retry marks err, returned by Apply or ApplyBatch, as a failure of the
// database or of a service the projection calls rather than of the event:
// the runner stops and retries from its checkpoint instead of parking the
// event. Retry(nil) is nil.
func Retry(err error) error {
	if err == nil {
		return nil
	}
	return retryable{err}
}

// startConsumer creates the first live generation of consumer p: its
// checkpoint at the start of the log, with no schema and no views, in the
// log of the store's event store. Two
// processes starting it at once create one.
func (m *Manager) startConsumer(ctx context.Context, p Projection) error {
	current, err := m.storeIdentity(ctx)
	if err != nil {
		return fmt.Errorf("start consumer %s: %w", p.Name(), err)
	}
	storeID, created := identityArgs(current)
	_, err = m.pool.Exec(ctx, `INSERT INTO projections.checkpoints (name, generation, version, event_store_id, event_store_created)
		VALUES ($1, 1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`, p.Name(), p.Version(), storeID, created)
	if err != nil {
		return fmt.Errorf("start consumer %s: %w", p.Name(), err)
	}
	m.logger.InfoContext(ctx, "consumer started at the start of the log", "projection", p.Name(), "version", p.Version())
	return nil
}

// upgradeConsumer makes the live checkpoint of consumer p, built by an
// older version, p's: a consumer's new version goes on from where the old
// one stopped.
func (m *Manager) upgradeConsumer(ctx context.Context, p Projection) error {
	_, err := m.pool.Exec(ctx, `UPDATE projections.checkpoints SET version = $2, updated_at = now() WHERE name = $1 AND version < $2`,
		p.Name(), p.Version())
	if err != nil {
		return fmt.Errorf("upgrade consumer %s: %w", p.Name(), err)
	}
	return nil
}
