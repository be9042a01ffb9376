package shipping

import (
	"strconv"

	"github.com/orderflow/orderflow/write/domain"
)

// Status is where a shipment is in its life:
//
//	none -> scheduled -> dispatched -> delivered
//	none -> rejected
//	scheduled -> cancelled
//
// Rejected, cancelled and delivered are final.
type Status uint8

// Shipment statuses.
const (
	StatusNone Status = iota
	StatusScheduled
	StatusRejected
	StatusCancelled
	StatusDispatched
	StatusDelivered
)

// String returns the status in lower case: "none", "scheduled",
// "rejected", "cancelled", "dispatched" or "delivered".
func (s Status) String() string {
	switch s {
	case StatusNone:
		return "none"
	case StatusScheduled:
		return "scheduled"
	case StatusRejected:
		return "rejected"
	case StatusCancelled:
		return "cancelled"
	case StatusDispatched:
		return "dispatched"
	case StatusDelivered:
		return "delivered"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// State is one order's shipment, folded from its stream. The zero State is
// a shipment never scheduled (StatusNone).
type State struct {
	OrderID string
	Status  Status
	// Address and Carrier are what the shipment was scheduled (or rejected)
	// with.
	Address Address
	Carrier string
	// TrackingNumber is set once the shipment is dispatched.
	TrackingNumber string
	// Reason says why the shipment was rejected or cancelled.
	Reason string
	// Version is the number of events folded in; for a stream read whole,
	// its last revision + 1.
	Version int64
}

// Evolve returns s with event e applied. It never fails and never checks a
// rule (Decide did, before e was stored): each event sets the status it
// names. Events of other types leave s unchanged. State holds no maps or
// slices, so s itself is never modified.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case ShipmentScheduled:
		s.OrderID, s.Address, s.Carrier = e.OrderID, e.Address, e.Carrier
		s.Status = StatusScheduled
	case ShipmentRejected:
		s.OrderID, s.Address, s.Carrier, s.Reason = e.OrderID, e.Address, e.Carrier, e.Reason
		s.Status = StatusRejected
	case ShipmentCancelled:
		s.Reason = e.Reason
		s.Status = StatusCancelled
	case ShipmentDispatched:
		s.TrackingNumber = e.TrackingNumber
		s.Status = StatusDispatched
	case ShipmentDelivered:
		s.Status = StatusDelivered
	default:
		return s
	}
	s.Version++
	return s
}
