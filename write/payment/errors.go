package payment

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
	// ErrInvalidAmount: the amount is not positive or has no valid currency.
	ErrInvalidAmount = domain.Invalid("invalid_amount",
		"the amount must be positive and in a currency such as EUR")
	// ErrInvalidChargeID: the charge id is empty, too long or malformed.
	ErrInvalidChargeID = domain.Invalid("invalid_charge_id",
		"a charge id is required, at most 200 characters without control characters")
	// ErrInvalidRefundID: the refund id is empty, too long or malformed.
	ErrInvalidRefundID = domain.Invalid("invalid_refund_id",
		"a refund id is required, at most 200 characters without control characters")
	// ErrInvalidFailureCode: the failure code is not a short snake_case
	// code.
	ErrInvalidFailureCode = domain.Invalid("invalid_failure_code",
		"a failure code is 1 to 64 lower-case letters, digits and underscores, e.g. card_declined")
	// ErrInvalidReason: the reason is empty or too long.
	ErrInvalidReason = domain.Invalid("invalid_reason",
		"a reason is required and must be at most 500 characters")
	// ErrUnknownCommand: Decide got a command it does not handle (nil, or
	// a pointer to a command: pass commands by value).
	ErrUnknownCommand = domain.Invalid("unknown_command", "this command is not one a payment understands")

	// ErrPaymentNotFound: no payment was requested for the order.
	ErrPaymentNotFound = domain.NotFound("payment_not_found", "no payment was requested for this order")

	// ErrAlreadyRequested: a payment was requested for the order already,
	// for another amount.
	ErrAlreadyRequested = domain.Rule("payment_already_requested",
		"a payment was already requested for this order, for another amount")
	// ErrAmountMismatch: the amount captured is not the amount requested.
	ErrAmountMismatch = domain.Rule("amount_mismatch", "the amount captured must be exactly the amount requested")
	// ErrNotCapturable: only a requested payment can be captured; a failed
	// or refunded one cannot.
	ErrNotCapturable = domain.Rule("payment_not_capturable", "only a requested payment can be captured")
	// ErrAlreadyCaptured: the payment was captured already, with another
	// charge or amount than the command says.
	ErrAlreadyCaptured = domain.Rule("payment_already_captured",
		"the payment was already captured, with another charge or amount")
	// ErrNotFailable: only a requested payment can fail; a captured one
	// must be refunded instead.
	ErrNotFailable = domain.Rule("payment_not_failable",
		"only a requested payment can fail; a captured payment must be refunded instead")
	// ErrNotRefundable: only a captured payment can be refunded.
	ErrNotRefundable = domain.Rule("payment_not_refundable", "only a captured payment can be refunded")
	// ErrAlreadyRefunded: the payment was refunded already, under another
	// refund id.
	ErrAlreadyRefunded = domain.Rule("payment_already_refunded",
		"the payment was already refunded, under another refund id")
)

// Errors of Decode. They are not domain errors: a payload that does not
// decode is a fault in the stored data or a version skew between writers
// and readers, not a rejected command.
var (
	// ErrUnknownEventType: the event type is not a payment event.
	ErrUnknownEventType = domain.ErrUnknownEventType
	// ErrUnsupportedVersion: the payload has no schema version, or one this
	// code cannot read.
	ErrUnsupportedVersion = domain.ErrUnsupportedVersion
	// ErrMalformedEvent: the payload is not the JSON object its type and
	// version call for.
	ErrMalformedEvent = domain.ErrMalformedEvent
)
