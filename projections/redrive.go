package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// RedriveResult is the outcome of Redrive.
type RedriveResult struct {
	// Applied counts the parked events now applied (and their dead letters
	// removed).
	Applied int
	// Failed lists the dead letters that failed again, with their new
	// reasons.
	Failed []DeadLetter
}

// Redrive applies parked events of the live generation of projection name
// again: all of them in log order when id is 0, else only dead letter id.
// Each gets its own transaction, which locks the checkpoint row first (so
// it never interleaves with a runner's batch or a swap): on success the
// event's changes commit and its dead letter is deleted; on failure the
// dead letter stays, with the new reason and one more attempt.
//
// It returns ErrUnknownProjection for a name not registered and
// ErrDeadLetterNotFound for an id that is not a dead letter of the live
// generation. A transient error (see the package documentation) stops it:
// the result says what was done until then.
func (m *Manager) Redrive(ctx context.Context, name string, id int64) (RedriveResult, error) {
	var res RedriveResult
	p, err := m.projection(name)
	if err != nil {
		return res, err
	}
	letters, err := m.deadLetters(ctx, name, id)
	if err != nil {
		return res, err
	}
	if id != 0 && len(letters) == 0 {
		return res, fmt.Errorf("redrive %s: dead letter %d: %w", name, id, ErrDeadLetterNotFound)
	}
	for _, d := range letters {
		ok, failed, err := m.redriveOne(ctx, p, d)
		if err != nil {
			return res, fmt.Errorf("redrive %s: dead letter %d: %w", name, d.ID, err)
		}
		switch {
		case ok:
			res.Applied++
		case failed != nil:
			res.Failed = append(res.Failed, *failed)
		}
	}
	return res, nil
}

// redriveOne retries one dead letter in its own transaction. It returns
// ok when the event applied, the updated dead letter when it failed again,
// and neither when the dead letter was gone or no longer of the live
// generation.
func (m *Manager) redriveOne(ctx context.Context, p Projection, d DeadLetter) (ok bool, failed *DeadLetter, err error) {
	tx, err := m.pool.Begin(ctx)
	if err != nil {
		return false, nil, err
	}
	defer rollback(tx)
	if _, err := tx.Exec(ctx, idleTimeoutSQL, fmt.Sprint(m.ttlMillis())); err != nil {
		return false, nil, err
	}
	cp, found, err := lockCheckpoint(ctx, tx, d.Projection)
	if err != nil {
		return false, nil, err
	}
	if !found || cp.generation != d.Generation {
		return false, nil, nil // a rebuild replaced the generation meanwhile
	}
	var attempts int
	err = tx.QueryRow(ctx, `SELECT attempts FROM projections.dead_letters WHERE id = $1 FOR UPDATE`, d.ID).Scan(&attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil, nil // redriven by someone else meanwhile
	}
	if err != nil {
		return false, nil, err
	}

	t := newTarget(p, d.Generation)
	cause := m.reapply(ctx, t, tx, d)
	if cause != nil && transient(cause) {
		return false, nil, cause
	}
	if cause == nil {
		if _, err := tx.Exec(ctx, `DELETE FROM projections.dead_letters WHERE id = $1`, d.ID); err != nil {
			return false, nil, err
		}
	} else {
		d.Reason = truncate(cause.Error(), maxReason)
		err := tx.QueryRow(ctx, `UPDATE projections.dead_letters SET reason = $2, attempts = attempts + 1, retried_at = now()
WHERE id = $1 RETURNING attempts, retried_at`, d.ID, d.Reason).Scan(&d.Attempts, &d.RetriedAt)
		if err != nil {
			return false, nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, nil, err
	}
	if cause != nil {
		return false, &d, nil
	}
	return true, nil, nil
}

// reapply reads the dead letter's event from its stream and applies it
// under a savepoint of tx. It returns why it failed; after a failure that
// is not transient, tx is as it was before.
func (m *Manager) reapply(ctx context.Context, t target, tx pgx.Tx, d DeadLetter) error {
	events, err := m.store.ReadStream(ctx, d.Stream, eventstore.ReadOptions{From: d.Revision, Count: 1})
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return err
	}
	if len(events) == 0 || events[0].ID != d.EventID {
		return fmt.Errorf("event %s is no longer at revision %d of %s", d.EventID, d.Revision, d.Stream)
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT "+savepoint); err != nil {
		return err
	}
	w := newWriter(tx, t.schema)
	cause := t.apply(ctx, w, events[0])
	if cause == nil {
		cause = w.flush(ctx)
	}
	if cause == nil || transient(cause) {
		return cause
	}
	if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); err != nil {
		return err
	}
	return cause
}
