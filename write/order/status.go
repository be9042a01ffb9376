package order

import "strconv"

// Status is where an order is in its life:
//
//	pending → confirmed → paid → shipped → delivered
//
// and, from pending, confirmed or (by the system only) paid, cancelled.
// The zero Status belongs to an order that does not exist.
type Status int

// Statuses of an order that exists.
const (
	StatusPending Status = iota + 1
	StatusConfirmed
	StatusPaid
	StatusShipped
	StatusDelivered
	StatusCancelled
)

// String returns the status in upper case (PENDING, CONFIRMED, PAID,
// SHIPPED, DELIVERED, CANCELLED), as the APIs show it; NONE for the zero
// Status and Status(n) for a value that is not a status.
func (s Status) String() string {
	switch s {
	case 0:
		return "NONE"
	case StatusPending:
		return "PENDING"
	case StatusConfirmed:
		return "CONFIRMED"
	case StatusPaid:
		return "PAID"
	case StatusShipped:
		return "SHIPPED"
	case StatusDelivered:
		return "DELIVERED"
	case StatusCancelled:
		return "CANCELLED"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}
