package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/lease"
)

// errNotRunnable means the runner found, once it held the lease, that the
// live generation is missing or of another version: the supervisor decides
// what to do.
var errNotRunnable = errors.New("projection has no live generation of this version")

// errRelease marks a lease that could not be released: a standby waits
// for it to expire. Run returns it.
var errRelease = errors.New("release projection lease")

// The statements around each batch of a runner. The prologue bounds how
// long the transaction may sit idle (a stalled process must not keep its
// locks past its lease) and locks the checkpoint row. The epilogue extends
// the lease, only if this process still owns it, and advances the
// checkpoint, only from where this batch started and only if the lease was
// extended; it reports both.
const (
	idleTimeoutSQL = `SELECT set_config('idle_in_transaction_session_timeout', $1, true)`
	lockRowSQL     = `SELECT 1 FROM projections.checkpoints WHERE name = $1 FOR UPDATE`
)

// advanceSQL is the epilogue: its lease CTE renews the tenure $1..$4
// (lease.RenewSQL); the checkpoint of projection $5 moves from ($7, $8)
// to ($9, $10) only in generation $12 and only if the lease was renewed.
var advanceSQL = `WITH lease AS (` + lease.RenewSQL(1) + `), cp AS (
    UPDATE projections.checkpoints
    SET commit_pos = $9, prepare_pos = $10, last_recorded_at = $11, rate = $6,
        last_error = NULL, error_at = NULL, updated_at = now()
    WHERE name = $5 AND generation = $12 AND commit_pos = $7 AND prepare_pos = $8
      AND EXISTS (SELECT 1 FROM lease)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM lease), EXISTS (SELECT 1 FROM cp)`

// passSQL moves the live checkpoint past events the subscription skipped
// (a checkpoint the store handed out beyond the last event), renewing the
// lease, fenced like advanceSQL by the position it moves from.
var passSQL = `WITH lease AS (` + lease.RenewSQL(1) + `), cp AS (
    UPDATE projections.checkpoints
    SET commit_pos = $8, prepare_pos = $9, updated_at = now()
    WHERE name = $5 AND generation = $10 AND commit_pos = $6 AND prepare_pos = $7
      AND EXISTS (SELECT 1 FROM lease)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM lease), EXISTS (SELECT 1 FROM cp)`

// runner follows the log for one projection's live generation while this
// process owns its lease.
type runner struct {
	m     *Manager
	t     target
	lease lease.Tenure
	after eventstore.Position
	meter *meter
}

// runLive waits for the lease of p, then applies the log to its live
// generation from the checkpoint until ctx ends or something fails. It
// returns whether it committed anything, and why it stopped: ErrLeaseLost
// or ErrFenced when another writer got in the way, errNotRunnable when the
// live generation is not p's version, a *origin.MismatchError when the
// checkpoint is in another event store's log, ctx.Err(), or a failure.
func (m *Manager) runLive(ctx context.Context, p Projection) (progressed bool, err error) {
	name := p.Name()
	tenure, err := m.acquire(ctx, name)
	if err != nil {
		return false, err
	}
	defer func() {
		if rerr := m.release(ctx, tenure); rerr != nil {
			m.logger.WarnContext(ctx, "release projection lease", "projection", name, "epoch", tenure.Epoch, "err", rerr)
			err = errors.Join(err, fmt.Errorf("%w %s: %w", errRelease, name, rerr))
		}
	}()
	cp, found, err := loadCheckpoint(ctx, m.pool, name)
	if err != nil {
		return false, err
	}
	if !found || cp.version != p.Version() {
		return false, errNotRunnable
	}
	if err := m.checkEventStore(ctx, name, cp); err != nil {
		return false, err
	}
	// Generations older than the live one are left over from a rebuild
	// that stopped after its swap; nobody reads them.
	if err := dropGenerations(ctx, m.pool, name, func(g int) bool { return g < cp.generation }); err != nil {
		return false, err
	}
	sub, err := m.store.Subscribe(ctx, eventstore.SubscribeOptions{From: cp.position, BatchSize: m.batchSize, Checkpoints: true})
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	f := startFeed(ctx, sub)
	defer f.stop()
	t := newTarget(p, cp.generation)
	t.tracer = m.tracer
	r := &runner{m: m, t: t, lease: tenure, after: cp.position, meter: newMeter(m.now())}
	m.logger.InfoContext(ctx, "projection running", "projection", name, "generation", cp.generation,
		"version", cp.version, "from", cp.position.String(), "owner", m.owner, "epoch", tenure.Epoch)

	// The lease is extended by every batch, and by extend when no batch
	// has committed for a third of its TTL.
	idle := time.NewTimer(m.ttl / 3)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return progressed, ctx.Err()
		case <-idle.C:
			if err := m.extend(ctx, name, tenure, r.meter.rate(m.now())); err != nil {
				return progressed, err
			}
			idle.Reset(m.ttl / 3)
		case b := <-f.batches:
			if b.err != nil {
				return progressed, fmt.Errorf("read the log: %w", b.err)
			}
			committed, err := r.apply(ctx, b.events)
			if err != nil {
				return progressed, err
			}
			if r.after.Less(b.checkpoint) {
				if err := r.pass(ctx, b.checkpoint); err != nil {
					return progressed, err
				}
				committed = true
			}
			if committed {
				progressed = true
				idle.Reset(m.ttl / 3)
			}
		}
	}
}

