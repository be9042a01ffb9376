package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/tracing"
)

// target is one generation of one projection: where a batch is applied.
type target struct {
	p      Projection
	name   string
	gen    int
	schema string // unquoted
	// tracer, when set, makes a span of each event that carries a sampled
	// trace (the live runner's targets have one; rebuilds replay history
	// and make none).
	tracer trace.Tracer
}

func newTarget(p Projection, gen int) target {
	return target{p: p, name: p.Name(), gen: gen, schema: generationSchema(p.Name(), gen)}
}

// outcome is what applying a batch did.
type outcome struct {
	// handled counts the events applied or parked.
	handled int
	// parked are the events parked as dead letters.
	parked []parkedEvent
	// last is the position of the last event handled, the checkpoint to
	// commit; recorded is that event's recorded time.
	last     eventstore.Position
	recorded time.Time
}

func (o *outcome) handle(e eventstore.RecordedEvent) {
	o.handled++
	o.last = e.Position
	o.recorded = e.Recorded
}

// unseen returns the events of batch that come after after, in order:
// events a subscription delivers again are dropped here, which is what
// makes at-least-once delivery apply each event once.
func unseen(batch []eventstore.RecordedEvent, after eventstore.Position) []eventstore.RecordedEvent {
	out := batch[:0:0]
	for _, e := range batch {
		if after.Less(e.Position) {
			out = append(out, e)
			after = e.Position
		}
	}
	return out
}

// txSpec is what surrounds the events in a batch transaction.
type txSpec struct {
	// prologue queues the statements that run before the events.
	prologue func(w *Writer)
	// epilogue queues the statements that run after them, given what
	// applying did, and returns a check to run once they have been sent:
	// its error rolls the transaction back.
	epilogue func(w *Writer, o outcome) (check func() error)
	// afterWrites, when set, runs once the events' statements have been
	// sent and before the epilogue (tests stall a writer there).
	afterWrites func()
}

// errApply marks a batch that failed because of an event (not of the
// database): it is worth retrying event by event.
type errApply struct{ err error }

func (e errApply) Error() string { return e.err.Error() }
func (e errApply) Unwrap() error { return e.err }

// commitBatch applies events (none of them seen before) in one transaction
// framed by spec, and commits. The fast path queues the prologue and every
// event's statements and sends them at once; then the epilogue, then
// COMMIT. When that fails because of an event,
// the transaction is rolled back and the batch is applied again in a new
// one, event by event under a savepoint each; the events that still fail
// are parked. Transient errors (see transient) are returned as they are,
// and nothing is committed.
func (t target) commitBatch(ctx context.Context, pool *pgxpool.Pool, events []eventstore.RecordedEvent, spec txSpec) (outcome, bool, error) {
	o, err := t.attempt(ctx, pool, events, spec, false)
	var ae errApply
	if !errors.As(err, &ae) {
		return o, false, err
	}
	o, err = t.attempt(ctx, pool, events, spec, true)
	return o, true, err
}

// attempt is one transaction of commitBatch.
func (t target) attempt(ctx context.Context, pool *pgxpool.Pool, events []eventstore.RecordedEvent, spec txSpec, eachApart bool) (outcome, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return outcome{}, fmt.Errorf("begin: %w", err)
	}
	defer rollback(tx)
	w := newWriter(tx, t.schema)
	if spec.prologue != nil {
		spec.prologue(w)
	}
	var o outcome
	if eachApart {
		if err := w.flush(ctx); err != nil {
			return o, err
		}
		if o, err = t.applyEach(ctx, tx, w, events); err != nil {
			return o, err
		}
	} else {
		if o, err = t.applyAll(ctx, w, events); err != nil {
			return o, err
		}
	}
	if err := w.flush(ctx); err != nil {
		if !eachApart && !transient(err) && !tx.Conn().IsClosed() {
			return o, errApply{err}
		}
		return o, err
	}
	if spec.afterWrites != nil {
		spec.afterWrites()
	}
	if spec.epilogue != nil {
		check := spec.epilogue(w, o)
		if err := w.flush(ctx); err != nil {
			return o, err
		}
		if err := check(); err != nil {
			return o, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return o, fmt.Errorf("commit: %w", err)
	}
	return o, nil
}

// applyAll queues every event on w; the caller sends them. A refused event
// fails the whole batch with errApply.
func (t target) applyAll(ctx context.Context, w *Writer, events []eventstore.RecordedEvent) (outcome, error) {
	var o outcome
	if b, ok := t.p.(BatchApplier); ok && t.tracer == nil {
		if err := t.applyBatch(ctx, b, w, events); err != nil {
			if transient(err) {
				return o, err
			}
			return o, errApply{err}
		}
		for _, e := range events {
			o.handle(e)
		}
		return o, nil
	}
	for _, e := range events {
		if err := t.apply(ctx, w, e); err != nil {
			if transient(err) {
				return o, err
			}
			return o, errApply{err}
		}
		o.handle(e)
		if w.full() {
			if err := w.flush(ctx); err != nil {
				if transient(err) {
					return o, err
				}
				return o, errApply{err}
			}
		}
	}
	return o, nil
}

// savepoint is the savepoint each event gets when a batch is applied event
// by event; it is released after each, so they do not pile up.
const savepoint = "projection_event"

// applyEach applies events one at a time, each under a savepoint, and
// parks those that fail (queueing their dead letters on w). It returns
// transient errors; tx is then unusable.
func (t target) applyEach(ctx context.Context, tx pgx.Tx, w *Writer, events []eventstore.RecordedEvent) (outcome, error) {
	var o outcome
	for i, e := range events {
		if i > 0 {
			w.Exec("RELEASE SAVEPOINT " + savepoint)
		}
		w.Exec("SAVEPOINT " + savepoint)
		if err := w.flush(ctx); err != nil {
			return o, err
		}
		err := t.apply(ctx, w, e)
		if err == nil {
			err = w.flush(ctx)
		}
		w.reset()
		if err != nil {
			if transient(err) || tx.Conn().IsClosed() {
				return o, err
			}
			if _, rbErr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); rbErr != nil {
				return o, fmt.Errorf("roll back event %s: %w (after: %v)", e.ID, rbErr, err)
			}
			pe := parkedEvent{event: e, reason: err.Error()}
			if err := t.park(w, pe); err != nil {
				return o, err
			}
			o.parked = append(o.parked, pe)
		}
		o.handle(e)
	}
	if len(events) > 0 {
		w.Exec("RELEASE SAVEPOINT " + savepoint)
	}
	return o, nil
}

// apply calls the projection's Apply, turning a panic into an error.
func (t target) apply(ctx context.Context, w *Writer, e eventstore.RecordedEvent) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("apply panicked: %v", r)
		}
	}()
	if t.tracer != nil && e.Metadata.TraceParent != "" {
		if tctx := tracing.FromTraceParent(ctx, e.Metadata.TraceParent, e.Metadata.TraceState); trace.SpanContextFromContext(tctx).IsSampled() {
			var span trace.Span
			ctx, span = t.tracer.Start(tctx, "project "+t.name, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
				attribute.String("orderflow.projection", t.name), attribute.String("orderflow.event.type", e.Type),
				attribute.String("orderflow.event.stream", e.Stream), attribute.String("orderflow.event.position", e.Position.String())))
			defer func() {
				if err != nil {
					span.SetStatus(codes.Error, err.Error())
				}
				span.End()
			}()
		}
	}
	return t.p.Apply(ctx, w, e)
}

// rollback ends tx if it is still open: deferred after Begin, it does
// nothing once the transaction has committed. It does not wait on a dead
// connection for long.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}
