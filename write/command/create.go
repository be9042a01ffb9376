package command

import (
	"context"
	"errors"

	"github.com/orderflow/orderflow/eventstore"
)

// Create runs a command that normally starts a new aggregate (placing an
// order). It decides on the empty state and appends with NoStream without
// reading the stream first, saving the read; when the stream turns out to
// exist it falls back to Execute, which reloads and decides again. Commands
// with an idempotency key go straight to Execute, which recognises their
// retries exactly.
func Create[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string, meta Meta, decide Decider[S]) (Result, error) {
	if meta.IdempotencyKey != "" {
		return Execute(ctx, h, agg, id, meta, decide)
	}
	stream := agg.Stream(id)
	var empty S
	events, err := decide(empty, h.now())
	if err != nil || len(events) == 0 {
		// A command the empty state refuses may suit the real state.
		return Execute(ctx, h, agg, id, meta, decide)
	}
	data, err := encode(stream, events, meta)
	if err != nil {
		return Result{}, err
	}
	res, err := h.store.Append(ctx, stream, eventstore.NoStream, data...)
	if errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		return Execute(ctx, h, agg, id, meta, decide)
	}
	var out Result
	if err == nil {
		out = Result{Stream: stream, Revision: int64(res.Revision), Position: res.Position, Events: events}
	}
	h.observe(agg.Category, out, err)
	return out, err
}
