package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
)

// Live is a projection's live generation as ReadLive shows it.
type Live struct {
	// Schema is the generation's schema, quoted for use as a qualifier:
	// fmt.Sprintf("SELECT ... FROM %s.products", live.Schema).
	Schema string
	// Position is the generation's checkpoint: its tables hold the effect
	// of every event of the log up to it, except the Parked ones.
	Position eventstore.Position
	// Parked lists, once each, the streams of the events the generation
	// parked (its dead letters), whose effect its tables lack.
	Parked []string
}

// readLiveAttempts bounds how often ReadLive starts again when a rebuild
// swapped the generation it was reading away.
const readLiveAttempts = 3

// ReadLive calls fn with the live generation of projection name, inside a
// read-only repeatable-read transaction in which fn reads its tables: what
// fn reads is then exactly what the log up to live.Position made of them,
// so a consumer can start from that state and follow the log from
// live.Position. It returns found false, without calling fn, when the
// projection has no live generation yet; fn's error, or the error that
// kept it from reading. A rebuild that swaps the generation away while
// ReadLive reads it makes it start again, a few times. It is safe for
// concurrent use and needs no Manager: it only reads.
func ReadLive(ctx context.Context, pool *pgxpool.Pool, name string, fn func(ctx context.Context, tx pgx.Tx, live Live) error) (found bool, err error) {
	for attempt := 1; ; attempt++ {
		found, err = readLiveOnce(ctx, pool, name, fn)
		var pgErr *pgconn.PgError
		if err == nil || attempt == readLiveAttempts || !errors.As(err, &pgErr) ||
			(pgErr.Code != "42P01" && pgErr.Code != "3F000") { // undefined table, undefined schema
			return found, err
		}
	}
}

func readLiveOnce(ctx context.Context, pool *pgxpool.Pool, name string, fn func(ctx context.Context, tx pgx.Tx, live Live) error) (found bool, err error) {
	err = pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		cp, ok, err := loadCheckpoint(ctx, tx, name)
		if err != nil || !ok {
			return err
		}
		found = true
		rows, err := tx.Query(ctx, `SELECT DISTINCT stream FROM projections.dead_letters WHERE projection = $1 AND generation = $2 ORDER BY stream`,
			name, cp.generation)
		if err != nil {
			return fmt.Errorf("read dead letters of %s: %w", name, err)
		}
		parked, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("read dead letters of %s: %w", name, err)
		}
		return fn(ctx, tx, Live{Schema: quote(generationSchema(name, cp.generation)), Position: cp.position, Parked: parked})
	})
	if err != nil {
		return false, fmt.Errorf("read the live %s: %w", name, err)
	}
	return found, nil
}
