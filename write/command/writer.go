package command

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// writer is the single writer of one stream: it runs the stream's queued
// commands in batches, on the state it keeps, until the queue is empty,
// then parks the state with the handler and stops.
type writer[S any] struct {
	h      *Handler
	agg    Aggregate[S]
	stream string
	queue  []*request[S] // guarded by h.mu
	// st is the stream's state as of its last known revision; nil when it
	// must be loaded. Only the writer's goroutine uses it.
	st *loaded[S]
	// splitting tells that a batch is being settled in halves (see
	// halves): they are decided on clones, as their appends may fail.
	splitting int
}

// run is the writer's goroutine.
func (w *writer[S]) run() {
	if p, ok := w.h.parked.take(w.stream); ok {
		w.st, _ = p.(*loaded[S])
	}
	for {
		w.h.mu.Lock()
		n := min(len(w.queue), MaxBatch)
		if n == 0 {
			if w.st != nil && w.agg.Clone != nil {
				w.h.parked.put(w.stream, w.st)
			}
			delete(w.h.writers, w.stream)
			w.h.mu.Unlock()
			return
		}
		batch := make([]*request[S], n)
		copy(batch, w.queue)
		w.queue = append(w.queue[:0], w.queue[n:]...)
		w.h.mu.Unlock()
		w.process(batch)
		if w.agg.Clone == nil {
			w.st = nil // Evolve may have changed it in place: load it again
		}
	}
}

