package runner

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/platform/lease"
)

// claimFor is how long a saga picked by the scheduler stays claimed. Drive
// parks or forgets it long before; a runner that dies holding it delays the
// saga until its partition's new owner takes over, which voids the claims
// of the partition (see schedule).
const claimFor = 5 * time.Second

// The statements of sagas.active. A driver's writes are fenced in the
// database too: they apply only while its tenure of the saga's partition
// is current (lease.Fence), so a driver that lost its lease cannot move a saga's
// wake-up time after the new owner has.
var (
	parkSQL = `INSERT INTO sagas.active (saga, saga_id, wake_at) VALUES ($1, $2, $3)
ON CONFLICT (saga, saga_id) DO UPDATE SET wake_at = excluded.wake_at`
	parkFencedSQL = `INSERT INTO sagas.active (saga, saga_id, wake_at) SELECT $1, $2, $3 WHERE ` + lease.Fence(4) + `
ON CONFLICT (saga, saga_id) DO UPDATE SET wake_at = excluded.wake_at`
	// parkAllSQL is parkSQL for many sagas ($2, an array).
	parkAllSQL = `INSERT INTO sagas.active (saga, saga_id, wake_at)
SELECT $1, id, $3 FROM unnest($2::text[]) AS id
ON CONFLICT (saga, saga_id) DO UPDATE SET wake_at = excluded.wake_at`
	forgetSQL       = `DELETE FROM sagas.active WHERE saga = $1 AND saga_id = $2`
	forgetFencedSQL = forgetSQL + ` AND ` + lease.Fence(3)
	// claimSQL takes the due sagas of the partitions owned ($4 of $5).
	claimSQL = `UPDATE sagas.active a SET wake_at = $3
WHERE (a.saga, a.saga_id) IN (
	SELECT saga, saga_id FROM sagas.active
	WHERE saga = $1 AND wake_at <= $2 AND partition_key % $5 = ANY($4::int[])
	ORDER BY wake_at LIMIT 256 FOR UPDATE SKIP LOCKED)
RETURNING a.saga_id`
	// voidClaimsSQL makes due now the sagas of partitions just taken over
	// ($4 of $5) that may be claimed by their former owner (due at most
	// claimFor from now, $3); waking a saga early only makes it park again.
	voidClaimsSQL = `UPDATE sagas.active SET wake_at = $2
WHERE saga = $1 AND wake_at > $2 AND wake_at <= $3 AND partition_key % $5 = ANY($4::int[])`
)

// park records that the saga of order id wants to run at until. Under a
// term t (nil: none), it fails with ErrLeaseLost when the term has ended.
func (r *Runner) park(ctx context.Context, t *lease.Term, id string, until time.Time) error {
	if t == nil {
		_, err := r.cfg.Pool.Exec(ctx, parkSQL, sagaName, id, until)
		return wrapIf(err, "park saga %s", id)
	}
	tag, err := r.fenced(ctx, t, parkFencedSQL, append([]any{sagaName, id, until}, t.Tenure().Args()...)...)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrLeaseLost
	}
	return wrapIf(err, "park saga %s", id)
}

// forget records that the saga of order id has finished, under a term t
// (nil: none).
func (r *Runner) forget(ctx context.Context, t *lease.Term, id string) error {
	var err error
	if t == nil {
		_, err = r.cfg.Pool.Exec(ctx, forgetSQL, sagaName, id)
	} else {
		_, err = r.fenced(ctx, t, forgetFencedSQL, append([]any{sagaName, id}, t.Tenure().Args()...)...)
	}
	return wrapIf(err, "forget saga %s", id)
}

// fenced executes sql once t has been checked.
func (r *Runner) fenced(ctx context.Context, t *lease.Term, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.Check(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return r.cfg.Pool.Exec(ctx, sql, args...)
}

// schedule wakes the due sagas of the partitions this runner owns, until
// ctx ends. Claiming pushes their wake time forward, so a saga is handed
// out once per claim; a partition just taken over first has its former
// owner's claims voided.
func (r *Runner) schedule(ctx context.Context) error {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		if err := r.claim(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.WarnContext(ctx, "fulfillment scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// claim claims and wakes the due sagas of the partitions owned.
func (r *Runner) claim(ctx context.Context) error {
	now := r.cfg.Now()
	if fresh := r.keeper.takeFresh(); len(fresh) > 0 {
		if _, err := r.cfg.Pool.Exec(ctx, voidClaimsSQL, sagaName, now, now.Add(claimFor), fresh, r.cfg.Partitions); err != nil {
			return wrapf(err, "void the claims of partitions %v", fresh)
		}
	}
	owned := r.keeper.owned()
	if len(owned) == 0 {
		return nil
	}
	rows, err := r.cfg.Pool.Query(ctx, claimSQL, sagaName, now, now.Add(claimFor), owned, r.cfg.Partitions)
	if err != nil {
		return wrapf(err, "claim due sagas")
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return wrapf(err, "claim due sagas")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrapf(err, "claim due sagas")
	}
	for _, id := range ids {
		r.wake(id)
	}
	return nil
}

func wrapIf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return wrapf(err, format, args...)
}
