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

// MarshalMetadata encodes m as the JSON document stored beside an event:
// the fields that are set, byte for byte as encoding/json writes m. It
// runs on every append, so it writes the document itself instead of going
// through reflection.
func MarshalMetadata(m Metadata) []byte {
	b := make([]byte, 0, 2+len(m.CorrelationID)+len(m.CausationID)+len(m.UserID)+len(m.TraceParent)+len(m.TraceState)+80)
	b = append(b, '{')
	b = appendMetadataField(b, "$correlationId", m.CorrelationID)
	b = appendMetadataField(b, "$causationId", m.CausationID)
	b = appendMetadataField(b, "userId", m.UserID)
	b = appendMetadataField(b, "traceparent", m.TraceParent)
	b = appendMetadataField(b, "tracestate", m.TraceState)
	return append(b, '}')
}

// appendMetadataField appends "key":value to the object b is writing,
// unless value is empty. The keys are the json tags of Metadata.
func appendMetadataField(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			// Escapes as encoding/json writes them.
			q, err := json.Marshal(value)
			if err != nil { // a string: cannot happen
				panic(fmt.Sprintf("marshal metadata: %v", err))
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, value...)
	return append(b, '"')
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
