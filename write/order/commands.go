package order

import "github.com/orderflow/orderflow/write/money"

// Command is a request to change an order: Place, Confirm, MarkPaid,
// MarkShipped, MarkDelivered or Cancel, passed to Decide by value.
type Command interface {
	orderCommand()
}

// Place places a new order. The client chooses the customer, the lines,
// the address and the sales channel (empty means ChannelAPI); Prices
// come from the catalog (the caller looks up the SKUs
// of the lines), never from the client. Prices may hold more SKUs than the
// order needs.
type Place struct {
	OrderID         string
	CustomerID      string
	Lines           []LineRequest
	ShippingAddress Address
	Channel         Channel
	Prices          map[string]money.Money
}

// LineRequest is one line a customer asks for: a product and how many.
type LineRequest struct {
	SKU      string
	Quantity int
}

// Confirm confirms a pending order.
type Confirm struct{}

// MarkPaid records that a confirmed order was paid: Amount must be the
// order total; ChargeID is the payment provider's charge, if known.
type MarkPaid struct {
	Amount   money.Money
	ChargeID string
}

// MarkShipped records that a paid order was shipped; TrackingNumber is
// optional.
type MarkShipped struct {
	TrackingNumber string
}

// MarkDelivered records that a shipped order was delivered.
type MarkDelivered struct{}

// Cancel cancels an order. ByCustomer is true when the customer asks,
// false when the system does (the fulfillment saga compensating).
type Cancel struct {
	Reason     string
	ByCustomer bool
}

func (Place) orderCommand()         {}
func (Confirm) orderCommand()       {}
func (MarkPaid) orderCommand()      {}
func (MarkShipped) orderCommand()   {}
func (MarkDelivered) orderCommand() {}
func (Cancel) orderCommand()        {}
