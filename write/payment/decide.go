package payment

import (
	"fmt"
	"time"

	"github.com/orderflow/orderflow/write/domain"
)

// Decide decides what command cmd does to the payment in state s at time
// now and returns the events that record it. It does not change s; the
// caller appends the events and folds them into s with Evolve.
//
// Three things might happen:
//   - the command is carried out: Decide returns one event, stamped with
//     now in UTC;
//   - the command was already carried out (the payment is already in the
//     state it asks for, with the same details): Decide returns no events
//     and no error, and the caller appends nothing;
//   - the command is refused: Decide returns a *domain.Error (one of this
//     package's Err values, perhaps wrapped with detail). It checks the
//     command itself first (domain.ErrInvalid), then that the payment
//     exists (ErrPaymentNotFound, domain.ErrNotFound), then the rules of
//     the payment's life (domain.ErrRule).
//
// Decide is a pure function, safe for concurrent use.
func Decide(s State, cmd Command, now time.Time) ([]domain.Event, error) {
	now = now.UTC()
	switch c := cmd.(type) {
	case Request:
		return request(s, c, now)
	case Capture:
		return capture(s, c, now)
	case Fail:
		return fail(s, c, now)
	case Refund:
		return refund(s, c, now)
	}
	return nil, fmt.Errorf("%T: %w", cmd, ErrUnknownCommand)
}

func request(s State, c Request, now time.Time) ([]domain.Event, error) {
	if !isOrderID(c.OrderID) {
		return nil, ErrInvalidOrderID
	}
	if !isPositive(c.Amount) {
		return nil, ErrInvalidAmount
	}
	if s.Exists() {
		if c.OrderID == s.OrderID && c.Amount == s.Amount {
			return nil, nil
		}
		return nil, fmt.Errorf("requested %s for order %s: %w", s.Amount, s.OrderID, ErrAlreadyRequested)
	}
	return one(Requested{V: RequestedVersion, OrderID: c.OrderID, Amount: c.Amount, RequestedAt: now})
}

func capture(s State, c Capture, now time.Time) ([]domain.Event, error) {
	if p := textProblem(c.ChargeID, maxProviderID, false); p != "" {
		return nil, fmt.Errorf("charge id %s: %w", p, ErrInvalidChargeID)
	}
	if !isPositive(c.Amount) {
		return nil, ErrInvalidAmount
	}
	if !s.Exists() {
		return nil, ErrPaymentNotFound
	}
	switch s.Status {
	case StatusRequested:
		if c.Amount != s.Amount {
			return nil, fmt.Errorf("captured %s, requested %s: %w", c.Amount, s.Amount, ErrAmountMismatch)
		}
		return one(Captured{V: CapturedVersion, ChargeID: c.ChargeID, Amount: c.Amount, CapturedAt: now})
	case StatusCaptured:
		if c.ChargeID == s.ChargeID && c.Amount == s.CapturedAmount {
			return nil, nil
		}
		return nil, fmt.Errorf("captured %s with charge %q: %w", s.CapturedAmount, s.ChargeID, ErrAlreadyCaptured)
	}
	return nil, refused(s, ErrNotCapturable)
}

func fail(s State, c Fail, now time.Time) ([]domain.Event, error) {
	if p := textProblem(c.Reason, maxReason, true); p != "" {
		return nil, fmt.Errorf("reason %s: %w", p, ErrInvalidReason)
	}
	if !isFailureCode(c.Code) {
		return nil, ErrInvalidFailureCode
	}
	if !s.Exists() {
		return nil, ErrPaymentNotFound
	}
	switch s.Status {
	case StatusRequested:
		return one(Failed{V: FailedVersion, Reason: c.Reason, Code: c.Code, FailedAt: now})
	case StatusFailed:
		return nil, nil
	}
	return nil, refused(s, ErrNotFailable)
}

func refund(s State, c Refund, now time.Time) ([]domain.Event, error) {
	if p := textProblem(c.RefundID, maxProviderID, false); p != "" {
		return nil, fmt.Errorf("refund id %s: %w", p, ErrInvalidRefundID)
	}
	if p := textProblem(c.Reason, maxReason, true); p != "" {
		return nil, fmt.Errorf("reason %s: %w", p, ErrInvalidReason)
	}
	if !s.Exists() {
		return nil, ErrPaymentNotFound
	}
	switch s.Status {
	case StatusCaptured:
		return one(Refunded{V: RefundedVersion, RefundID: c.RefundID, Amount: s.CapturedAmount, Reason: c.Reason, RefundedAt: now})
	case StatusRefunded:
		if c.RefundID == s.RefundID {
			return nil, nil
		}
		return nil, fmt.Errorf("refunded under refund id %q: %w", s.RefundID, ErrAlreadyRefunded)
	}
	return nil, refused(s, ErrNotRefundable)
}

// refused wraps err with the payment's status.
func refused(s State, err error) error {
	return fmt.Errorf("payment is %s: %w", s.Status, err)
}

func one(e domain.Event) ([]domain.Event, error) {
	return []domain.Event{e}, nil
}
