package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// DeadLetter is an event a projection could not apply, parked so that the
// projection could go on. The event itself stays in the log.
type DeadLetter struct {
	// ID identifies the dead letter (for Redrive).
	ID int64
	// Projection and Generation say whose tables refused the event.
	Projection string
	Generation int
	// Position, EventID, Stream, Revision and Type locate the event.
	Position eventstore.Position
	EventID  uuid.UUID
	Stream   string
	Revision uint64
	Type     string
	// Reason is the error of the last attempt to apply the event.
	Reason string
	// Attempts counts the attempts: 1 when parked, one more per redrive.
	Attempts int
	// ParkedAt is when the event was parked; RetriedAt when it was last
	// redriven (zero if never).
	ParkedAt  time.Time
	RetriedAt time.Time
}

// parkedEvent is an event being parked and why.
type parkedEvent struct {
	event  eventstore.RecordedEvent
	reason string
}

// maxReason bounds the reason stored, in bytes.
const maxReason = 4000

const parkSQL = `INSERT INTO projections.dead_letters
    (projection, generation, commit_pos, prepare_pos, event_id, stream, revision, type, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (projection, generation, event_id) DO UPDATE
SET reason = excluded.reason, attempts = dead_letters.attempts + 1, retried_at = now()`

// park queues the dead letter of pe on w, in the batch's transaction.
func (t target) park(w *Writer, pe parkedEvent) error {
	commit, prepare, err := dbPosition(pe.event.Position)
	if err != nil {
		return err
	}
	w.Exec(parkSQL, t.name, t.gen, commit, prepare, pe.event.ID, pe.event.Stream,
		int64(pe.event.Revision), pe.event.Type, truncate(pe.reason, maxReason))
	return nil
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

const deadLetterColumns = `id, projection, generation, commit_pos, prepare_pos, event_id, stream, revision, type, reason, attempts, parked_at, retried_at`

// DeadLetters returns the parked events of the live generation of the
// projection name, in log order. It returns ErrUnknownProjection for a name
// not registered.
func (m *Manager) DeadLetters(ctx context.Context, name string) ([]DeadLetter, error) {
	if _, err := m.projection(name); err != nil {
		return nil, err
	}
	return m.deadLetters(ctx, name, 0)
}

// deadLetters lists the dead letters of the live generation of name, or
// only the one with id when id is not 0.
func (m *Manager) deadLetters(ctx context.Context, name string, id int64) ([]DeadLetter, error) {
	rows, err := m.pool.Query(ctx, `SELECT `+deadLetterColumns+` FROM projections.dead_letters d
WHERE projection = $1 AND ($2 = 0 OR id = $2)
  AND generation = (SELECT generation FROM projections.checkpoints WHERE name = $1)
ORDER BY commit_pos, prepare_pos`, name, id)
	if err != nil {
		return nil, fmt.Errorf("list dead letters of %s: %w", name, err)
	}
	out, err := pgx.CollectRows(rows, scanDeadLetter)
	if err != nil {
		return nil, fmt.Errorf("list dead letters of %s: %w", name, err)
	}
	return out, nil
}

func scanDeadLetter(row pgx.CollectableRow) (DeadLetter, error) {
	var (
		d               DeadLetter
		commit, prepare int64
		revision        int64
		retried         *time.Time
	)
	if err := row.Scan(&d.ID, &d.Projection, &d.Generation, &commit, &prepare, &d.EventID, &d.Stream,
		&revision, &d.Type, &d.Reason, &d.Attempts, &d.ParkedAt, &retried); err != nil {
		return d, err
	}
	d.Position, d.Revision = fromDB(commit, prepare), uint64(revision)
	if retried != nil {
		d.RetriedAt = *retried
	}
	return d, nil
}
