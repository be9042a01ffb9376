package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// ProgressFunc receives a rebuild's progress after every batch: the events
// replayed so far, the events in the log (an estimate that may grow; 0
// while unknown), and events per second over the recent window.
type ProgressFunc func(done, total int64, rate float64)

// RebuildResult is the outcome of a rebuild that swapped.
type RebuildResult struct {
	// Name and Version are the projection's.
	Name    string
	Version int
	// Generation is the new live generation; Previous the one it replaced
	// (0 when the projection had none).
	Generation int
	Previous   int
	// Events counts the events replayed (applied or parked), Parked those
	// parked as dead letters.
	Events int64
	Parked int
	// Position is the new generation's checkpoint at the swap.
	Position eventstore.Position
	// Duration is the time from start to swap.
	Duration time.Duration
}

// Rebuild rebuilds the projection name from the whole log, without
// downtime:
//
//  1. It takes the projection's rebuild lock (ErrRebuildRunning if taken),
//     drops whatever an interrupted rebuild left (schemas of generations
//     other than the live one, their dead letters), and creates generation
//     g+1's schema and tables.
//  2. It replays the log from the start into generation g+1, in
//     transactions of RebuildBatchSize events, while the live generation g
//     keeps serving readers and its runner keeps following the log.
//  3. Once it has caught up with the head, it swaps in one transaction: it
//     locks the checkpoint row and takes the lease (the live runner can no
//     longer commit), applies the events that arrived meanwhile, points
//     the checkpoint and the readmodel views at g+1, and drops g's dead
//     letters. The runner then resumes on g+1 from that checkpoint.
//  4. It drops g's schema.
//
// Stopped at any point before the swap commits (ctx ends, the process
// dies), it leaves the live generation untouched and serving; the next
// rebuild removes the half-built one and starts afresh. progress may be nil.
//
// Rebuild returns ErrUnknownProjection for a name not registered,
// ErrNotRebuildable for a Consumer, and
// ErrNewerVersionLive when the live generation was built by a newer
// version than the registered projection.
func (m *Manager) Rebuild(ctx context.Context, name string, progress ProgressFunc) (RebuildResult, error) {
	p, err := m.projection(name)
	if err != nil {
		return RebuildResult{}, err
	}
	if IsConsumer(p) {
		return RebuildResult{}, fmt.Errorf("rebuild %s: %w", name, ErrNotRebuildable)
	}
	cp, found, err := loadCheckpoint(ctx, m.pool, name)
	if err != nil {
		return RebuildResult{}, err
	}
	if found && cp.version > p.Version() {
		return RebuildResult{}, fmt.Errorf("rebuild %s: live version %d, registered version %d: %w", name, cp.version, p.Version(), ErrNewerVersionLive)
	}
	return m.rebuild(ctx, p, progress)
}

// rebuild is Rebuild once the projection is known.
func (m *Manager) rebuild(ctx context.Context, p Projection, progress ProgressFunc) (RebuildResult, error) {
	name := p.Name()
	started := m.now()
	lock, err := m.lockRebuild(ctx, name)
	if err != nil {
		return RebuildResult{}, err
	}
	defer lock.release()

	cp, found, err := loadCheckpoint(ctx, m.pool, name)
	if err != nil {
		return RebuildResult{}, err
	}
	live := 0
	if found {
		live = cp.generation
	}
	b := &builder{m: m, t: newTarget(p, live+1), meter: newMeter(started), progress: progress}
	if m.countEvents != nil {
		if b.total, err = m.countEvents(ctx); err != nil {
			m.logger.WarnContext(ctx, "count the log for rebuild progress", "projection", name, "err", err)
			b.total = 0
		}
	}
	if err := m.prepareShadow(ctx, b, live); err != nil {
		return RebuildResult{}, err
	}
	m.logger.InfoContext(ctx, "rebuild started", "projection", name, "generation", b.t.gen, "version", p.Version(), "live", live)
	if err := b.replay(ctx); err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild %s: replay: %w", name, err)
	}
	if err := restoreIndexes(ctx, m.pool, b.t.schema, b.deferred); err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild %s: build the indexes: %w", name, err)
	}
	if err := m.swap(ctx, b, live); err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild %s: swap: %w", name, err)
	}
	res := RebuildResult{
		Name: name, Version: p.Version(), Generation: b.t.gen, Previous: live,
		Events: b.done, Parked: b.parked, Position: b.after, Duration: m.now().Sub(started),
	}
	m.logger.InfoContext(ctx, "rebuild swapped", "projection", name, "generation", b.t.gen, "previous", live,
		"events", b.done, "parked", b.parked, "duration", res.Duration)
	if live > 0 {
		if err := dropGenerations(ctx, m.pool, name, func(g int) bool { return g == live }); err != nil {
			// The runner drops it when it next starts.
			m.logger.WarnContext(ctx, "drop the replaced generation", "projection", name, "generation", live, "err", err)
		}
	}
	return res, nil
}

// prepareShadow clears what an interrupted rebuild left and creates the
// new generation's schema and tables, with its progress row.
func (m *Manager) prepareShadow(ctx context.Context, b *builder, live int) error {
	name := b.t.name
	tx, err := m.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", name, err)
	}
	defer rollback(tx)
	if err := dropGenerations(ctx, tx, name, func(g int) bool { return g != live }); err != nil {
		return fmt.Errorf("rebuild %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM projections.dead_letters WHERE projection = $1 AND generation <> $2`, name, live); err != nil {
		return fmt.Errorf("rebuild %s: clear dead letters: %w", name, err)
	}
	if err := createGeneration(ctx, tx, b.t.p, b.t.gen); err != nil {
		return fmt.Errorf("rebuild %s: %w", name, err)
	}
	if b.deferred, err = deferIndexes(ctx, tx, b.t.schema); err != nil {
		return fmt.Errorf("rebuild %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO projections.rebuilds (name, generation, version, owner, total)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (name) DO UPDATE SET generation = excluded.generation, version = excluded.version, owner = excluded.owner,
    commit_pos = 0, prepare_pos = 0, done = 0, total = excluded.total, rate = 0, started_at = now(), updated_at = now()`,
		name, b.t.gen, b.t.p.Version(), m.owner, b.total); err != nil {
		return fmt.Errorf("rebuild %s: record progress: %w", name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("rebuild %s: %w", name, err)
	}
	return nil
}
