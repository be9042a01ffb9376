package fulfillment

import (
	"time"

	"github.com/orderflow/orderflow/write/order"
)

// StartedFrom returns the event that opens the saga of placed order p,
// whose payment is due paymentTimeout after the order was placed.
func StartedFrom(p order.Placed, paymentTimeout time.Duration) Started {
	lines := make([]Line, len(p.Lines))
	for i, l := range p.Lines {
		lines[i] = Line{SKU: l.SKU, Quantity: l.Quantity}
	}
	a := p.ShippingAddress
	return Started{
		V: startedV, OrderID: p.OrderID, CustomerID: p.CustomerID, Lines: lines, Total: p.Total,
		Address:         Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country},
		PaymentDeadline: p.PlacedAt.Add(paymentTimeout),
		StartedAt:       p.PlacedAt,
	}
}

// CancelRequestedFrom returns the event that asks the saga to compensate
// for the customer's cancellation c.
func CancelRequestedFrom(c order.Cancelled) CancelRequested {
	return CancelRequested{V: cancelRequestedV, Reason: c.Reason, At: c.CancelledAt}
}
