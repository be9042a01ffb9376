// Package payment is the payment context's write model: the payment of an
// order, its events and its rules. Each order has at most one payment, in
// the stream "payment-{orderId}" (StreamID). The package is pure: Decide
// and Evolve do no I/O and read no clock; the caller (a command handler,
// typically driven by the fulfillment saga and the payment provider's
// answers) loads the stream, decodes its events with Decode, folds them
// with Evolve, calls Decide with the time, and appends what Decide
// returns.
//
// # Life of a payment
//
//	requested → captured → refunded
//	requested → failed
//
// Request creates a requested payment; Capture or Fail settles it; Refund
// returns a captured payment's money. Failed and refunded are final: a
// failed payment is not retried in the same stream.
//
// # Rules
//
//   - the order id is 1 to 64 characters of letters, digits, '-', '_' and
//     '.', as write/order accepts them; every amount is positive and in a
//     valid currency (three upper-case letters);
//   - a payment is requested once: the same request again does nothing,
//     whatever has happened since; a request for another amount is
//     refused (ErrAlreadyRequested);
//   - only a requested payment can be captured, with a charge id and
//     exactly the amount requested (ErrAmountMismatch); capturing a
//     captured payment again with the same charge id and amount does
//     nothing, with another charge is refused (ErrAlreadyCaptured);
//   - only a requested payment can fail, with a reason (at most 500
//     characters) and a code (1 to 64 lower-case letters, digits and
//     underscores, e.g. "card_declined"); failing a failed payment again
//     does nothing; a captured payment cannot fail, it is refunded;
//   - only a captured payment can be refunded, once, with a refund id and
//     a reason; the refund is the whole captured amount. Refunding again
//     with the same refund id does nothing, with another is refused
//     (ErrAlreadyRefunded);
//   - a command other than Request on a payment never requested is
//     ErrPaymentNotFound.
//
// Repeats. A command that asks for the state the payment is already in,
// with the same details, does nothing: Decide returns no events and no
// error. Every other transition the payment's status does not allow is a
// rule error, including a step the payment has gone past (capturing a
// refunded payment is ErrNotCapturable).
//
// # Stored events
//
// Event type names are the Type constants ("payment.requested"), stored
// and never derived from Go names. Payloads are JSON with camelCase
// fields and a schema version "v"; Decode reads every version up to the
// current one and refuses newer ones.
package payment
