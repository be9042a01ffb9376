package inventory

import "github.com/orderflow/orderflow/write/domain"

// codec reads every inventory event. Older schema versions are upcast by
// specs passed after the current ones, e.g.
//
//	domain.EventSpec{Type: TypeStockAdded, Version: 1, Decode: upcastStockAddedV1},
var codec = domain.NewCodec("inventory", []domain.EventSpec{
	{Type: TypeProductRegistered, Version: productRegisteredV, Decode: domain.Strict[ProductRegistered]},
	{Type: TypePriceChanged, Version: priceChangedV, Decode: domain.Strict[PriceChanged]},
	{Type: TypeStockAdded, Version: stockAddedV, Decode: domain.Strict[StockAdded]},
	{Type: TypeStockReserved, Version: stockReservedV, Decode: domain.Strict[StockReserved]},
	{Type: TypeStockReservationRejected, Version: stockReservationRejectedV, Decode: domain.Strict[StockReservationRejected]},
	{Type: TypeReservationReleased, Version: reservationReleasedV, Decode: domain.Strict[ReservationReleased]},
	{Type: TypeStockShipped, Version: stockShippedV, Decode: domain.Strict[StockShipped]},
})

// Decode turns a stored payload of event type typ back into its event, in
// its current schema version; the event is a value, as Evolve expects. It
// returns an error wrapping ErrUnknownEventType when typ is not an
// inventory event, ErrUnsupportedVersion when the payload's "v" is missing
// or not a version this code reads, and ErrMalformedEvent when the payload
// is not the JSON object of the event (unknown fields are refused). It is
// safe for concurrent use and never panics.
func Decode(typ string, data []byte) (domain.Event, error) { return codec.Decode(typ, data) }

// Codec returns the codec Decode uses: the inventory event types, their current
// schema versions and the older versions it upcasts.
func Codec() domain.Codec { return codec }
