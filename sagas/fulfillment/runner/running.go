package runner

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// runningSQL counts the sagas not yet ended: those in sagas.active.
const runningSQL = `SELECT count(*) FROM sagas.active WHERE saga = $1`

// Running returns how many fulfillment sagas have started and not yet
// ended, across every runner sharing the database in pool: the gauge of
// sagas in flight. It is safe for concurrent use.
func Running(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var n int64
	if err := pool.QueryRow(ctx, runningSQL, sagaName).Scan(&n); err != nil {
		return 0, fmt.Errorf("count running sagas: %w", err)
	}
	return n, nil
}
