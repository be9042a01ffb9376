package fulfillment

import (
	"context"
	"time"
)

// claimFor is how long a saga picked by the scheduler stays claimed. Drive
// parks or forgets it long before; a runner that dies holding it delays the
// saga by at most this much, and a slow Drive that outlives it costs only
// repeated, idempotent work.
const claimFor = 5 * time.Second

// park records that the saga of order id wants to run at until.
func (r *Runner) park(ctx context.Context, id string, until time.Time) error {
	_, err := r.cfg.Pool.Exec(ctx, `INSERT INTO sagas.active (saga, saga_id, wake_at) VALUES ($1, $2, $3)
		ON CONFLICT (saga, saga_id) DO UPDATE SET wake_at = excluded.wake_at`, sagaName, id, until)
	return wrapIf(err, "park saga %s", id)
}

// parkAll records that the sagas of orders ids want to run at until.
func (r *Runner) parkAll(ctx context.Context, ids []string, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := r.cfg.Pool.Exec(ctx, `INSERT INTO sagas.active (saga, saga_id, wake_at)
		SELECT $1, id, $3 FROM unnest($2::text[]) AS id
		ON CONFLICT (saga, saga_id) DO UPDATE SET wake_at = excluded.wake_at`, sagaName, ids, until)
	return wrapIf(err, "park %d sagas", len(ids))
}

// forget records that the saga of order id has finished.
func (r *Runner) forget(ctx context.Context, id string) error {
	_, err := r.cfg.Pool.Exec(ctx, `DELETE FROM sagas.active WHERE saga = $1 AND saga_id = $2`, sagaName, id)
	return wrapIf(err, "forget saga %s", id)
}

// schedule wakes the sagas that are due, until ctx ends. Claiming pushes
// their wake time forward, so a saga is handed out once per claim even
// with several runners.
func (r *Runner) schedule(ctx context.Context) error {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		now := r.cfg.Now()
		rows, err := r.cfg.Pool.Query(ctx, `UPDATE sagas.active a SET wake_at = $3
			WHERE (a.saga, a.saga_id) IN (
				SELECT saga, saga_id FROM sagas.active
				WHERE saga = $1 AND wake_at <= $2 ORDER BY wake_at LIMIT 256 FOR UPDATE SKIP LOCKED)
			RETURNING a.saga_id`, sagaName, now, now.Add(claimFor))
		if err == nil {
			var ids []string
			for rows.Next() {
				var id string
				if err = rows.Scan(&id); err != nil {
					break
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
			for _, id := range ids {
				r.wake(id)
			}
		}
		if err != nil && ctx.Err() == nil {
			r.cfg.Logger.WarnContext(ctx, "fulfillment scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func wrapIf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return wrapf(err, format, args...)
}
