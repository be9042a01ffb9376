package command

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/domain"
)

// replay reads the events an earlier run of the same command (same
// idempotency key) wrote to stream from revision rev on, and returns its
// result again.
func replay[S any](ctx context.Context, store eventstore.Store, agg Aggregate[S], stream, key string, rev uint64) (Result, error) {
	stored, err := store.ReadStream(ctx, stream, eventstore.ReadOptions{From: rev, Count: pageSize})
	if err != nil {
		return Result{}, fmt.Errorf("replay %s: %w", stream, err)
	}
	res := Result{Stream: stream, Replayed: true}
	for i, r := range stored {
		if r.ID != EventID(stream, key, i) {
			break
		}
		e, err := agg.Decode(r.Type, r.Data)
		if err != nil {
			return Result{}, fmt.Errorf("replay %s: %w", stream, err)
		}
		res.Events = append(res.Events, e)
		res.Revision, res.Position = int64(r.Revision), r.Position
	}
	if len(res.Events) == 0 {
		return Result{}, fmt.Errorf("replay %s: the events of the command are not at revision %d", stream, rev)
	}
	return res, nil
}

// errUnexpectedReplay is returned when the store answers an append of
// events with fresh ids as if it held them already.
func errUnexpectedReplay(stream string) error {
	return fmt.Errorf("append to %s: the store reports events it cannot hold as stored", stream)
}

// encode turns a command's events into events to append, with ids derived
// from its idempotency key when it has one.
func encode(stream string, events []domain.Event, meta Meta) ([]eventstore.EventData, error) {
	md := meta.eventMetadata()
	out := make([]eventstore.EventData, len(events))
	for i, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode %s for %s: %w", e.EventType(), stream, err)
		}
		id := uuid.New()
		if meta.IdempotencyKey != "" {
			id = EventID(stream, meta.IdempotencyKey, i)
		}
		out[i] = eventstore.EventData{ID: id, Type: e.EventType(), Data: data, Metadata: md}
	}
	return out, nil
}
