package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/platform/lease"
)

// A projection's live runner holds the lease of package platform/lease
// named leaseName(projection). It renews it inside every batch
// transaction (see runner.go) and, while no batch commits, every third of
// the TTL; the renewal locks the lease row, which orders a batch against
// any takeover.

// leaseName is the name of the lease of projection name.
func leaseName(name string) string { return "projection/" + name }

// ttlMillis is the lease's time to live in the unit the SQL takes.
func (m *Manager) ttlMillis() int64 { return m.ttl.Milliseconds() }

// extendSQL renews the lease ($1..$4, lease.RenewSQL) while the runner is
// idle, and notes the owner's rate ($6) on the checkpoint of projection $5.
var extendSQL = `WITH lease AS (` + lease.RenewSQL(1) + `), cp AS (
    UPDATE projections.checkpoints SET rate = $6 WHERE name = $5 AND EXISTS (SELECT 1 FROM lease)
)
SELECT EXISTS (SELECT 1 FROM lease)`

// acquire waits until this process owns the lease of projection name,
// trying every quarter of the TTL, and at once when the Manager's waker
// hears that the lease was released. It returns only the context's error.
func (m *Manager) acquire(ctx context.Context, name string) (lease.Tenure, error) {
	g, err := m.leases.Await(ctx, m.pool, leaseName(name), m.ttl/4)
	return g.Tenure, err
}

// extend renews the lease of projection name, tenure t, while the runner
// is idle. It returns ErrLeaseLost when t has ended.
func (m *Manager) extend(ctx context.Context, name string, t lease.Tenure, rate float64) error {
	var renewed bool
	args := append(m.leases.RenewArgs(t), name, rate)
	if err := m.pool.QueryRow(ctx, extendSQL, args...).Scan(&renewed); err != nil {
		return fmt.Errorf("extend lease of %s: %w", name, err)
	}
	if !renewed {
		return fmt.Errorf("extend lease of %s: %w", name, ErrLeaseLost)
	}
	return nil
}

// release gives the lease tenure t up, if it is still current, so a
// standby takes over at once. It runs on the pool, which must still be
// open (Run returns only after every release).
func (m *Manager) release(ctx context.Context, t lease.Tenure) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return m.leases.Release(ctx, m.pool, t)
}
