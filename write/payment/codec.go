package payment

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/orderflow/orderflow/write/domain"
)

// Decode decodes the stored JSON payload of a payment event of type typ and
// returns the event (a Requested, Captured, ... value) in its current schema
// version. A payload written with an older schema version is upcast to the
// current one.
//
// Decode returns an error wrapping ErrUnknownEventType when typ is not a
// payment event, ErrUnsupportedVersion when the payload's "v" is missing or is
// a version this code does not know (below 1, or written by newer code),
// and ErrMalformedEvent when the payload is not one JSON object of the
// event's shape (fields the event does not have are refused). The event is
// a value (Captured, not *Captured), as Evolve expects. Decode is safe for
// concurrent use.
func Decode(typ string, data []byte) (domain.Event, error) {
	current, ok := currentVersion(typ)
	if !ok {
		return nil, fmt.Errorf("decode %q: %w", typ, ErrUnknownEventType)
	}
	v, err := payloadVersion(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", typ, err)
	}
	if v < 1 || v > current {
		return nil, fmt.Errorf("decode %s: version %d, known 1 to %d: %w", typ, v, current, ErrUnsupportedVersion)
	}
	var e domain.Event
	switch {
	case typ == TypeRequested && v == RequestedVersion:
		e, err = decodeStrict[Requested](data)
	case typ == TypeCaptured && v == CapturedVersion:
		e, err = decodeStrict[Captured](data)
	case typ == TypeFailed && v == FailedVersion:
		e, err = decodeStrict[Failed](data)
	case typ == TypeRefunded && v == RefundedVersion:
		e, err = decodeStrict[Refunded](data)

	// Older schema versions are upcast here: one case per old version,
	// decoding the old shape and returning the current one, e.g.
	//
	//	case typ == TypeCaptured && v == 1:
	//		e, err = upcastCapturedV1(data)

	default: // a version was bumped without teaching Decode the old one
		return nil, fmt.Errorf("decode %s: no decoder for version %d: %w", typ, v, ErrUnsupportedVersion)
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s v%d: %w: %w", typ, v, ErrMalformedEvent, err)
	}
	return e, nil
}

// currentVersion returns the current schema version of event type typ, and
// false when typ is not a payment event type.
func currentVersion(typ string) (int, bool) {
	switch typ {
	case TypeRequested:
		return RequestedVersion, true
	case TypeCaptured:
		return CapturedVersion, true
	case TypeFailed:
		return FailedVersion, true
	case TypeRefunded:
		return RefundedVersion, true
	}
	return 0, false
}

// payloadVersion reads the schema version "v" of a JSON object payload.
func payloadVersion(data []byte) (int, error) {
	var probe struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformedEvent, err)
	}
	if probe.V == nil {
		return 0, fmt.Errorf("no schema version: %w", ErrUnsupportedVersion)
	}
	return *probe.V, nil
}

// decodeStrict decodes data into an E, rejecting fields E does not have.
// (payloadVersion has already rejected data that is not one JSON value.)
func decodeStrict[E domain.Event](data []byte) (domain.Event, error) {
	var e E
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, err
	}
	return e, nil
}
