package command

import (
	"strconv"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// Meta is what a command carries besides its data; it ends up in the
// metadata of every event the command causes.
type Meta struct {
	// CommandID identifies this command: the causation id of its events.
	CommandID string
	// CorrelationID ties together everything one request caused.
	CorrelationID string
	// UserID is the acting user.
	UserID string
	// TraceParent and TraceState are the W3C trace context of the caller.
	TraceParent string
	TraceState  string
	// IdempotencyKey, when set, makes the command's event ids deterministic
	// (see EventID): a retry with the same key writes nothing new.
	IdempotencyKey string
}

func (m Meta) eventMetadata() eventstore.Metadata {
	return eventstore.Metadata{
		CorrelationID: m.CorrelationID,
		CausationID:   m.CommandID,
		UserID:        m.UserID,
		TraceParent:   m.TraceParent,
		TraceState:    m.TraceState,
	}
}

// idNamespace scopes the event ids derived from idempotency keys.
var idNamespace = uuid.MustParse("5b0c3f0e-8f7a-4f53-9a3e-6d0f7b1c2a44")

// EventID returns the id of the i-th event a command with idempotency key
// writes to stream: the same inputs always give the same id, and different
// streams or keys never share one.
func EventID(stream, key string, i int) uuid.UUID {
	b := make([]byte, 0, len(stream)+len(key)+24)
	b = append(b, stream...)
	b = append(b, 0)
	b = append(b, key...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(i), 10)
	return uuid.NewSHA1(idNamespace, b)
}
