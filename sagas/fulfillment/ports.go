package fulfillment

import (
	"context"
	"errors"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// The write side as the saga's steps use it: one small interface per
// aggregate they send commands to. The write side's service implements
// them all. Every call carries meta with the step's idempotency key, so
// that sending a step's command again changes nothing more.
type (
	// Orders sends cmd to order id.
	Orders interface {
		Order(ctx context.Context, meta command.Meta, id string, cmd order.Command, ifRevision *int64) (command.Result, error)
	}
	// Inventory sends cmd to the stock of sku.
	Inventory interface {
		Inventory(ctx context.Context, meta command.Meta, sku string, cmd inventory.Command) (command.Result, error)
	}
	// PaymentRecords sends cmd to the payment of order orderID: the
	// record of what the provider (Payments) did.
	PaymentRecords interface {
		Payment(ctx context.Context, meta command.Meta, orderID string, cmd payment.Command) (command.Result, error)
	}
	// Shipments sends cmd to the shipment of order orderID.
	Shipments interface {
		Shipment(ctx context.Context, meta command.Meta, orderID string, cmd shipping.Command) (command.Result, error)
	}
)

// Payments is the payment provider as the saga uses it. Every call carries
// an idempotency key: the same key never charges or refunds twice.
type Payments interface {
	// Charge charges amount for reference and returns the charge id. A
	// decline is an error matching ErrPaymentDeclined (a *DeclinedError
	// says why); a provider that cannot be reached now matches
	// ErrPaymentUnavailable.
	Charge(ctx context.Context, key, reference string, amount money.Money) (chargeID string, err error)
	// Refund refunds a charge in full and returns the refund id.
	Refund(ctx context.Context, key, chargeID string) (refundID string, err error)
	// LookupCharge finds the successful charge made with key, if any.
	LookupCharge(ctx context.Context, key string) (chargeID string, found bool, err error)
}

var (
	// ErrPaymentDeclined: the provider refused the charge; the saga
	// compensates.
	ErrPaymentDeclined = errors.New("payment declined")
	// ErrPaymentUnavailable: the provider cannot be reached now (circuit
	// open, retries exhausted); the saga parks the step, and once the
	// payment deadline has passed it compensates.
	ErrPaymentUnavailable = errors.New("payment provider unavailable")
	// ErrPaymentBusy: our own queue to the provider was full for as long
	// as a call may wait (the client's bulkhead); nothing was sent. The
	// saga parks the step, but the provider is not to blame: this never
	// makes the payment deadline cancel the order.
	ErrPaymentBusy = errors.New("payment provider queue full")
)

// DeclinedError is a decline with the provider's code.
type DeclinedError struct{ Code string }

func (e *DeclinedError) Error() string { return "payment declined: " + e.Code }

// Is makes errors.Is(err, ErrPaymentDeclined) true.
func (e *DeclinedError) Is(target error) bool { return target == ErrPaymentDeclined }
