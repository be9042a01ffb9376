package origin

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// Adopted says what Adopt forgot.
type Adopted struct {
	// Sagas is the number of running sagas forgotten: the saga intake
	// finds them again in the log.
	Sagas int64
	// Idempotency is the number of stored Idempotency-Key responses
	// forgotten.
	Idempotency int64
}

// The sagas' and the API's state, each with the row that records its
// event store: what Adopt clears when that is another than current.
var adoptable = []struct {
	table, clear string
	count        func(*Adopted) *int64
}{
	{"sagas.event_store", `DELETE FROM sagas.active`, func(a *Adopted) *int64 { return &a.Sagas }},
	{"api.event_store", `DELETE FROM api.idempotency`, func(a *Adopted) *int64 { return &a.Idempotency }},
}

// Adopt is the part of the reset outside the projections' checkpoints
// (projections.Manager.ResetForeign resets those): the running sagas and
// the stored Idempotency-Key responses that came from another event store
// than current are forgotten, and current is recorded for both, in one
// transaction. The running sagas live on in the log: the saga intake,
// started again from the start of current's log, finds them there. A
// forgotten Idempotency-Key response makes a retry of its request run
// again, against current's log, where its deterministic event ids keep it
// from being applied twice. State that records no event store adopts
// current as it is, as Check does. Adopt is safe to run again.
func Adopt(ctx context.Context, db Beginner, current eventstore.Identity) (Adopted, error) {
	if current.IsZero() {
		return Adopted{}, errors.New("adopt the event store: no identity given")
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return Adopted{}, fmt.Errorf("adopt the event store: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var out Adopted
	for _, a := range adoptable {
		var recorded uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM `+a.table+` FOR UPDATE`).Scan(&recorded)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Adopted{}, fmt.Errorf("adopt the event store: %s: %w", a.table, err)
		}
		if err == nil && recorded != current.ID {
			tag, err := tx.Exec(ctx, a.clear)
			if err != nil {
				return Adopted{}, fmt.Errorf("adopt the event store: %w", err)
			}
			*a.count(&out) = tag.RowsAffected()
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+a.table+` (id, created) VALUES ($1, $2)
ON CONFLICT (only_row) DO UPDATE SET id = excluded.id, created = excluded.created, recorded_at = now()`, current.ID, current.Created); err != nil {
			return Adopted{}, fmt.Errorf("adopt the event store: %s: %w", a.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return Adopted{}, fmt.Errorf("adopt the event store: %w", err)
	}
	return out, nil
}
