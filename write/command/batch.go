package command

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/domain"
)

// decided is what a batch of commands decided, before its append.
type decided[S any] struct {
	// work is the state evolved by every event of the batch.
	work S
	// data are the events of the batch, command after command.
	data []eventstore.EventData
	// outs are the commands' outcomes, in batch order.
	outs []decision
	// cloned tells that work is a clone: the kept state is unchanged.
	cloned bool
}

// decision is one command's part of a batch.
type decision struct {
	events []domain.Event
	err    error
	// saw is the revision the command decided on (the events of the
	// commands before it in the batch counted).
	saw int64
	// replay is the original result of a command whose idempotency key
	// the writer recognised.
	replay *Result
	// sameAs is the index in the batch of an earlier command with the same
	// idempotency key, or -1.
	sameAs int
}

// decideBatch decides every command of batch in order, each on the state
// the ones before it left. With clone it works on a clone of the kept
// state and changes nothing else; without, it evolves the kept state in
// place, and the caller must drop that state unless the batch's append
// succeeds.
func decideBatch[S any](ctx context.Context, w *writer[S], batch []*request[S], clone bool) decided[S] {
	d := decided[S]{work: w.st.state, outs: make([]decision, len(batch)), cloned: clone}
	if clone {
		d.work = w.agg.Clone(w.st.state)
	}
	now := w.h.now()
	var keys map[uuid.UUID]int
	var recognised replays
	for i, r := range batch {
		o := &d.outs[i]
		o.sameAs = -1
		o.saw = w.st.revision + int64(len(d.data))
		if key := r.meta.IdempotencyKey; key != "" {
			id := EventID(w.stream, key, 0)
			if j, ok := keys[id]; ok {
				o.sameAs = j
				continue
			}
			if keys == nil {
				keys = make(map[uuid.UUID]int)
			}
			keys[id] = i
			if rev, ok := w.st.ids.get(id); ok {
				recognised.add(i, key, rev)
				continue
			}
		}
		events, data, err := decideOne(w, r, d.work, now)
		if err != nil {
			o.err = err
			continue
		}
		for _, e := range events {
			d.work = w.agg.Evolve(d.work, e)
		}
		o.events = events
		d.data = append(d.data, data...)
	}
	for i, r := range readReplays(ctx, w.h.store, w.agg, w.stream, &recognised) {
		res := r.res
		d.outs[i].replay, d.outs[i].err = &res, r.err
	}
	return d
}

// errPanicked marks the error of a command whose decision panicked.
var errPanicked = errors.New("the decision panicked")

// decideOne runs r's decision on state and encodes its events. A panic in
// the decision is the command's error, not the writer's end.
func decideOne[S any](w *writer[S], r *request[S], state S, now time.Time) (events []domain.Event, data []eventstore.EventData, err error) {
	defer func() {
		if p := recover(); p != nil {
			events, data, err = nil, nil, fmt.Errorf("%s: %w: %v", w.stream, errPanicked, p)
		}
	}()
	if events, err = r.decide(state, now); err != nil {
		return nil, nil, err
	}
	if data, err = encode(w.stream, events, r.meta); err != nil {
		return nil, nil, err
	}
	return events, data, nil
}

// commit makes the batch's decisions final after its append (res; none
// when the batch appended nothing): the state moves on and every command
// gets its reply.
func (w *writer[S]) commit(ctx context.Context, batch []*request[S], d decided[S], res eventstore.AppendResult) {
	base, basePos := w.st.revision, w.st.position
	if len(d.data) > 0 {
		w.st.state = d.work
		w.st.revision, w.st.position = int64(res.Revision), res.Position
		w.st.contended = max(w.st.contended-1, 0)
		for i, e := range d.data {
			w.st.ids.add(e.ID, uint64(base+1)+uint64(i))
		}
	}
	results := make([]Result, len(batch))
	for i, r := range batch {
		o := d.outs[i]
		switch {
		case o.sameAs >= 0 && d.outs[o.sameAs].err == nil:
			res := results[o.sameAs]
			res.Replayed = len(res.Events) > 0 || res.Replayed
			results[i] = res
			w.reply(r, res, nil)
		case o.sameAs >= 0:
			w.reply(r, Result{}, d.outs[o.sameAs].err)
		case o.replay != nil && o.err == nil:
			results[i] = *o.replay
			w.reply(r, *o.replay, nil)
		case o.err != nil:
			w.reply(r, Result{}, o.err)
		case len(o.events) == 0:
			pos := basePos
			if o.saw != base {
				pos = res.Position // an earlier command of the batch appended
			}
			results[i] = Result{Stream: w.stream, Revision: o.saw, Position: pos}
			w.reply(r, results[i], nil)
		default:
			results[i] = Result{Stream: w.stream, Revision: o.saw + int64(len(o.events)), Position: res.Position, Events: o.events}
			w.reply(r, results[i], nil)
		}
	}
	if len(d.data) > 0 {
		w.snapshot(ctx)
	}
}

// replayed replies to a command whose append the store answered with the
// result of events it already held: the command had run before, longer
// ago than the writer remembers.
func (w *writer[S]) replayed(ctx context.Context, r *request[S], d decided[S], res eventstore.AppendResult) {
	key := r.meta.IdempotencyKey
	if key == "" || len(d.data) == 0 {
		w.reply(r, Result{}, errUnexpectedReplay(w.stream))
		return
	}
	first := res.Revision + 1 - uint64(len(d.data))
	out, err := replay(ctx, w.h.store, w.agg, w.stream, key, first)
	w.reply(r, out, err)
}
