package order

import (
	"slices"
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// State is an order as its events left it. The zero State is an order that
// does not exist (Version 0, Status 0). Build it by folding a stream's
// events with Evolve, starting from the zero State.
type State struct {
	// ID is the order id, CustomerID the customer who placed it.
	ID         string
	CustomerID string
	// Status is where the order is in its life.
	Status Status
	// Lines and Total are the ordered products and what they cost, priced
	// when the order was placed.
	Lines []Line
	Total money.Money
	// ShippingAddress is where the order goes.
	ShippingAddress Address
	// Channel is the sales channel the order came through.
	Channel Channel
	// PlacedAt and the other timestamps are when each step happened; zero
	// when it has not.
	PlacedAt    time.Time
	ConfirmedAt time.Time
	PaidAt      time.Time
	ShippedAt   time.Time
	DeliveredAt time.Time
	CancelledAt time.Time
	// ChargeID and PaidAmount describe the payment, once paid.
	ChargeID   string
	PaidAmount money.Money
	// TrackingNumber is the carrier's, once shipped (may stay empty).
	TrackingNumber string
	// CancelReason and CancelledByCustomer say why and by whom the order
	// was cancelled, once cancelled.
	CancelReason        string
	CancelledByCustomer bool
	// Version is the number of order events applied. After folding a whole
	// stream it is the stream's length, so the stream's last revision is
	// Version-1; 0 means the order does not exist.
	Version int64
}

// Exists reports whether the order was placed.
func (s State) Exists() bool { return s.Version > 0 }

// Evolve returns s with event e applied. It never fails and never checks a
// rule (events are facts; Decide checked the rules before they happened):
// it only records what e says. Events that are not order events (of another
// package, or pointers) leave s unchanged, Version included. Evolve does
// not modify s or e; the returned State shares no memory with e.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case Placed:
		s.ID = e.OrderID
		s.CustomerID = e.CustomerID
		s.Status = StatusPending
		s.Lines = slices.Clone(e.Lines)
		s.Total = e.Total
		s.ShippingAddress = e.ShippingAddress
		s.Channel = e.Channel
		s.PlacedAt = e.PlacedAt
	case Confirmed:
		s.Status = StatusConfirmed
		s.ConfirmedAt = e.ConfirmedAt
	case Paid:
		s.Status = StatusPaid
		s.ChargeID = e.ChargeID
		s.PaidAmount = e.Amount
		s.PaidAt = e.PaidAt
	case Shipped:
		s.Status = StatusShipped
		s.TrackingNumber = e.TrackingNumber
		s.ShippedAt = e.ShippedAt
	case Delivered:
		s.Status = StatusDelivered
		s.DeliveredAt = e.DeliveredAt
	case Cancelled:
		s.Status = StatusCancelled
		s.CancelReason = e.Reason
		s.CancelledByCustomer = e.ByCustomer
		s.CancelledAt = e.CancelledAt
	default:
		return s
	}
	s.Version++
	return s
}