// batchContext returns a context for the work on batch: it ends when the
// contexts of all its commands have ended, as then nobody waits for it.
func batchContext[S any](batch []*request[S]) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(batch[0].ctx))
	left := atomic.Int64{}
	left.Store(int64(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, r := range batch {
		stops[i] = context.AfterFunc(r.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// process runs one batch of commands to its end: every command gets its
// reply.
func (w *writer[S]) process(batch []*request[S]) {
	ctx, cancel := batchContext(batch)
	defer cancel()
	conflicts := 0
	// fresh tells that st was read from the store during this batch, so a
	// decision that appends nothing is proven on it.
	fresh := false
	for {
		batch = w.dropEnded(batch)
		if len(batch) == 0 {
			return
		}
		if w.st == nil {
			if err := w.load(ctx); err != nil {
				w.fail(batch, err, conflicts)
				return
			}
			fresh = true
		}
		// Decide on a clone while other processes write to the stream (a
		// conflict is then likely, and the kept state must survive it);
		// otherwise in place, dropping the state should the append fail.
		d := decideBatch(ctx, w, batch, w.agg.Clone != nil && (w.st.contended > 0 || conflicts > 0 || w.splitting > 0))
		if len(d.data) == 0 {
			if !fresh {
				// Nothing appended proves the state current: read what
				// other processes added and decide again.
				if _, err := catchUp(ctx, w.h, w.agg, w.stream, w.st); err != nil {
					w.fail(batch, err, conflicts)
					return
				}
				fresh = true
				continue
			}
			w.commit(ctx, batch, d, eventstore.AppendResult{})
			return
		}
		expected := eventstore.NoStream
		if w.st.revision >= 0 {
			expected = eventstore.Exact(uint64(w.st.revision))
		}
		res, err := w.h.store.Append(ctx, w.stream, expected, d.data...)
		appended := err == nil && res.Revision == uint64(w.st.revision+int64(len(d.data)))
		if !appended && !d.cloned {
			w.st = nil // it holds the events that were not appended
		}
		var conflict *eventstore.ConflictError
		switch {
		case errors.As(err, &conflict):
			w.h.conflict(w.agg.Category)
			conflicts++
			if conflicts >= MaxConflicts {
				w.giveUp(batch, fmt.Errorf("%s: %w (%d conflicts in a row)", w.stream, ErrTooManyConflicts, conflicts))
				return
			}
			if err := pause(ctx, conflicts); err != nil {
				w.fail(batch, err, conflicts)
				return
			}
			if w.st == nil {
				continue // decided in place: load it again
			}
			if _, err := catchUp(ctx, w.h, w.agg, w.stream, w.st); err != nil {
				w.fail(batch, err, conflicts)
				return
			}
			fresh = true
			continue
		case err == nil && !appended,
			errors.Is(err, eventstore.ErrPartialOverlap) && len(batch) > 1,
			errors.Is(err, eventstore.ErrInvalid) && len(batch) > 1,
			errors.Is(err, eventstore.ErrTooLarge) && len(batch) > 1:
			// The store already holds some of these events (a retry older
			// than the window), refuses one command's events, or takes
			// fewer at once: settle
			// each half of the batch on its own, down to single commands,
			// which the store answers with their own outcome.
			if len(batch) > 1 {
				w.halves(batch)
				return
			}
			w.replayed(ctx, batch[0], d, res)
			return
		case err != nil:
			// The append may or may not have happened: the next batch
			// finds out from its own append.
			w.fail(batch, err, conflicts)
			return
		}
		w.commit(ctx, batch, d, res)
		if conflicts > 0 {
			w.st.contended = contendedBatches
		}
		return
	}
}

// halves processes the first half of batch, then the second, each as a
// batch of its own.
func (w *writer[S]) halves(batch []*request[S]) {
	w.splitting++
	defer func() { w.splitting-- }()
	mid := len(batch) / 2
	for _, half := range [][]*request[S]{batch[:mid], batch[mid:]} {
		w.process(half)
		if w.agg.Clone == nil {
			w.st = nil
		}
	}
}

// load reads the stream's state cold, and persists a snapshot when it
// read many events.
func (w *writer[S]) load(ctx context.Context) error {
	st, _, err := coldLoad(ctx, w.h, w.agg, w.stream)
	if err != nil {
		return err
	}
	w.st = st
	w.snapshot(ctx)
	return nil
}

// snapshot persists st when it is due. A failure is logged, not returned:
// the next due snapshot tries again.
func (w *writer[S]) snapshot(ctx context.Context) {
	if !snapshotDue(w.agg, w.st) {
		return
	}
	if err := writeSnapshot(ctx, w.h.store, w.agg, w.stream, w.st); err != nil {
		w.h.logger.Warn("snapshot not written", "stream", w.stream, "revision", w.st.revision, "err", err)
	}
}

// dropEnded replies to the commands whose context has ended and returns
// the others.
func (w *writer[S]) dropEnded(batch []*request[S]) []*request[S] {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			w.reply(r, Result{}, err)
			continue
		}
		live = append(live, r)
	}
	return live
}

// reply hands one command its outcome and reports it.
func (w *writer[S]) reply(r *request[S], res Result, err error) {
	w.h.observe(w.agg.Category, res, err)
	r.done <- reply{res: res, err: err}
}

// fail replies err to every command of batch. A command whose caller's
// deadline passed after conflicts gave up; one whose caller went away (a
// cancelled context: a client gone, a process stopping) did not, since
// nobody waits for its outcome any more and whoever sent it sends it
// again. The batch's own context ends when its callers' do, so each
// caller's context tells which.
func (w *writer[S]) fail(batch []*request[S], err error, conflicts int) {
	ended := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	for _, r := range batch {
		if conflicts > 0 && ended && errors.Is(r.ctx.Err(), context.DeadlineExceeded) {
			w.giveUp([]*request[S]{r}, fmt.Errorf("%s: %w (gave up after %d conflicts in a row: %w)", w.stream, ErrTooManyConflicts, conflicts, r.ctx.Err()))
			continue
		}
		w.reply(r, Result{}, err)
	}
}

// giveUp replies err to every command of batch, each with a WARN line.
func (w *writer[S]) giveUp(batch []*request[S], err error) {
	for _, r := range batch {
		w.h.logger.Warn("command gave up", "stream", w.stream, "correlation_id", r.meta.CorrelationID,
			"command_id", r.meta.CommandID, "reason", err.Error())
		w.reply(r, Result{}, err)
	}
}

// pause waits before deciding again after the n-th conflict in a row: not
// at all for the first few (the reload alone resolves a conflict with one
// other writer), then a little, with jitter so that two processes that
// keep meeting fall out of step.
func pause(ctx context.Context, n int) error {
	if n < 4 {
		return ctx.Err()
	}
	d := time.Duration(1+rand.Int64N(int64(min(n, 20)))) * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
