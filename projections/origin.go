package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/origin"
)

// Every checkpoint records the identity of the event store whose log its
// position is in (package eventstore/origin): a consumer's first one and
// a rebuild's swap record the store's identity at that moment, and a
// runner refuses to follow the log from a checkpoint that records
// another.

// storeIdentity returns the identity of the store's log, or the zero
// Identity when it has none yet.
func (m *Manager) storeIdentity(ctx context.Context) (eventstore.Identity, error) {
	id, _, err := eventstore.ReadIdentity(ctx, m.store)
	return id, err
}

// identityArgs are the SQL arguments recording id: NULLs for the zero
// Identity.
func identityArgs(id eventstore.Identity) (storeID, created any) {
	if id.IsZero() {
		return nil, nil
	}
	return id.ID, id.Created
}

// checkEventStore returns a *origin.MismatchError when checkpoint cp of
// projection name records another event store than the store's. A
// checkpoint that records none passes: `orderflow serve` records the
// identity where none is (origin.Check) before it starts the runtime.
func (m *Manager) checkEventStore(ctx context.Context, name string, cp checkpoint) error {
	if cp.eventStore.IsZero() {
		return nil
	}
	current, err := m.storeIdentity(ctx)
	if err != nil {
		return err
	}
	if current.ID == cp.eventStore.ID {
		return nil
	}
	return &origin.MismatchError{Current: current, Foreign: []origin.Holder{{Kind: origin.Checkpoint, Name: name, From: cp.eventStore}}}
}

// ResetForeign forgets, in one transaction, every projection whose
// checkpoint records another event store than current: its checkpoint,
// its generations' schemas, its readmodel views, its dead letters and its
// rebuild's progress, whether this binary registers it or not. Run then
// rebuilds each read model from current's log and starts each consumer
// at its start, as for a projection never run. Checkpoints that record no
// event store adopt current, as origin.Check does. It returns the names
// of the projections forgotten. Every process running projections should
// be stopped first: a runner that was following one of them stops at its
// next batch (ErrFenced) and finds it gone.
func (m *Manager) ResetForeign(ctx context.Context, current eventstore.Identity) ([]string, error) {
	if current.IsZero() {
		return nil, fmt.Errorf("reset projections: no event store identity given")
	}
	tx, err := m.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("reset projections: %w", err)
	}
	defer rollback(tx)
	rows, err := tx.Query(ctx, `SELECT name, views FROM projections.checkpoints
WHERE event_store_id <> $1 ORDER BY name FOR UPDATE`, current.ID)
	if err != nil {
		return nil, fmt.Errorf("reset projections: %w", err)
	}
	type foreign struct {
		name  string
		views []string
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (foreign, error) {
		var f foreign
		return f, row.Scan(&f.name, &f.views)
	})
	if err != nil {
		return nil, fmt.Errorf("reset projections: %w", err)
	}
	names := make([]string, 0, len(all))
	for _, f := range all {
		if err := forget(ctx, tx, f.name, f.views); err != nil {
			return nil, fmt.Errorf("reset projections: %s: %w", f.name, err)
		}
		names = append(names, f.name)
	}
	if _, err := tx.Exec(ctx, `UPDATE projections.checkpoints SET event_store_id = $1, event_store_created = $2
WHERE event_store_id IS NULL`, current.ID, current.Created); err != nil {
		return nil, fmt.Errorf("reset projections: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("reset projections: %w", err)
	}
	for _, name := range names {
		m.logger.InfoContext(ctx, "projection reset to follow another event store", "projection", name, "event_store", current.String())
	}
	return names, nil
}

// forget removes in tx everything projection name has: the views, the
// generations, the dead letters, the rebuild's progress and the
// checkpoint.
func forget(ctx context.Context, tx pgx.Tx, name string, views []string) error {
	for _, v := range views {
		if _, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+quote(viewSchema)+"."+quote(v)); err != nil {
			return fmt.Errorf("drop view %s: %w", v, err)
		}
	}
	if err := dropGenerations(ctx, tx, name, func(int) bool { return true }); err != nil {
		return err
	}
	for _, sql := range []string{
		`DELETE FROM projections.dead_letters WHERE projection = $1`,
		`DELETE FROM projections.rebuilds WHERE name = $1`,
		`DELETE FROM projections.checkpoints WHERE name = $1`,
	} {
		if _, err := tx.Exec(ctx, sql, name); err != nil {
			return err
		}
	}
	return nil
}
