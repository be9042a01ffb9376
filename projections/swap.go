package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/lease"
)

// A swap waits this long for a lock (the live runner's batch, readers of a
// view) before it gives up and tries again, up to swapAttempts times: a
// long query must not leave every reader queued behind the swap.
const (
	swapLockTimeout = 2 * time.Second
	swapAttempts    = 5
)

const (
	goLiveSQL = `INSERT INTO projections.checkpoints AS c
    (name, generation, version, commit_pos, prepare_pos, last_recorded_at, views, event_store_id, event_store_created)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (name) DO UPDATE
SET generation = excluded.generation, version = excluded.version,
    commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos,
    last_recorded_at = excluded.last_recorded_at, views = excluded.views,
    event_store_id = excluded.event_store_id, event_store_created = excluded.event_store_created,
    last_error = NULL, error_at = NULL, rate = 0, updated_at = now()`
)

// swap makes the builder's generation live (step 3 of Rebuild), trying
// again when a lock could not be had in time.
func (m *Manager) swap(ctx context.Context, b *builder, live int) error {
	for attempt := 1; ; attempt++ {
		err := m.swapOnce(ctx, b, live)
		if err == nil || !isPgCode(err, "55P03") || attempt == swapAttempts {
			return err
		}
		m.logger.WarnContext(ctx, "swap waited too long for a lock; trying again", "projection", b.t.name, "attempt", attempt, "err", err)
	}
}

// swapOnce is one attempt of swap, in one transaction.
func (m *Manager) swapOnce(ctx context.Context, b *builder, live int) error {
	name, p := b.t.name, b.t.p
	tx, err := m.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer rollback(tx)
	if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`,
		fmt.Sprint(swapLockTimeout.Milliseconds()), fmt.Sprint(m.ttlMillis())); err != nil {
		return err
	}
	cp, found, err := lockCheckpoint(ctx, tx, name)
	if err != nil {
		return err
	}
	if (found && cp.generation != live) || (!found && live != 0) {
		return fmt.Errorf("the live generation changed during the rebuild: %w", ErrFenced)
	}
	// The rebuild becomes the projection's owner for this transaction: any
	// batch of the former owner in flight fails its lease renewal. The
	// lease is left expired, so once the swap commits the next runner
	// takes it without waiting.
	if _, err := lease.Seize(ctx, tx, leaseName(name), "rebuild:"+m.owner); err != nil {
		return fmt.Errorf("take the lease: %w", err)
	}

	// The last events, those that arrived during the replay's last batch.
	// This transaction is the projection's only writer now.
	caught := *b
	head, err := m.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the head: %w", err)
	}
	for caught.after.Less(head) {
		batch, err := m.store.ReadAll(ctx, caught.after, m.rebuildBatch)
		if err != nil {
			return fmt.Errorf("read the log: %w", err)
		}
		events := unseen(batch, caught.after)
		if len(events) == 0 {
			break
		}
		o, err := b.t.applyInTx(ctx, tx, events)
		if err != nil {
			return err
		}
		caught.handled(o)
	}

	commit, prepare, err := dbPosition(caught.after)
	if err != nil {
		return err
	}
	var recorded *time.Time
	if !caught.recorded.IsZero() {
		recorded = &caught.recorded
	}
	// The new generation was built from the store's log: its checkpoint
	// records that log's identity.
	current, err := m.storeIdentity(ctx)
	if err != nil {
		return err
	}
	storeID, created := identityArgs(current)
	if _, err := tx.Exec(ctx, goLiveSQL, name, b.t.gen, p.Version(), commit, prepare, recorded, p.Views(), storeID, created); err != nil {
		return fmt.Errorf("move the checkpoint: %w", err)
	}
	if err := pointViews(ctx, tx, name, b.t.gen, p.Views(), cp.views); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM projections.rebuilds WHERE name = $1`, name); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM projections.dead_letters WHERE projection = $1 AND generation <> $2`, name, b.t.gen); err != nil {
		return err
	}
	if hook := m.hooks.beforeSwap; hook != nil {
		hook(name)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	*b = caught
	return nil
}

// applyInTx applies events inside tx, which goes on: first all at once
// under one savepoint, and when an event fails that, event by event
// (applyEach). Dead letters are written in tx too.
func (t target) applyInTx(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) (outcome, error) {
	const batchSavepoint = "projection_batch"
	if _, err := tx.Exec(ctx, "SAVEPOINT "+batchSavepoint); err != nil {
		return outcome{}, err
	}
	w := newWriter(tx, t.schema)
	o, err := t.applyAll(ctx, w, events)
	if err == nil {
		w.Exec("RELEASE SAVEPOINT " + batchSavepoint)
		if err = w.flush(ctx); err == nil {
			return o, nil
		}
	}
	if transient(err) || tx.Conn().IsClosed() {
		return o, err
	}
	w.reset()
	if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+batchSavepoint); err != nil {
		return outcome{}, err
	}
	if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT "+batchSavepoint); err != nil {
		return outcome{}, err
	}
	if o, err = t.applyEach(ctx, tx, w, events); err != nil {
		return o, err
	}
	return o, w.flush(ctx)
}
