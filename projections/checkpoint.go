package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// checkpoint is a projection's row in projections.checkpoints: its live
// generation and how far that generation has read the log.
type checkpoint struct {
	generation int
	version    int
	position   eventstore.Position
	// recorded is the recorded time of the last event applied; zero when
	// none was.
	recorded  time.Time
	views     []string
	lastError string
	// eventStore is the identity of the event store whose log the
	// position is in; zero when none is recorded (see package
	// eventstore/origin).
	eventStore eventstore.Identity
}

const checkpointColumns = `generation, version, commit_pos, prepare_pos, last_recorded_at, views, coalesce(last_error, ''),
    event_store_id, event_store_created`

// loadCheckpoint reads the checkpoint of name; found is false when the
// projection has no live generation yet.
func loadCheckpoint(ctx context.Context, db dbtx, name string) (cp checkpoint, found bool, err error) {
	return scanCheckpoint(db.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM projections.checkpoints WHERE name = $1`, name))
}

// lockCheckpoint is loadCheckpoint that also locks the row until the end
// of tx: the runner's batches, rebuild swaps and redrives all lock it
// first, so they never interleave.
func lockCheckpoint(ctx context.Context, tx pgx.Tx, name string) (cp checkpoint, found bool, err error) {
	return scanCheckpoint(tx.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM projections.checkpoints WHERE name = $1 FOR UPDATE`, name))
}

func scanCheckpoint(row pgx.Row) (checkpoint, bool, error) {
	var (
		cp              checkpoint
		commit, prepare int64
		recorded        *time.Time
		storeID         *uuid.UUID
		storeCreated    *time.Time
	)
	err := row.Scan(&cp.generation, &cp.version, &commit, &prepare, &recorded, &cp.views, &cp.lastError, &storeID, &storeCreated)
	if errors.Is(err, pgx.ErrNoRows) {
		return checkpoint{}, false, nil
	}
	if err != nil {
		return checkpoint{}, false, fmt.Errorf("read checkpoint: %w", err)
	}
	cp.position = fromDB(commit, prepare)
	if recorded != nil {
		cp.recorded = *recorded
	}
	if storeID != nil && storeCreated != nil {
		cp.eventStore = eventstore.Identity{ID: *storeID, Created: *storeCreated}
	}
	return cp, true, nil
}

// recordError notes on the checkpoint why the projection's runner or
// rebuild last failed; the next committed batch clears it.
func (m *Manager) recordError(name string, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := m.pool.Exec(ctx, `UPDATE projections.checkpoints SET last_error = $2, error_at = now() WHERE name = $1`,
		name, truncate(cause.Error(), maxReason)); err != nil {
		m.logger.Warn("record projection error", "projection", name, "err", err)
	}
}
