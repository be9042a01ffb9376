package payment

import (
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// State is an order's payment as its events left it. The zero State is a
// payment that does not exist (Version 0, Status 0). Build it by folding a
// stream's events with Evolve, starting from the zero State.
type State struct {
	// OrderID is the order the payment is for.
	OrderID string
	// Status is where the payment is in its life.
	Status Status
	// Amount is the amount requested.
	Amount money.Money
	// ChargeID and CapturedAmount describe the capture, once captured.
	ChargeID       string
	CapturedAmount money.Money
	// FailureCode and FailureReason say why the payment failed, once failed.
	FailureCode   string
	FailureReason string
	// RefundID, RefundedAmount and RefundReason describe the refund, once
	// refunded.
	RefundID       string
	RefundedAmount money.Money
	RefundReason   string
	// RequestedAt and the other timestamps are when each step happened;
	// zero when it has not.
	RequestedAt time.Time
	CapturedAt  time.Time
	FailedAt    time.Time
	RefundedAt  time.Time
	// Version is the number of payment events applied. After folding a
	// whole stream it is the stream's length, so the stream's last revision
	// is Version-1; 0 means the payment does not exist.
	Version int64
}

// Exists reports whether a payment was requested.
func (s State) Exists() bool { return s.Version > 0 }

// Evolve returns s with event e applied. It never fails and never checks a
// rule (events are facts; Decide checked the rules before they happened):
// it only records what e says. Events that are not payment events (of
// another package, or pointers) leave s unchanged, Version included.
// Evolve does not modify s or e.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case Requested:
		s.OrderID = e.OrderID
		s.Status = StatusRequested
		s.Amount = e.Amount
		s.RequestedAt = e.RequestedAt
	case Captured:
		s.Status = StatusCaptured
		s.ChargeID = e.ChargeID
		s.CapturedAmount = e.Amount
		s.CapturedAt = e.CapturedAt
	case Failed:
		s.Status = StatusFailed
		s.FailureCode = e.Code
		s.FailureReason = e.Reason
		s.FailedAt = e.FailedAt
	case Refunded:
		s.Status = StatusRefunded
		s.RefundID = e.RefundID
		s.RefundedAmount = e.Amount
		s.RefundReason = e.Reason
		s.RefundedAt = e.RefundedAt
	default:
		return s
	}
	s.Version++
	return s
}
