package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// A lease row says who owns a projection until when, by the database's
// clock. Taking it over requires it to have expired; extending it requires
// still being its owner. Every batch extends it inside its own transaction
// (see runner.go), and a row lock orders that against any takeover.

const (
	acquireSQL = `INSERT INTO projections.leases AS l (name, owner, expires_at)
VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE
SET owner = excluded.owner, expires_at = excluded.expires_at,
    acquired_at = CASE WHEN l.owner = excluded.owner THEN l.acquired_at ELSE now() END,
    rate = CASE WHEN l.owner = excluded.owner THEN l.rate ELSE 0 END
WHERE l.owner = excluded.owner OR l.expires_at < clock_timestamp()
RETURNING true`
	extendSQL = `UPDATE projections.leases
SET expires_at = clock_timestamp() + $3 * interval '1 millisecond', rate = $4
WHERE name = $1 AND owner = $2`
	releaseSQL = `UPDATE projections.leases SET expires_at = '-infinity', rate = 0 WHERE name = $1 AND owner = $2`
)

// ttlMillis is the lease's time to live in the unit the SQL takes.
func (m *Manager) ttlMillis() int64 { return m.ttl.Milliseconds() }

// acquire waits until this process owns the lease of name, trying every
// quarter of the TTL. It returns only the context's error.
func (m *Manager) acquire(ctx context.Context, name string) error {
	poll := max(m.ttl/4, 10*time.Millisecond)
	for {
		var ok bool
		err := m.pool.QueryRow(ctx, acquireSQL, name, m.owner, m.ttlMillis()).Scan(&ok)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, pgx.ErrNoRows): // someone else owns it
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			m.logger.WarnContext(ctx, "take projection lease", "projection", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// extend extends the lease of name while the runner is idle. It returns
// ErrLeaseLost when another owner has it.
func (m *Manager) extend(ctx context.Context, name string, rate float64) error {
	tag, err := m.pool.Exec(ctx, extendSQL, name, m.owner, m.ttlMillis(), rate)
	if err != nil {
		return fmt.Errorf("extend lease of %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("extend lease of %s: %w", name, ErrLeaseLost)
	}
	return nil
}

// release gives the lease of name up, if this process still has it, so a
// standby takes over at once.
func (m *Manager) release(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := m.pool.Exec(ctx, releaseSQL, name, m.owner); err != nil {
		m.logger.Warn("release projection lease", "projection", name, "err", err)
	}
}
