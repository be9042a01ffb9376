package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// maxReadAllPage caps the events asked for in one read of $all.
const maxReadAllPage = 4096

// headPage is how many events Head reads from the end of $all at a time.
const headPage = 64

// ReadStream returns up to opts.Count events of stream from opts.From in
// opts.Direction. A stream without events, never written or deleted,
// returns an error wrapping eventstore.ErrStreamNotFound; reading past an
// end returns the events that exist, possibly none. Forwards from
// eventstore.End returns the last event; backwards from a revision beyond
// the end starts at the last event.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadOptions) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	if opts.Count <= 0 {
		return nil, fmt.Errorf("%w: read stream %s: count %d is not positive", eventstore.ErrInvalid, stream, opts.Count)
	}
	read, count, err := readPlan(opts)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	raw, err := s.readStreamRaw(ctx, stream, read, count)
	if err == nil && beyondEnd(opts, raw) {
		// The server reads backwards from exactly the revision asked for,
		// so from beyond the end it finds nothing there: start at the end.
		var last []*esdb.RecordedEvent
		last, err = s.readStreamRaw(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, count)
		if err == nil && len(last) > 0 && last[0].EventNumber < opts.From {
			raw = last
		}
	}
	if err != nil {
		return nil, streamError(ctx, "read stream "+stream, err)
	}
	out := make([]eventstore.RecordedEvent, len(raw))
	for i, e := range raw {
		out[i] = s.toRecorded(e)
	}
	return out, nil
}

// maxRevision is the highest revision the server takes (it counts in int64).
const maxRevision = math.MaxInt64

// readPlan maps the port's read options onto the client's. Reading
// forwards from End starts at the last event, which is then the only one.
func readPlan(opts eventstore.ReadOptions) (esdb.ReadStreamOptions, uint64, error) {
	count := uint64(min(opts.Count, math.MaxInt32))
	var from esdb.StreamPosition = esdb.Revision(opts.From)
	if opts.From > maxRevision {
		from = esdb.End{}
	}
	switch opts.Direction {
	case eventstore.Forwards:
		if opts.From == eventstore.End {
			return esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1, nil
		}
		return esdb.ReadStreamOptions{Direction: esdb.Forwards, From: from}, count, nil
	case eventstore.Backwards:
		return esdb.ReadStreamOptions{Direction: esdb.Backwards, From: from}, count, nil
	}
	return esdb.ReadStreamOptions{}, 0, fmt.Errorf("%w: unknown direction %d", eventstore.ErrInvalid, opts.Direction)
}

// beyondEnd reports whether a backwards read from a revision found nothing
// at that revision: it either lies beyond the end of the stream, or below
// its truncated start.
func beyondEnd(opts eventstore.ReadOptions, raw []*esdb.RecordedEvent) bool {
	if opts.Direction != eventstore.Backwards || opts.From > maxRevision {
		return false
	}
	return len(raw) == 0 || raw[0].EventNumber < opts.From
}

// ReadAll returns up to count events of the global log after from
// (exclusive), in global order, leaving out system events.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	if count <= 0 {
		return nil, fmt.Errorf("%w: read all: count %d is not positive", eventstore.ErrInvalid, count)
	}
	// One more than wanted: a read from a position includes the event there.
	page := uint64(min(count, maxReadAllPage)) + 1
	var out []eventstore.RecordedEvent
	after := from
	for len(out) < count {
		raw, err := s.readAllRaw(ctx, esdb.ReadAllOptions{Direction: esdb.Forwards, From: allFrom(after)}, page)
		if err != nil {
			return nil, streamError(ctx, fmt.Sprintf("read all after %s", after), err)
		}
		for _, e := range raw {
			pos := toPosition(e.Position)
			if !after.Less(pos) {
				continue
			}
			after = pos
			if isSystemEvent(e) {
				continue
			}
			if out = append(out, s.toRecorded(e)); len(out) == count {
				break
			}
		}
		if uint64(len(raw)) < page {
			break // the end of the log
		}
	}
	return out, nil
}

// Head returns the position of the last event of the global log that is
// not a system event, or the zero Position when there is none.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	var (
		from   esdb.AllPosition = esdb.End{}
		before *eventstore.Position
	)
	for {
		raw, err := s.readAllRaw(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, headPage)
		if err != nil {
			return eventstore.Position{}, streamError(ctx, "read the head of the log", err)
		}
		for _, e := range raw {
			pos := toPosition(e.Position)
			if before != nil && !pos.Less(*before) {
				continue // read already
			}
			before = &pos
			if !isSystemEvent(e) {
				return pos, nil
			}
		}
		if len(raw) < headPage || before == nil {
			return eventstore.Position{}, nil
		}
		from = fromPosition(*before)
	}
}

// readStreamRaw reads count events of stream with the client.
func (s *Store) readStreamRaw(ctx context.Context, stream string, opts esdb.ReadStreamOptions, count uint64) ([]*esdb.RecordedEvent, error) {
	return withClient(ctx, s, func(c *esdb.Client) ([]*esdb.RecordedEvent, error) {
		rs, err := c.ReadStream(ctx, stream, opts, count)
		if err != nil {
			return nil, err
		}
		return drain(rs)
	})
}

// readAllRaw reads count events of $all, system events included, with the
// client.
func (s *Store) readAllRaw(ctx context.Context, opts esdb.ReadAllOptions, count uint64) ([]*esdb.RecordedEvent, error) {
	return withClient(ctx, s, func(c *esdb.Client) ([]*esdb.RecordedEvent, error) {
		rs, err := c.ReadAll(ctx, opts, count)
		if err != nil {
			return nil, err
		}
		return drain(rs)
	})
}

// drain receives every event of rs and closes it. Links are not resolved,
// so each event is the one stored.
func drain(rs *esdb.ReadStream) ([]*esdb.RecordedEvent, error) {
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		e, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e.OriginalEvent())
	}
}
