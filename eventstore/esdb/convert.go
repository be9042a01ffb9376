package esdb

import (
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore"
)

// isSystemEvent reports whether e is EventStoreDB's own bookkeeping: an
// event of a stream whose name starts with "$" (statistics, stream metadata,
// projections) or whose type does (a tombstone in a user stream).
func isSystemEvent(e *esdb.RecordedEvent) bool {
	return strings.HasPrefix(e.StreamID, "$") || strings.HasPrefix(e.EventType, "$")
}

// toRecorded turns an event read from the server into the port's. Metadata
// that is not the port's JSON (written by another tool) reads as the zero
// Metadata and is logged, rather than failing a read or a subscription.
func (s *Store) toRecorded(e *esdb.RecordedEvent) eventstore.RecordedEvent {
	meta, err := eventstore.UnmarshalMetadata(e.UserMetadata)
	if err != nil {
		s.log.Warn("event metadata is not JSON; reading it as empty",
			"stream", e.StreamID, "revision", e.EventNumber, "id", e.EventID, "err", err)
	}
	return eventstore.RecordedEvent{
		ID:       e.EventID,
		Stream:   e.StreamID,
		Revision: e.EventNumber,
		Position: recordedPosition(e.Position),
		Type:     e.EventType,
		Data:     e.Data,
		Metadata: meta,
		Recorded: e.CreatedDate,
	}
}
