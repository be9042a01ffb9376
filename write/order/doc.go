// Package order is the ordering context's write model: the order
// aggregate, its events and its rules. It is pure: Decide and Evolve do no
// I/O and read no clock; the caller loads the stream "order-{id}"
// (StreamID), decodes its events with Decode, folds them with Evolve,
// calls Decide with the time, and appends what Decide returns.
//
// # Life of an order
//
//	pending → confirmed → paid → shipped → delivered
//	pending, confirmed, paid → cancelled
//
// Place creates a pending order; Confirm, MarkPaid, MarkShipped and
// MarkDelivered each move it one step; Cancel ends it.
//
// # Rules
//
// Placing an order:
//   - the order id is 1 to 64 characters of letters, digits, '-', '_' and
//     '.' (it names a stream, and write/inventory takes the same order
//     ids); the customer id is required, at most 100 characters;
//   - an order has 1 to 100 lines; each names a SKU (1 to 64 letters,
//     digits, '-', '_' or '.', as write/inventory has them) and a quantity
//     from 1 to 1000;
//   - a SKU appears on at most one line: lines are not merged, a repeated
//     SKU is rejected (ErrDuplicateSKU), so that the order the customer
//     sees is the order they sent;
//   - prices come from the catalog, looked up by the caller and passed in
//     Place.Prices, never from the client: a SKU without a price is
//     unknown (ErrUnknownSKU, naming the SKU); prices must be positive and
//     all in one currency; the total is computed with overflow checks;
//   - the shipping address needs a name, line1, city and postal code
//     (line2 is optional), none with control characters, at most 200
//     characters each (postal code 20), and a country of two upper-case
//     letters;
//   - placing an order whose id exists is refused (ErrOrderExists),
//     unless it is the same placement again (same customer, lines and
//     address; prices are not compared, so a retry stays a retry after a
//     price change), which does nothing.
//
// Moving an order on:
//   - only a pending order can be confirmed, only a confirmed order paid,
//     only a paid order shipped, only a shipped order delivered;
//   - the amount paid must be exactly the order total;
//   - a customer may cancel a pending or confirmed order; the system
//     (Cancel.ByCustomer false, e.g. the fulfillment saga compensating) may
//     also cancel a paid order, after refunding it; shipped, delivered
//     and cancelled orders cannot be cancelled. A reason is required, at
//     most 500 characters;
//   - a command on an order that was never placed is ErrOrderNotFound.
//
// Repeats. A command that asks for the state the order is already in does
// nothing: Decide returns no events and no error. That is: confirming a
// confirmed order, marking a paid order paid with the same amount and
// charge id, a shipped order shipped with the same tracking number, a
// delivered order delivered, cancelling a cancelled order (whatever the
// reason), and the same placement again. A repeat with different details
// (another charge id, another tracking number) is refused
// (ErrAlreadyPaid, ErrAlreadyShipped), and so is every other transition
// the order's status does not allow, including a step the order has gone
// past (confirming a paid order is ErrOrderNotConfirmable).
//
// # Stored events
//
// Event type names are the Type constants ("order.placed"), stored and
// never derived from Go names. Payloads are JSON with camelCase fields
// and a schema version "v"; Decode reads every version up to the current
// one and refuses newer ones.
package order
