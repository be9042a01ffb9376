package esdb

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// ReadAllBackwards implements eventstore.BackwardsReader: up to count
// events of $all before before (exclusive), newest first, leaving out
// system events.
func (s *Store) ReadAllBackwards(ctx context.Context, before eventstore.Position, count int) ([]eventstore.RecordedEvent, error) {
	if count <= 0 {
		return nil, fmt.Errorf("%w: read all backwards: count %d is not positive", eventstore.ErrInvalid, count)
	}
	// One more than wanted: a read from a position includes the event there.
	page := uint64(min(count, maxReadAllPage)) + 1
	var (
		from esdb.AllPosition = esdb.End{}
		out  []eventstore.RecordedEvent
	)
	if before != eventstore.LogEnd {
		from = fromPosition(before)
	}
	last := before
	for len(out) < count {
		raw, err := s.readAllRaw(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, page)
		if err != nil {
			return nil, streamError(ctx, fmt.Sprintf("read all before %s", before), err)
		}
		for _, e := range raw {
			pos := toPosition(e.Position)
			if !pos.Less(last) {
				continue
			}
			last = pos
			if isSystemEvent(e) {
				continue
			}
			if out = append(out, s.toRecorded(e)); len(out) == count {
				break
			}
		}
		if uint64(len(raw)) < page {
			break // the start of the log
		}
		from = fromPosition(last)
	}
	return out, nil
}
