package api

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultIdempotencyRetention is how long stored responses are kept for
// replay when the caller names no retention.
const DefaultIdempotencyRetention = 24 * time.Hour

// pruneBatch bounds the rows one statement of PruneIdempotency deletes, so
// that pruning a large backlog holds no long locks.
const pruneBatch = 5000

// PruneEvery is how often RunIdempotencyRetention prunes.
const PruneEvery = 10 * time.Minute

// PruneIdempotency deletes the responses stored more than keep ago, in
// batches, and returns how many it deleted. A retry of a key forgotten
// this way is handled as a new request; its command still appends nothing
// twice, since the events' ids derive from the key (package command).
// Several processes may prune at once.
func PruneIdempotency(ctx context.Context, pool *pgxpool.Pool, keep time.Duration) (int64, error) {
	var total int64
	for {
		tag, err := pool.Exec(ctx, `DELETE FROM api.idempotency WHERE (scope, key) IN (
SELECT scope, key FROM api.idempotency WHERE created_at < now() - $1::interval
ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, keep, pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune idempotency records: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
}

// RunIdempotencyRetention prunes the responses older than keep (zero or
// less means DefaultIdempotencyRetention) now and every PruneEvery until
// ctx ends, and returns ctx's error or the error of a prune that failed.
func RunIdempotencyRetention(ctx context.Context, pool *pgxpool.Pool, keep time.Duration) error {
	if keep <= 0 {
		keep = DefaultIdempotencyRetention
	}
	t := time.NewTicker(PruneEvery)
	defer t.Stop()
	for {
		if _, err := PruneIdempotency(ctx, pool, keep); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
