package payment

import "strconv"

// Status is where a payment is in its life:
//
//	requested → captured → refunded
//	requested → failed
//
// The zero Status belongs to a payment that does not exist.
type Status int

// Statuses of a payment that exists.
const (
	StatusRequested Status = iota + 1
	StatusCaptured
	StatusFailed
	StatusRefunded
)

// String returns the status in upper case (REQUESTED, CAPTURED, FAILED,
// REFUNDED), as the APIs show it; NONE for the zero Status and Status(n)
// for a value that is not a status.
func (s Status) String() string {
	switch s {
	case 0:
		return "NONE"
	case StatusRequested:
		return "REQUESTED"
	case StatusCaptured:
		return "CAPTURED"
	case StatusFailed:
		return "FAILED"
	case StatusRefunded:
		return "REFUNDED"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}
