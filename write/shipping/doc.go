// Package shipping is the shipment of an order, one aggregate per order in
// the stream "shipment-{orderId}". It is pure: Decide turns a command into
// events or a *domain.Error, Evolve folds events into State, Decode reads
// stored payloads; no I/O, no clock.
//
// The rules:
//
//   - Schedule needs an order id (1 to 64 characters of A-Z a-z 0-9 - _ .,
//     as it is part of a stream name), an address with a name, a first
//     line, a city and an ISO 3166-1 alpha-2 country (second line and
//     postal code may be empty), a carrier, and the carrier's coverage as a
//     non-empty list of country codes. When the country is outside the
//     coverage the result is a ShipmentRejected event, not an error, for
//     the order saga to compensate on; otherwise ShipmentScheduled.
//   - Once scheduled or rejected, Schedule with the same order, address
//     and carrier does nothing, with others is ErrScheduleConflict. A
//     rejection is final: the shipment will never be scheduled.
//   - Cancel, Dispatch and Deliver need a shipment that was scheduled or
//     rejected (else ErrShipmentNotFound).
//   - Cancel (with a reason) stops a scheduled shipment. Cancelling a
//     cancelled or rejected shipment does nothing (it will not ship either
//     way), so compensation never fails; a dispatched or delivered one
//     cannot be cancelled.
//   - Dispatch (with a tracking number) needs a scheduled shipment, not a
//     rejected or cancelled one; dispatching again with the same tracking
//     number does nothing, with another is ErrAlreadyDispatched.
//   - Deliver needs a dispatched shipment; delivering twice does nothing.
//
// Decide returning no events and no error means the command was already
// done; the caller appends nothing and reports success.
package shipping
