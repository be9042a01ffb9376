// Package migrate applies orderflow's versioned SQL migrations (package
// schema) to a PostgreSQL database with goose.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/orderflow/orderflow/schema"
)

// lockID is the advisory lock that serialises concurrent migrators.
const lockID = 0x6f72646572666c6f // "orderflo"

// Up applies every pending migration to the database at databaseURL. Several
// processes may call it at once: an advisory lock lets one migrate while the
// others wait, then find nothing to do. It returns the number of migrations
// applied.
func Up(ctx context.Context, databaseURL string, logger *slog.Logger) (int, error) {
	p, db, err := Provider(databaseURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		logger.InfoContext(ctx, "migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return len(results), nil
}

// Pending reports whether the database at databaseURL lacks migrations.
func Pending(ctx context.Context, databaseURL string) (bool, error) {
	p, db, err := Provider(databaseURL)
	if err != nil {
		return false, err
	}
	defer db.Close()
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	return pending, nil
}

// PendingIn reports whether the database of pool lacks migrations. It
// borrows one of pool's connections rather than opening its own, so that
// a readiness probe asking often costs no new connection.
func PendingIn(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close() // the pool stays open
	p, err := goose.NewProvider(goose.DialectPostgres, db, schema.Migrations(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return false, fmt.Errorf("migration provider: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	return pending, nil
}

// Provider returns goose's provider of the migrations for the database at
// databaseURL, under the migrators' advisory lock, to take the schema up or
// down step by step; close db when done with it.
func Provider(databaseURL string) (p *goose.Provider, db *sql.DB, err error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("parse database url: %w", err)
	}
	db = stdlib.OpenDB(*cfg)
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err = goose.NewProvider(goose.DialectPostgres, db, schema.Migrations(),
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, db, nil
}
