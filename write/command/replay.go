package command

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

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
	return replayFrom(agg, stream, key, rev, stored)
}

// replayFrom is replay on stored, events of the stream read from revision
// rev on.
func replayFrom[S any](agg Aggregate[S], stream, key string, rev uint64, stored []eventstore.RecordedEvent) (Result, error) {
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

// maxReplaySpan bounds the part of a stream replayMany reads at once.
const maxReplaySpan = 4 * pageSize

// replays are the keyed commands of a batch whose events the writer
// recognised: their original results are read back together.
type replays struct {
	keys map[int]string // batch index -> idempotency key
	revs map[int]uint64 // batch index -> revision of the command's first event
}

// add notes that the command at batch index i, with key, wrote from rev on.
func (r *replays) add(i int, key string, rev uint64) {
	if r.keys == nil {
		r.keys, r.revs = make(map[int]string), make(map[int]uint64)
	}
	r.keys[i], r.revs[i] = key, rev
}

// readReplays returns the original result of each command noted in r,
// reading the part of the stream that holds them in as few reads as it
// can.
func readReplays[S any](ctx context.Context, store eventstore.Store, agg Aggregate[S], stream string, r *replays) map[int]reply {
	out := make(map[int]reply, len(r.keys))
	if len(r.keys) == 0 {
		return out
	}
	lo, hi := uint64(math.MaxUint64), uint64(0)
	for _, rev := range r.revs {
		lo, hi = min(lo, rev), max(hi, rev)
	}
	var stored []eventstore.RecordedEvent
	end := false // stored reaches the end of the stream
	if hi-lo < maxReplaySpan {
		for from := lo; from <= hi; {
			page, err := store.ReadStream(ctx, stream, eventstore.ReadOptions{From: from, Count: pageSize})
			if err != nil {
				stored = nil
				break
			}
			stored = append(stored, page...)
			if len(page) < pageSize {
				end = true
				break
			}
			from = page[len(page)-1].Revision + 1
		}
	}
	for i, key := range r.keys {
		rev := r.revs[i]
		if len(stored) > 0 && stored[0].Revision == lo && rev-lo < uint64(len(stored)) {
			res, err := replayFrom(agg, stream, key, rev, stored[rev-lo:])
			// A result that runs to the last event read may go on beyond it.
			if err == nil && (end || uint64(res.Revision) < stored[len(stored)-1].Revision) {
				out[i] = reply{res: res}
				continue
			}
		}
		res, err := replay(ctx, store, agg, stream, key, rev)
		out[i] = reply{res: res, err: err}
	}
	return out
}
