package shipping

import "github.com/orderflow/orderflow/write/domain"

// codec reads every shipping event. Older schema versions are upcast by
// specs passed after the current ones, e.g.
//
//	domain.EventSpec{Type: TypeShipmentScheduled, Version: 1, Decode: upcastShipmentScheduledV1},
var codec = domain.NewCodec("shipping", []domain.EventSpec{
	{Type: TypeShipmentScheduled, Version: shipmentScheduledV, Decode: domain.Strict[ShipmentScheduled]},
	{Type: TypeShipmentRejected, Version: shipmentRejectedV, Decode: domain.Strict[ShipmentRejected]},
	{Type: TypeShipmentCancelled, Version: shipmentCancelledV, Decode: domain.Strict[ShipmentCancelled]},
	{Type: TypeShipmentDispatched, Version: shipmentDispatchedV, Decode: domain.Strict[ShipmentDispatched]},
	{Type: TypeShipmentDelivered, Version: shipmentDeliveredV, Decode: domain.Strict[ShipmentDelivered]},
})

// Decode turns a stored payload of event type typ back into its event, in
// its current schema version; the event is a value, as Evolve expects. It
// returns an error wrapping ErrUnknownEventType when typ is not a
// shipping event, ErrUnsupportedVersion when the payload's "v" is missing
// or not a version this code reads, and ErrMalformedEvent when the payload
// is not the JSON object of the event (unknown fields are refused). It is
// safe for concurrent use and never panics.
func Decode(typ string, data []byte) (domain.Event, error) { return codec.Decode(typ, data) }

// Codec returns the codec Decode uses: the shipping event types, their current
// schema versions and the older versions it upcasts.
func Codec() domain.Codec { return codec }
