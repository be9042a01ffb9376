package eventstore

import (
	"time"

	"github.com/google/uuid"
)

// EventData is an event to append.
type EventData struct {
	// ID identifies the event. It must be set, and set deterministically
	// wherever a retry of the same append must be recognised.
	ID uuid.UUID
	// Type is the stored event type name, e.g. "order.placed".
	Type string
	// Data is the event payload: a JSON document.
	Data []byte
	// Metadata travels with the event unchanged.
	Metadata Metadata
}

// RecordedEvent is an event as stored.
type RecordedEvent struct {
	ID       uuid.UUID
	Stream   string
	Revision uint64
	Position Position
	Type     string
	Data     []byte
	Metadata Metadata
	// Recorded is when the store accepted the event.
	Recorded time.Time
}

// Category returns the category of the event's stream.
func (e RecordedEvent) Category() string { return Category(e.Stream) }
