package esdb

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// tail is the end of a stream as Append read it before writing.
type tail struct {
	// exists tells whether the stream has an event; last is then the
	// revision of its last event.
	exists bool
	last   uint64
	// truncated tells that the server knows the stream but returned no
	// event (all of them deleted or truncated): its revision is unknown.
	truncated bool
	// events are the last events of the stream in ascending revision
	// order; first is the revision of events[0].
	events []*esdb.RecordedEvent
	first  uint64
}

// readTail reads the last n events of stream.
func (s *Store) readTail(ctx context.Context, stream string, n int) (tail, error) {
	raw, err := s.readStreamRaw(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, uint64(n))
	if isNotFound(err) {
		return tail{}, nil
	}
	if err != nil {
		return tail{}, streamError(ctx, "read the end of "+stream, err)
	}
	if len(raw) == 0 {
		return tail{truncated: true}, nil
	}
	events := make([]*esdb.RecordedEvent, len(raw))
	for i, e := range raw {
		events[len(raw)-1-i] = e
	}
	return tail{exists: true, last: raw[0].EventNumber, events: events, first: events[0].EventNumber}, nil
}

// pin is the exact expectation that holds for the stream as read.
func (t tail) pin() esdb.ExpectedRevision {
	if !t.exists {
		return esdb.NoStream{}
	}
	return esdb.Revision(t.last)
}

// overlapKind is how a batch relates to stored events.
type overlapKind int

const (
	// overlapNone: no event of the batch is among the stored events.
	overlapNone overlapKind = iota
	// overlapAll: the whole batch is stored, in order, at consecutive
	// revisions: an earlier append of this very batch.
	overlapAll
	// overlapSome: part of the batch is stored, or all of it but not as
	// one run in batch order.
	overlapSome
	// overlapBelow: the stored part of the batch begins at the first event
	// read, so the rest may sit just below it; reading from revision start
	// on settles it.
	overlapBelow
)

// overlap is the result of comparing a batch with stored events.
type overlap struct {
	kind overlapKind
	// last is the stored copy of the batch's last event (overlapAll).
	last *esdb.RecordedEvent
	// start is the revision the batch would begin at (overlapBelow).
	start uint64
}

// compare looks for the batch's ids among events, which are consecutive
// stored events in ascending revision order beginning at revision first,
// with older events below first when more is true.
func compare(batch []eventstore.EncodedEvent, events []*esdb.RecordedEvent, first uint64, more bool) overlap {
	index := make(map[uuid.UUID]int, len(batch))
	for i, e := range batch {
		index[e.ID] = i
	}
	found := make([]*esdb.RecordedEvent, len(batch))
	n := 0
	for _, e := range events {
		if i, ok := index[e.EventID]; ok {
			if found[i] == nil {
				n++
			}
			found[i] = e // the latest copy, should an id be stored twice
		}
	}
	switch {
	case n == 0:
		return overlap{kind: overlapNone}
	case n == len(batch) && consecutive(found):
		return overlap{kind: overlapAll, last: found[len(found)-1]}
	}
	if more && n < len(batch) {
		for i, e := range found {
			if e != nil && e.EventNumber == first && i > 0 && uint64(i) <= first {
				return overlap{kind: overlapBelow, start: first - uint64(i)}
			}
		}
	}
	return overlap{kind: overlapSome}
}

// consecutive reports whether found holds events at consecutive revisions.
func consecutive(found []*esdb.RecordedEvent) bool {
	for i := 1; i < len(found); i++ {
		if found[i].EventNumber != found[0].EventNumber+uint64(i) {
			return false
		}
	}
	return true
}

// settle resolves an overlapBelow (or checks the place a batch was meant
// for) by reading len(batch) events of stream from revision start on and
// comparing them with the batch.
func (s *Store) settle(ctx context.Context, stream string, batch []eventstore.EncodedEvent, start uint64) (overlap, error) {
	raw, err := s.readStreamRaw(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(start)}, uint64(len(batch)))
	if isNotFound(err) {
		return overlap{kind: overlapNone}, nil
	}
	if err != nil {
		return overlap{}, streamError(ctx, fmt.Sprintf("read %s from revision %d", stream, start), err)
	}
	o := compare(batch, raw, start, false)
	if o.kind == overlapBelow {
		o.kind = overlapSome
	}
	return o, nil
}

// partialOverlap is the error for a batch that is partly stored in stream.
func partialOverlap(stream string, batch []eventstore.EncodedEvent) error {
	return fmt.Errorf("append %d events to %s: %w: some of their ids are already stored in the stream, or stored out of the batch's order", len(batch), stream, eventstore.ErrPartialOverlap)
}
