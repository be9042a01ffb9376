package order

import "github.com/orderflow/orderflow/write/domain"

// codec reads every order event. Older schema versions are upcast by
// the specs passed after the current ones.
var codec = domain.NewCodec("order", []domain.EventSpec{
	{Type: TypePlaced, Version: PlacedVersion, Decode: domain.Strict[Placed]},
	{Type: TypeConfirmed, Version: ConfirmedVersion, Decode: domain.Strict[Confirmed]},
	{Type: TypePaid, Version: PaidVersion, Decode: domain.Strict[Paid]},
	{Type: TypeShipped, Version: ShippedVersion, Decode: domain.Strict[Shipped]},
	{Type: TypeDelivered, Version: DeliveredVersion, Decode: domain.Strict[Delivered]},
	{Type: TypeCancelled, Version: CancelledVersion, Decode: domain.Strict[Cancelled]},
},
	domain.EventSpec{Type: TypePlaced, Version: 1, Decode: upcastPlacedV1},
)

// Decode turns a stored payload of event type typ back into its event, in
// its current schema version; the event is a value, as Evolve expects. It
// returns an error wrapping ErrUnknownEventType when typ is not an
// order event, ErrUnsupportedVersion when the payload's "v" is missing
// or not a version this code reads, and ErrMalformedEvent when the payload
// is not the JSON object of the event (unknown fields are refused). It is
// safe for concurrent use and never panics.
func Decode(typ string, data []byte) (domain.Event, error) { return codec.Decode(typ, data) }

// Codec returns the codec Decode uses: the order event types, their current
// schema versions and the older versions it upcasts.
func Codec() domain.Codec { return codec }
