package esdb

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// Append stores events at the end of stream if the stream is in the
// expected state, as the eventstore contract says. It validates the request
// first and writes nothing on bad input. Before writing it reads the end of
// the stream to recognise a retried batch (all of it stored: the original
// result, nothing written) or a partial overlap (an error wrapping
// eventstore.ErrPartialOverlap, nothing written); see the package
// documentation for what that check covers. A stream not in the expected
// state returns a *eventstore.ConflictError.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	batch, err := eventstore.ValidateAppend(stream, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	proposed := toEventData(batch)
	if err := s.checkSize(stream, proposed); err != nil {
		return eventstore.AppendResult{}, err
	}

	for attempt := 1; ; attempt++ {
		t, err := s.readTail(ctx, stream, len(batch)+s.window)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		o := compare(batch, t.events, t.first, t.first > 0)
		if o.kind == overlapBelow {
			if o, err = s.settle(ctx, stream, batch, o.start); err != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
			}
		}
		if o.kind == overlapNone && t.first > 0 && (expected.IsAny() || expected.IsStreamExists()) {
			// Neither the server (its id cache is bounded) nor the tail
			// can tell a new batch from an old retry: look further back.
			if o, err = s.lookDeeper(ctx, stream, batch, t.first); err != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
			}
		}
		switch o.kind {
		case overlapAll:
			return s.replayed(stream, o.last)
		case overlapSome:
			return eventstore.AppendResult{}, partialOverlap(stream, batch)
		}

		plan, conflict := planWrite(stream, expected, t, attempt)
		if conflict != nil {
			return eventstore.AppendResult{}, conflict
		}
		res, err := s.appendRaw(ctx, stream, plan.wire, proposed)
		if err == nil {
			return s.written(ctx, stream, batch, res)
		}
		s.learnLimit(err)
		wrong := conflictFromError(stream, expected, err)
		switch {
		case wrong == nil:
			return eventstore.AppendResult{}, streamError(ctx, "append to "+stream, err)
		case plan.pinned:
			continue // the stream moved since it was read: look again
		case plan.check:
			return s.afterConflict(ctx, stream, batch, plan.checkFrom, wrong)
		case expected.IsAny():
			// Unpinned Any only conflicts when the server found the
			// batch's first id stored and a later one not.
			return eventstore.AppendResult{}, partialOverlap(stream, batch)
		default:
			return eventstore.AppendResult{}, wrong
		}
	}
}

// toEventData turns a validated batch into the client's events: the
// caller's id (the client would draw a random one for uuid.Nil, which
// validation has ruled out), JSON content, the encoded metadata.
func toEventData(batch []eventstore.EncodedEvent) []esdb.EventData {
	out := make([]esdb.EventData, len(batch))
	for i, e := range batch {
		out[i] = esdb.EventData{
			EventID:     e.ID,
			EventType:   e.Type,
			ContentType: esdb.ContentTypeJson,
			Data:        e.Data,
			Metadata:    e.RawMetadata,
		}
	}
	return out
}

// appendRaw appends events to stream with the client.
func (s *Store) appendRaw(ctx context.Context, stream string, expected esdb.ExpectedRevision, events []esdb.EventData) (*esdb.WriteResult, error) {
	return withClient(ctx, s, func(c *esdb.Client) (*esdb.WriteResult, error) {
		return c.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, events...)
	})
}

// written completes the result of a successful write. The server reports
// the position of the batch's last event, except for a write it found to
// be a repeat (older servers send none); the position is then read from the
// event at the revision it returned, after checking that this is the
// batch's last event.
func (s *Store) written(ctx context.Context, stream string, batch []eventstore.EncodedEvent, res *esdb.WriteResult) (eventstore.AppendResult, error) {
	pos := esdb.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition}
	if validPosition(pos) {
		return eventstore.AppendResult{Revision: res.NextExpectedVersion, Position: toPosition(pos)}, nil
	}
	raw, err := s.readStreamRaw(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(res.NextExpectedVersion)}, 1)
	if err != nil {
		return eventstore.AppendResult{}, streamError(ctx, fmt.Sprintf("append to %s: read back revision %d", stream, res.NextExpectedVersion), err)
	}
	last := batch[len(batch)-1].ID
	if len(raw) == 0 || raw[0].EventID != last {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: the server reported revision %d without a position, and event %s is not there", stream, res.NextExpectedVersion, last)
	}
	return s.replayed(stream, raw[0])
}

// replayed is the original result of a batch whose last event is stored as
// last.
func (s *Store) replayed(stream string, last *esdb.RecordedEvent) (eventstore.AppendResult, error) {
	if !validPosition(last.Position) {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: batch already stored up to revision %d, but the server does not report its position (EventStoreDB 22.6 or newer does)", stream, last.EventNumber)
	}
	return eventstore.AppendResult{Revision: last.EventNumber, Position: toPosition(last.Position)}, nil
}

// afterConflict decides what a wrong expected version for the caller's own
// expectation means. The server reports a batch partly stored where it was
// meant to go ("corrupted idempotency") as a wrong expected version too, so
// the events stored from revision from on are compared with the batch: some
// of them there is a partial overlap, all of them (a retry that landed
// meanwhile) the original result, none a conflict.
func (s *Store) afterConflict(ctx context.Context, stream string, batch []eventstore.EncodedEvent, from uint64, conflict *eventstore.ConflictError) (eventstore.AppendResult, error) {
	o, err := s.settle(ctx, stream, batch, from)
	if err != nil {
		s.log.Warn("cannot tell a conflict from a partial overlap", "stream", stream, "err", err)
		return eventstore.AppendResult{}, conflict
	}
	switch o.kind {
	case overlapAll:
		return s.replayed(stream, o.last)
	case overlapSome:
		return eventstore.AppendResult{}, partialOverlap(stream, batch)
	}
	return eventstore.AppendResult{}, conflict
}
