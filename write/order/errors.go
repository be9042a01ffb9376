package order

import (
	"github.com/orderflow/orderflow/write/domain"
)

// Errors of Decide. Each matches exactly one of domain.ErrInvalid,
// domain.ErrRule and domain.ErrNotFound with errors.Is; Decide may wrap
// them with detail, so compare with errors.Is and read the code with
// errors.As into a *domain.Error.
var (
	// ErrInvalidOrderID: the order id is empty, too long or has characters
	// a stream name cannot hold.
	ErrInvalidOrderID = domain.Invalid("invalid_order_id",
		"an order id is 1 to 64 characters of letters, digits, '-', '_' and '.'")
	// ErrInvalidCustomerID: the customer id is empty or too long.
	ErrInvalidCustomerID = domain.Invalid("invalid_customer_id",
		"the customer id is required and must be at most 100 characters")
	// ErrNoLines: the order has no lines.
	ErrNoLines = domain.Invalid("no_lines", "an order needs at least one line")
	// ErrTooManyLines: the order has more than 100 lines.
	ErrTooManyLines = domain.Invalid("too_many_lines", "an order can have at most 100 lines")
	// ErrInvalidSKU: a line's SKU is empty, too long or malformed.
	ErrInvalidSKU = domain.Invalid("invalid_sku",
		"a SKU is 1 to 64 characters of letters, digits, '-', '_' and '.'")
	// ErrDuplicateSKU: two lines name the same SKU. Orders are not merged:
	// put the whole quantity of a product on one line.
	ErrDuplicateSKU = domain.Invalid("duplicate_sku",
		"each product may appear on only one line; put its whole quantity on that line")
	// ErrInvalidQuantity: a line's quantity is outside 1..1000.
	ErrInvalidQuantity = domain.Invalid("invalid_quantity", "the quantity of a line must be between 1 and 1000")
	// ErrUnknownSKU: the catalog has no price for a line's SKU.
	ErrUnknownSKU = domain.Invalid("unknown_sku", "the catalog has no product with this SKU")
	// ErrInvalidPrice: the catalog price of an ordered product is not
	// positive or has no valid currency.
	ErrInvalidPrice = domain.Invalid("invalid_price", "the catalog price of this product is not usable")
	// ErrMixedCurrencies: the ordered products are priced in different
	// currencies.
	ErrMixedCurrencies = domain.Invalid("mixed_currencies",
		"all products of an order must be priced in the same currency")
	// ErrTotalTooLarge: a line total or the order total overflows.
	ErrTotalTooLarge = domain.Invalid("total_too_large", "the order total is too large")
	// ErrInvalidAddress: a shipping address field is missing, too long or
	// malformed.
	ErrInvalidAddress = domain.Invalid("invalid_address", "the shipping address is incomplete or invalid")
	// ErrInvalidAmount: a payment amount is not positive or has no valid
	// currency.
	ErrInvalidAmount = domain.Invalid("invalid_amount",
		"the amount must be positive and in a currency such as EUR")
	// ErrInvalidChargeID: the charge id is too long or malformed.
	ErrInvalidChargeID = domain.Invalid("invalid_charge_id",
		"the charge id must be at most 200 characters without control characters")
	// ErrInvalidTrackingNumber: the tracking number is too long or
	// malformed.
	ErrInvalidTrackingNumber = domain.Invalid("invalid_tracking_number",
		"the tracking number must be at most 100 characters without control characters")
	// ErrInvalidReason: the cancellation reason is empty or too long.
	ErrInvalidReason = domain.Invalid("invalid_reason",
		"a reason is required and must be at most 500 characters")
	// ErrInvalidChannel: the sales channel is not one of Channels.
	ErrInvalidChannel = domain.Invalid("invalid_channel",
		"the channel must be one of "+ChannelNames())
	// ErrUnknownCommand: Decide got a command it does not handle (nil, or
	// a pointer to a command: pass commands by value).
	ErrUnknownCommand = domain.Invalid("unknown_command", "this command is not one an order understands")

	// ErrOrderNotFound: the command addresses an order that was never
	// placed.
	ErrOrderNotFound = domain.NotFound("order_not_found", "no order with this id exists")

	// ErrOrderExists: Place names an order id that is taken by a different
	// order.
	ErrOrderExists = domain.Rule("order_exists", "an order with this id already exists")
	// ErrOrderNotConfirmable: only a pending order can be confirmed.
	ErrOrderNotConfirmable = domain.Rule("order_not_confirmable", "only a pending order can be confirmed")
	// ErrOrderNotPayable: only a confirmed order can be marked paid.
	ErrOrderNotPayable = domain.Rule("order_not_payable", "only a confirmed order can be marked paid")
	// ErrAmountMismatch: the amount paid is not the order total.
	ErrAmountMismatch = domain.Rule("amount_mismatch", "the amount paid must be exactly the order total")
	// ErrAlreadyPaid: the order is paid already, with another charge or
	// amount than the command says.
	ErrAlreadyPaid = domain.Rule("order_already_paid", "the order was already paid, with another charge or amount")
	// ErrOrderNotShippable: only a paid order can be shipped.
	ErrOrderNotShippable = domain.Rule("order_not_shippable", "only a paid order can be shipped")
	// ErrAlreadyShipped: the order is shipped already, with another
	// tracking number than the command says.
	ErrAlreadyShipped = domain.Rule("order_already_shipped",
		"the order was already shipped with another tracking number")
	// ErrOrderNotDeliverable: only a shipped order can be marked delivered.
	ErrOrderNotDeliverable = domain.Rule("order_not_deliverable", "only a shipped order can be marked delivered")
	// ErrOrderNotCancellable: the order is shipped or delivered, or it is
	// paid and the customer asked (only the system, which refunds first,
	// may cancel a paid order).
	ErrOrderNotCancellable = domain.Rule("order_not_cancellable", "this order can no longer be cancelled")
)

// Errors of Decode. They are not domain errors: a payload that does not
// decode is a fault in the stored data or a version skew between writers
// and readers, not a rejected command.
var (
	// ErrUnknownEventType: the event type is not an order event.
	ErrUnknownEventType = domain.ErrUnknownEventType
	// ErrUnsupportedVersion: the payload has no schema version, or one this
	// code cannot read.
	ErrUnsupportedVersion = domain.ErrUnsupportedVersion
	// ErrMalformedEvent: the payload is not the JSON object its type and
	// version call for.
	ErrMalformedEvent = domain.ErrMalformedEvent
)
