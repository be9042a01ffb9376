package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/lease"
	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
)

// sagas is the saga as an aggregate: its state folded from its stream.
var sagas = command.Aggregate[fulfillment.State]{Category: fulfillment.Category, Evolve: fulfillment.Evolve, Decode: fulfillment.Decode}

// maxStepsPerDrive bounds one Drive; a saga with more to do is woken again.
const maxStepsPerDrive = 64

// Drive runs the saga of order id as far as it can go now: every step it
// can take, each recorded in the saga's stream with the revision it saw, so
// that two drivers racing on one saga never both record a step (the loser
// reloads; the step it performed again was idempotent). A saga that must
// wait is parked in sagas.active until its retry time or payment deadline;
// a finished one is removed from it.
//
// Drive works only under this runner's lease of the saga's partition: it
// returns an error matching ErrNotOwner when the runner does not own the
// partition, and stops with ErrLeaseLost, recording nothing more, as soon
// as the lease may have ended. It checks the lease before every step's
// effect and every record, and cancels the step in flight when the lease
// runs out. Drive is safe to call again at any time.
func (r *Runner) Drive(ctx context.Context, id string) error {
	p := partitionOf(id, r.cfg.Partitions)
	t := r.keeper.term(p)
	if t == nil || !t.Enter() {
		return fmt.Errorf("drive saga %s: partition %d: %w", id, p, ErrNotOwner)
	}
	defer t.Leave()
	ctx, cancel := t.Bind(ctx)
	defer cancel()
	return r.drive(ctx, t, id)
}

// drive is Drive under term t; a nil t drives without any lease.
func (r *Runner) drive(ctx context.Context, t *lease.Term, id string) error {
	state, rev, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	ctx = withTrace(ctx, state)
	// Steps that succeed are recorded together, at the next step that does
	// not, or when the saga waits or ends: one append instead of one per
	// step. A crash before the append makes the next driver perform them
	// again, and their commands, idempotent, change nothing more.
	var pending []domain.Event
	flush := func() error {
		ran := state.LastEventID // the pending steps ran after it
		for attempt := 0; len(pending) > 0; attempt++ {
			if err := fence(t); err != nil {
				return wrapf(err, "saga %s: record", id)
			}
			next, last, err := r.record(ctx, state, rev, ran, pending...)
			if err == nil {
				r.observe(ctx, state, pending)
				pending, rev, state.LastEventID = nil, next, last
				return nil
			}
			if !errors.Is(err, eventstore.ErrWrongExpectedRevision) || attempt >= 8 {
				return err
			}
			// Something else was recorded meanwhile (a cancellation, another
			// driver's steps). What this driver did still happened: record
			// it on top of the saga as it is now, so that a compensation
			// knows to undo it. A step recorded twice changes nothing.
			if state, rev, err = r.load(ctx, id); err != nil {
				return err
			}
			for _, e := range pending {
				state = fulfillment.Evolve(state, e)
			}
		}
		return nil
	}
	for range maxStepsPerDrive {
		now := r.cfg.Now()
		action := fulfillment.Next(state, now)
		var e domain.Event
		switch action.Kind {
		case fulfillment.Nothing:
			if err := flush(); err != nil {
				return err
			}
			if state.Started() {
				return r.forget(ctx, t, id)
			}
			return nil // cancelled before it started: Started will wake it
		case fulfillment.Wait:
			if err := flush(); err != nil {
				return err
			}
			return r.park(ctx, t, id, action.Until)
		case fulfillment.Run:
			if err := fence(t); err != nil {
				return wrapf(err, "saga %s: %s", id, action.Step)
			}
			stepCtx, end := r.stepSpan(ctx, state, action)
			rec := r.steps.Perform(stepCtx, state, action, now)
			end(rec)
			e = rec
		default:
			e = action.Event(now)
		}
		// The step may have been cut short, or have outlived the lease:
		// record nothing. Its effect, if it had one, is idempotent, and
		// whoever drives the saga next performs the step again.
		if err := fence(t); err != nil {
			return wrapf(err, "saga %s", id)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		state = fulfillment.Evolve(state, e)
		pending = append(pending, e)
		if rec, ok := e.(fulfillment.StepRecorded); ok && rec.Outcome == fulfillment.Done {
			continue
		}
		if err := flush(); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return r.park(ctx, t, id, r.cfg.Now())
}

// fence returns nil while term t is valid, or when there is no term.
func fence(t *lease.Term) error {
	if t == nil {
		return nil
	}
	return t.Check()
}

// load folds the saga of order id from its stream, with where it came
// from and the id of its last event; rev is -1 when it has no events.
func (r *Runner) load(ctx context.Context, id string) (fulfillment.State, int64, error) {
	l, err := command.LoadStream(ctx, r.handler, sagas, id)
	if err != nil {
		return fulfillment.State{}, -1, wrapf(err, "load saga %s", id)
	}
	s := l.State
	s.Origin = fulfillment.Origin{TraceParent: l.First.TraceParent, TraceState: l.First.TraceState, CorrelationID: l.First.CorrelationID}
	if l.Revision >= 0 {
		s.LastEventID = l.LastID.String()
	}
	return s, l.Revision, nil
}

// record appends events to saga s, expecting it at rev, and returns the
// saga's new revision and the id of the last event appended. The record
// of a step names as its cause ran: the id of the saga's last recorded
// event when the step ran, which made the saga take it. (The events the
// step's command wrote name that command, StepCommandID.) Any other event
// names the saga's event before it.
func (r *Runner) record(ctx context.Context, s fulfillment.State, rev int64, ran string, events ...domain.Event) (int64, string, error) {
	id := s.OrderID
	data := make([]eventstore.EventData, len(events))
	cause := s.LastEventID
	for i, e := range events {
		payload, err := json.Marshal(e)
		if err != nil {
			return rev, "", wrapf(err, "saga %s: encode %s", id, e.EventType())
		}
		if _, ok := e.(fulfillment.StepRecorded); ok {
			cause = ran
		}
		parent, state := tracing.TraceParent(ctx)
		data[i] = eventstore.EventData{
			ID: uuid.New(), Type: e.EventType(), Data: payload,
			Metadata: eventstore.Metadata{CorrelationID: s.CorrelationID(), CausationID: cause, UserID: "fulfillment", TraceParent: parent, TraceState: state},
		}
		cause = data[i].ID.String()
	}
	expected := eventstore.NoStream
	if rev >= 0 {
		expected = eventstore.Exact(uint64(rev))
	}
	res, err := r.cfg.Store.Append(ctx, fulfillment.StreamID(id), expected, data...)
	if err != nil {
		return rev, "", err
	}
	return int64(res.Revision), cause, nil
}
