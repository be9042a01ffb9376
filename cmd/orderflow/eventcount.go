package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// logCounter returns what counts the events of the global log, for the
// totals (and so the ETAs) of rebuilds' progress: a count of the
// PostgreSQL event store's table, cheap enough once per rebuild. With
// EventStoreDB it returns nil, which leaves the totals unknown.
func logCounter(cfg Config, pool *pgxpool.Pool) func(context.Context) (int64, error) {
	if cfg.EventStoreURL != "" {
		return nil
	}
	return func(ctx context.Context) (int64, error) {
		var n int64
		err := pool.QueryRow(ctx, `SELECT count(*) FROM eventstore.events`).Scan(&n)
		return n, err
	}
}
