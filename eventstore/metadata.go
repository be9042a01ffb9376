package eventstore

import (
	"encoding/json"
	"fmt"
)

// Metadata is what every event carries besides its payload.
type Metadata struct {
	// CorrelationID ties together everything one request caused.
	CorrelationID string `json:"$correlationId,omitempty"`
	// CausationID is the id of the command or event that caused this one.
	CausationID string `json:"$causationId,omitempty"`
	// UserID is the acting user.
	UserID string `json:"userId,omitempty"`
	// TraceParent is the W3C traceparent of the span that appended the event.
	TraceParent string `json:"traceparent,omitempty"`
	// TraceState is the W3C tracestate that goes with TraceParent.
	TraceState string `json:"tracestate,omitempty"`
}

// MarshalMetadata encodes m as the JSON document stored beside an event.
func MarshalMetadata(m Metadata) []byte {
	b, err := json.Marshal(m)
	if err != nil { // strings only: cannot happen
		panic(fmt.Sprintf("marshal metadata: %v", err))
	}
	return b
}

// UnmarshalMetadata decodes stored metadata. Empty input gives the zero
// Metadata; unknown fields are ignored, so metadata written by other tools
// still reads.
func UnmarshalMetadata(b []byte) (Metadata, error) {
	var m Metadata
	if len(b) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return Metadata{}, fmt.Errorf("decode event metadata: %w", err)
	}
	return m, nil
}
