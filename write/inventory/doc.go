// Package inventory is the product catalog and its stock, one aggregate per
// SKU in the stream "inventory-{sku}". It is pure: Decide turns a command
// into events or a *domain.Error, Evolve folds events into State, Decode
// reads stored payloads; no I/O, no clock.
//
// The rules:
//
//   - A SKU is 1 to 64 characters of A-Z a-z 0-9 - _ . (it is part of a
//     stream name). A product is registered once, with a name of 1 to 200
//     characters and a positive price in an ISO 4217 currency; registering
//     it again with the same SKU, name and current price does nothing, with
//     anything else is ErrProductAlreadyRegistered.
//   - Every other command needs a registered product (else
//     ErrProductNotFound), except Release, which does nothing.
//   - ChangePrice sets a new positive price in the product's currency; the
//     currency never changes. Prices come from here, never from a client.
//   - AddStock and Reserve carry 1 to 1,000,000 units.
//   - Reserve holds stock for an order when OnHand - Reserved covers it;
//     otherwise it records a StockReservationRejected event, not an error,
//     for the order saga to react to. An order holds at most one
//     reservation per SKU: reserving the same quantity again while it is
//     active does nothing, another quantity is ErrReservationConflict. A
//     rejected order may try again (stock may have arrived). A released or
//     shipped reservation is final: reserving again for that order is
//     ErrReservationReleased or ErrReservationShipped, so a late duplicate
//     can never hold stock twice. The state remembers the FinishedWindow
//     most recently finished reservations; a duplicate older than that is
//     decided again, and recognised by the event store from its event ids
//     (write/command).
//   - Release gives an active reservation back and records why; when the
//     order holds no active reservation (never reserved, rejected, already
//     released or shipped) it does nothing, so compensation never fails.
//   - Ship takes an order's whole reservation out of stock; it needs an
//     active reservation (ErrNotReserved, ErrReservationReleased), and
//     shipping twice does nothing (within FinishedWindow; after that the
//     second shipment is ErrNotReserved).
//   - Quantities are never negative and stock never goes below zero:
//     Reserved never exceeds OnHand.
//
// Decide returning no events and no error means the command was already
// done; the caller appends nothing and reports success.
//
// State stays as small as the rules need, whatever the history: active
// reservations and a window of finished ones. EncodeSnapshot and
// DecodeSnapshot persist it (write/service writes a snapshot every
// SnapshotEvery events), so loading a long stream reads only the events
// after its latest snapshot.
package inventory