// pass saves to, a checkpoint the subscription handed out beyond the
// last event applied, as the live checkpoint, with the lease extended, so
// that a restart does not read the events it skipped again.
func (r *runner) pass(ctx context.Context, to eventstore.Position) error {
	name := r.t.name
	fromCommit, fromPrepare, err := dbPosition(r.after)
	if err != nil {
		return err
	}
	commit, prepare, err := dbPosition(to)
	if err != nil {
		return err
	}
	var leased, advanced bool
	args := append(r.m.leases.RenewArgs(r.lease), name, fromCommit, fromPrepare, commit, prepare, r.t.gen)
	if err := r.m.pool.QueryRow(ctx, passSQL, args...).Scan(&leased, &advanced); err != nil {
		return fmt.Errorf("save the checkpoint of %s: %w", name, err)
	}
	switch {
	case !leased:
		r.m.metrics.leaseLost.Add(1)
		return fmt.Errorf("save the checkpoint of %s: %w", name, ErrLeaseLost)
	case !advanced:
		return fmt.Errorf("save the checkpoint of %s: %w", name, ErrFenced)
	}
	r.after = to
	return nil
}

// apply commits one batch of the subscription: the events not seen yet,
// the dead letters of those refused, the new checkpoint and the extended
// lease, in one transaction. It commits nothing when every event was seen
// before.
func (r *runner) apply(ctx context.Context, batch []eventstore.RecordedEvent) (committed bool, err error) {
	events := unseen(batch, r.after)
	if len(events) == 0 {
		return false, nil
	}
	m, name := r.m, r.t.name
	fromCommit, fromPrepare, err := dbPosition(r.after)
	if err != nil {
		return false, err
	}
	spec := txSpec{
		prologue: func(w *Writer) {
			w.Exec(idleTimeoutSQL, fmt.Sprint(m.ttlMillis()))
			w.Exec(lockRowSQL, name)
		},
		epilogue: func(w *Writer, o outcome) func() error {
			commit, prepare, err := dbPosition(o.last)
			if err != nil {
				return func() error { return err }
			}
			now := m.now()
			r.meter.add(now, o.handled)
			var leased, advanced bool
			args := append(m.leases.RenewArgs(r.lease), name, r.meter.rate(now),
				fromCommit, fromPrepare, commit, prepare, o.recorded, r.t.gen)
			w.batch.Queue(advanceSQL, args...).QueryRow(func(row pgx.Row) error { return row.Scan(&leased, &advanced) })
			return func() error {
				switch {
				case !leased:
					return fmt.Errorf("commit batch of %s: %w", name, ErrLeaseLost)
				case !advanced:
					return fmt.Errorf("commit batch of %s: %w", name, ErrFenced)
				}
				return nil
			}
		},
	}
	if hook := m.hooks.afterWrites; hook != nil {
		spec.afterWrites = func() { hook(name) }
	}
	o, retried, err := r.t.commitBatch(ctx, m.pool, events, spec)
	if retried {
		m.metrics.retried.Add(1)
	}
	if err != nil {
		if errors.Is(err, ErrLeaseLost) {
			m.metrics.leaseLost.Add(1)
		}
		return false, err
	}
	m.metrics.batches.Add(1)
	m.metrics.applied.Add(int64(o.handled))
	r.after = o.last
	for _, pe := range o.parked {
		m.logger.WarnContext(ctx, "event parked", "projection", name, "generation", r.t.gen,
			"event", pe.event.ID, "stream", pe.event.Stream, "revision", pe.event.Revision,
			"type", pe.event.Type, "reason", pe.reason)
	}
	return true, nil
}
