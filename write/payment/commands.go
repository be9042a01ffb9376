package payment

import "github.com/orderflow/orderflow/write/money"

// Command is a request to change an order's payment: Request, Capture,
// Fail or Refund, passed to Decide by value.
type Command interface {
	paymentCommand()
}

// Request asks for the payment of Amount for order OrderID. An order is
// paid once: its payment stream holds one payment.
type Request struct {
	OrderID string
	Amount  money.Money
}

// Capture records that the provider captured Amount (the amount requested)
// with charge ChargeID.
type Capture struct {
	ChargeID string
	Amount   money.Money
}

// Fail records that the payment could not be captured: Code is a
// machine-readable cause ("card_declined"), Reason the explanation.
type Fail struct {
	Reason string
	Code   string
}

// Refund records that the captured amount was refunded under the
// provider's refund RefundID, and why.
type Refund struct {
	RefundID string
	Reason   string
}

func (Request) paymentCommand() {}
func (Capture) paymentCommand() {}
func (Fail) paymentCommand()    {}
func (Refund) paymentCommand()  {}
