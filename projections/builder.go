package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// builder replays the log into a generation that is not live yet.
type builder struct {
	m        *Manager
	t        target
	meter    *meter
	progress ProgressFunc

	after    eventstore.Position // last event handled
	recorded time.Time           // its recorded time
	done     int64               // events handled
	total    int64               // estimate of the events in the log
	parked   int
	deferred []string // the generation's secondary indexes, built after the replay
}

// The statements around each batch of a rebuild. A crash loses at most the
// shadow's last batches, which a rebuild never resumes anyway: commits need
// not wait for the disk.
const (
	asyncCommitSQL     = `SELECT set_config('synchronous_commit', 'off', true)`
	rebuildProgressSQL = `UPDATE projections.rebuilds
SET commit_pos = $3, prepare_pos = $4, done = $5, total = $6, rate = $7, updated_at = now()
WHERE name = $1 AND generation = $2`
)

// replay applies the log from the start until the generation has reached
// the head of the log: when it reaches the head it saw last, it stops if
// the head has not moved or if its last batch was not full (the log is
// nearly quiet; the swap applies the rest), else it aims at the new head.
func (b *builder) replay(ctx context.Context) error {
	m := b.m
	sub, err := m.store.Subscribe(ctx, eventstore.SubscribeOptions{BatchSize: m.rebuildBatch})
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	f := startFeed(ctx, sub)
	defer f.stop()
	target, err := m.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the head: %w", err)
	}
	short := false
	for {
		if !b.after.Less(target) {
			head, err := m.store.Head(ctx)
			if err != nil {
				return fmt.Errorf("read the head: %w", err)
			}
			if !b.after.Less(head) || short {
				return nil
			}
			target = head
		}
		var next fetched
		select {
		case <-ctx.Done():
			return ctx.Err()
		case next = <-f.batches:
		}
		if next.err != nil {
			return fmt.Errorf("read the log: %w", next.err)
		}
		short = len(next.events) < m.rebuildBatch
		if err := b.apply(ctx, next.events); err != nil {
			return err
		}
	}
}

// apply commits one batch into the generation, with the rebuild's progress.
func (b *builder) apply(ctx context.Context, batch []eventstore.RecordedEvent) error {
	events := unseen(batch, b.after)
	if len(events) == 0 {
		return nil
	}
	m := b.m
	spec := txSpec{
		prologue: func(w *Writer) { w.Exec(asyncCommitSQL) },
		epilogue: func(w *Writer, o outcome) func() error {
			commit, prepare, err := dbPosition(o.last)
			if err != nil {
				return func() error { return err }
			}
			now := m.now()
			b.meter.add(now, o.handled)
			done := b.done + int64(o.handled)
			w.Exec(rebuildProgressSQL, b.t.name, b.t.gen, commit, prepare, done, max(b.total, done), b.meter.rate(now))
			return func() error { return nil }
		},
	}
	o, _, err := b.t.commitBatch(ctx, m.pool, events, spec)
	if err != nil {
		return err
	}
	b.handled(o)
	if b.progress != nil {
		b.progress(b.done, b.total, b.meter.rate(m.now()))
	}
	return nil
}

// handled takes in what a committed batch did.
func (b *builder) handled(o outcome) {
	if o.handled == 0 {
		return
	}
	b.after, b.recorded = o.last, o.recorded
	b.done += int64(o.handled)
	b.total = max(b.total, b.done)
	b.parked += len(o.parked)
}
