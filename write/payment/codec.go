package payment

import "github.com/orderflow/orderflow/write/domain"

// codec reads every payment event. Older schema versions are upcast by
// specs passed after the current ones, e.g.
//
//	domain.EventSpec{Type: TypeRequested, Version: 1, Decode: upcastRequestedV1},
var codec = domain.NewCodec("payment", []domain.EventSpec{
	{Type: TypeRequested, Version: RequestedVersion, Decode: domain.Strict[Requested]},
	{Type: TypeCaptured, Version: CapturedVersion, Decode: domain.Strict[Captured]},
	{Type: TypeFailed, Version: FailedVersion, Decode: domain.Strict[Failed]},
	{Type: TypeRefunded, Version: RefundedVersion, Decode: domain.Strict[Refunded]},
})

// Decode turns a stored payload of event type typ back into its event, in
// its current schema version; the event is a value, as Evolve expects. It
// returns an error wrapping ErrUnknownEventType when typ is not a
// payment event, ErrUnsupportedVersion when the payload's "v" is missing
// or not a version this code reads, and ErrMalformedEvent when the payload
// is not the JSON object of the event (unknown fields are refused). It is
// safe for concurrent use and never panics.
func Decode(typ string, data []byte) (domain.Event, error) { return codec.Decode(typ, data) }

// Codec returns the codec Decode uses: the payment event types, their current
// schema versions and the older versions it upcasts.
func Codec() domain.Codec { return codec }
