package shipping

import (
	"github.com/orderflow/orderflow/write/domain"
)

// Errors Decide returns. Each is a *domain.Error, so errors.Is matches it
// and its kind (domain.ErrInvalid, domain.ErrRule, domain.ErrNotFound);
// Decide may wrap one with %w to add detail.
var (
	// ErrInvalidOrderID: the order id is empty, too long or has a character
	// outside A-Z a-z 0-9 - _ .
	ErrInvalidOrderID = domain.Invalid("invalid_order_id",
		"an order id is 1 to 64 characters of letters, digits, '-', '_' and '.'")
	// ErrInvalidAddress: a required address field is blank, a field is too
	// long or not printable text, or the country is not an ISO 3166-1
	// alpha-2 code. The wrapped detail names the field.
	ErrInvalidAddress = domain.Invalid("invalid_address",
		"the delivery address is incomplete or malformed")
	// ErrInvalidCarrier: the carrier name is blank, too long or not
	// printable text.
	ErrInvalidCarrier = domain.Invalid("invalid_carrier",
		"a carrier is named by 1 to 100 characters of printable text")
	// ErrInvalidServedCountries: Schedule got no served countries, or one
	// that is not an ISO 3166-1 alpha-2 code.
	ErrInvalidServedCountries = domain.Invalid("invalid_served_countries",
		"the countries a carrier serves are a non-empty list of two-letter codes such as DE")
	// ErrInvalidReason: the cancellation reason is blank, too long or not
	// printable text.
	ErrInvalidReason = domain.Invalid("invalid_reason",
		"a reason is 1 to 500 characters of printable text")
	// ErrInvalidTrackingNumber: the tracking number is blank, too long or
	// not printable text.
	ErrInvalidTrackingNumber = domain.Invalid("invalid_tracking_number",
		"a tracking number is 1 to 100 characters of printable text")
	// ErrUnknownCommand: Decide got a command it does not know (nil, or a
	// pointer to a command instead of the command value).
	ErrUnknownCommand = domain.Invalid("unknown_command", "shipping does not know this command")

	// ErrShipmentNotFound: Cancel, Dispatch or Deliver for an order whose
	// shipment was never scheduled.
	ErrShipmentNotFound = domain.NotFound("shipment_not_found",
		"no shipment was scheduled for this order")

	// ErrScheduleConflict: Schedule for an order whose shipment was already
	// scheduled or rejected with another address or carrier.
	ErrScheduleConflict = domain.Rule("shipment_schedule_conflict",
		"a shipment was already requested for this order with a different address or carrier")
	// ErrShipmentRejected: Dispatch or Deliver for a shipment the carrier
	// rejected.
	ErrShipmentRejected = domain.Rule("shipment_rejected",
		"the shipment was rejected because the carrier does not deliver to its address")
	// ErrShipmentCancelled: Dispatch or Deliver for a cancelled shipment.
	ErrShipmentCancelled = domain.Rule("shipment_cancelled", "the shipment was cancelled")
	// ErrAlreadyDispatched: Cancel for a dispatched shipment, or Dispatch
	// with another tracking number than the one it left with.
	ErrAlreadyDispatched = domain.Rule("shipment_already_dispatched",
		"the shipment has already been dispatched")
	// ErrAlreadyDelivered: Cancel for a delivered shipment.
	ErrAlreadyDelivered = domain.Rule("shipment_already_delivered",
		"the shipment has already been delivered")
	// ErrNotDispatched: Deliver for a shipment that has not been
	// dispatched.
	ErrNotDispatched = domain.Rule("shipment_not_dispatched",
		"the shipment cannot be delivered before it is dispatched")
)

// Errors Decode returns, wrapped with the event type and detail.
var (
	// ErrUnknownEventType: the type is not a shipping event.
	ErrUnknownEventType = domain.ErrUnknownEventType
	// ErrUnsupportedVersion: the payload's schema version is newer than
	// this code knows, or below 1.
	ErrUnsupportedVersion = domain.ErrUnsupportedVersion
	// ErrMalformedEvent: the payload is not the JSON object its type and
	// version call for.
	ErrMalformedEvent = domain.ErrMalformedEvent
)
