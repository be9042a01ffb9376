package origin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// Beginner is what Check and Adopt need of a database: a pool or a
// connection of a database migrated by package platform/migrate.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// The statements of Check. The adoption records current's identity ($1,
// $2) where none is recorded; foreignSQL lists what records another.
const (
	adoptCheckpointsSQL = `UPDATE projections.checkpoints SET event_store_id = $1, event_store_created = $2 WHERE event_store_id IS NULL`
	adoptSagasSQL       = `INSERT INTO sagas.event_store (id, created) VALUES ($1, $2) ON CONFLICT (only_row) DO NOTHING`
	adoptAPISQL         = `INSERT INTO api.event_store (id, created) VALUES ($1, $2) ON CONFLICT (only_row) DO NOTHING`
	foreignSQL          = `SELECT kind, name, id, created FROM (
    SELECT 1 AS ord, 'checkpoint' AS kind, name, event_store_id AS id, event_store_created AS created
      FROM projections.checkpoints WHERE event_store_id <> $1
    UNION ALL SELECT 2, 'sagas', '', id, created FROM sagas.event_store WHERE id <> $1
    UNION ALL SELECT 3, 'idempotency', '', id, created FROM api.event_store WHERE id <> $1
) f ORDER BY ord, name`
)

// Check compares the event store every piece of state in the database
// records with current, the identity of the configured event store
// (eventstore.Identify). State that records none yet (written before
// identities were recorded, or while the log had no identity) adopts
// current. It returns nil when everything follows current, and a
// *MismatchError naming what does not otherwise, in which case it
// changes nothing. Several processes may check at once.
func Check(ctx context.Context, db Beginner, current eventstore.Identity) error {
	if current.IsZero() {
		return errors.New("check the event store's identity: no identity given")
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("check the event store's identity: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	for _, sql := range []string{adoptCheckpointsSQL, adoptSagasSQL, adoptAPISQL} {
		if _, err := tx.Exec(ctx, sql, current.ID, current.Created); err != nil {
			return fmt.Errorf("record the event store's identity: %w", err)
		}
	}
	foreign, err := listForeign(ctx, tx, current)
	if err != nil {
		return err
	}
	if len(foreign) > 0 {
		return &MismatchError{Current: current, Foreign: foreign}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("record the event store's identity: %w", err)
	}
	return nil
}

// listForeign returns the state that records another event store than
// current.
func listForeign(ctx context.Context, tx pgx.Tx, current eventstore.Identity) ([]Holder, error) {
	rows, err := tx.Query(ctx, foreignSQL, current.ID)
	if err != nil {
		return nil, fmt.Errorf("check the event store's identity: %w", err)
	}
	foreign, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Holder, error) {
		var (
			h       Holder
			kind    string
			id      uuid.UUID
			created time.Time
		)
		err := row.Scan(&kind, &h.Name, &id, &created)
		h.Kind, h.From = Kind(kind), eventstore.Identity{ID: id, Created: created}
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("check the event store's identity: %w", err)
	}
	return foreign, nil
}
