package shipping

import (
	"encoding/json"
	"fmt"

	"github.com/orderflow/orderflow/write/domain"
)

// Decode turns a stored payload of event type typ back into its event,
// upcast to the current schema version. The event is a value
// (ShipmentDispatched, not *ShipmentDispatched), as Evolve expects. Decode
// returns an error wrapping ErrUnknownEventType when typ is not a shipping
// event, ErrUnsupportedVersion when the payload's "v" is missing, below 1
// or newer than this code knows, and ErrMalformedEvent when data is not the
// JSON object the type calls for. It is safe for concurrent use and never
// panics.
func Decode(typ string, data []byte) (domain.Event, error) {
	current := currentVersion(typ)
	if current == 0 {
		return nil, fmt.Errorf("decode %q: %w", typ, ErrUnknownEventType)
	}
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %w", typ, ErrMalformedEvent, err)
	}
	if head.V == nil {
		return nil, fmt.Errorf("decode %s: no schema version: %w", typ, ErrUnsupportedVersion)
	}
	if v := *head.V; v < 1 || v > current {
		return nil, fmt.Errorf("decode %s: version %d, known 1 to %d: %w", typ, v, current, ErrUnsupportedVersion)
	}
	e, err := decodeVersion(typ, *head.V, data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w: %w", typ, ErrMalformedEvent, err)
	}
	return e, nil
}

// decodeVersion decodes version v (1 <= v <= current) of a payload of type
// typ into the current event struct.
//
// Upcasters go here. When a payload changes, bump its version in events.go
// and add a case for the old version above the type's current case: decode
// the old shape into a struct of its own and convert it, e.g.
//
//	case typ == TypeShipmentDispatched && v == 1:
//		var old shipmentDispatchedV1
//		if err := json.Unmarshal(data, &old); err != nil {
//			return nil, err
//		}
//		return old.upcast(), nil
func decodeVersion(typ string, v int, data []byte) (domain.Event, error) {
	switch { // no older versions yet: every case below is the current one
	case typ == TypeShipmentScheduled:
		return unmarshal[ShipmentScheduled](data)
	case typ == TypeShipmentRejected:
		return unmarshal[ShipmentRejected](data)
	case typ == TypeShipmentCancelled:
		return unmarshal[ShipmentCancelled](data)
	case typ == TypeShipmentDispatched:
		return unmarshal[ShipmentDispatched](data)
	case typ == TypeShipmentDelivered:
		return unmarshal[ShipmentDelivered](data)
	}
	return nil, fmt.Errorf("%q: %w", typ, ErrUnknownEventType)
}

// unmarshal decodes data into a new E.
func unmarshal[E domain.Event](data []byte) (domain.Event, error) {
	var e E
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, err
	}
	return e, nil
}
