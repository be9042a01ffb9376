package order

import (
	"fmt"
	"time"

	"github.com/orderflow/orderflow/write/domain"
)

// Decide decides what command cmd does to the order in state s at time now
// and returns the events that record it. It does not change s; the caller
// appends the events and folds them into s with Evolve.
//
// Three things might happen:
//   - the command is carried out: Decide returns one event, stamped with
//     now in UTC;
//   - the command was already carried out (the order is already in the
//     state it asks for, with the same details): Decide returns no events
//     and no error, and the caller appends nothing;
//   - the command is refused: Decide returns a *domain.Error (one of this
//     package's Err values, perhaps wrapped with detail). It checks the
//     command itself first (domain.ErrInvalid), then that the order
//     exists (ErrOrderNotFound, domain.ErrNotFound), then the rules of
//     the order's life (domain.ErrRule).
//
// Decide is a pure function, safe for concurrent use.
func Decide(s State, cmd Command, now time.Time) ([]domain.Event, error) {
	now = now.UTC()
	switch c := cmd.(type) {
	case Place:
		return place(s, c, now)
	case Confirm:
		return confirm(s, now)
	case MarkPaid:
		return markPaid(s, c, now)
	case MarkShipped:
		return markShipped(s, c, now)
	case MarkDelivered:
		return markDelivered(s, now)
	case Cancel:
		return cancel(s, c, now)
	}
	return nil, fmt.Errorf("%T: %w", cmd, ErrUnknownCommand)
}

func place(s State, c Place, now time.Time) ([]domain.Event, error) {
	if err := validatePlace(c); err != nil {
		return nil, err
	}
	if s.Exists() {
		if samePlacement(s, c) {
			return nil, nil
		}
		return nil, fmt.Errorf("order %s: %w", c.OrderID, ErrOrderExists)
	}
	lines, total, err := priceLines(c.Lines, c.Prices)
	if err != nil {
		return nil, err
	}
	return one(Placed{
		V:               PlacedVersion,
		OrderID:         c.OrderID,
		CustomerID:      c.CustomerID,
		Lines:           lines,
		Total:           total,
		ShippingAddress: c.ShippingAddress,
		Channel:         channelOf(c),
		PlacedAt:        now,
	})
}

// channelOf returns the channel c names, ChannelAPI when it names none.
func channelOf(c Place) Channel {
	if c.Channel == "" {
		return ChannelAPI
	}
	return c.Channel
}

// samePlacement reports whether c asks for exactly the order s is: same id,
// customer, lines in the same order, address and channel. Prices are not
// compared: a retried placement stays a retry after the catalog changed.
func samePlacement(s State, c Place) bool {
	if s.ID != c.OrderID || s.CustomerID != c.CustomerID || s.Channel != channelOf(c) ||
		s.ShippingAddress != c.ShippingAddress || len(s.Lines) != len(c.Lines) {
		return false
	}
	for i, l := range c.Lines {
		if s.Lines[i].SKU != l.SKU || s.Lines[i].Quantity != l.Quantity {
			return false
		}
	}
	return true
}

func confirm(s State, now time.Time) ([]domain.Event, error) {
	if !s.Exists() {
		return nil, ErrOrderNotFound
	}
	switch s.Status {
	case StatusPending:
		return one(Confirmed{V: ConfirmedVersion, ConfirmedAt: now})
	case StatusConfirmed:
		return nil, nil
	}
	return nil, refused(s, ErrOrderNotConfirmable)
}

func markPaid(s State, c MarkPaid, now time.Time) ([]domain.Event, error) {
	if !isPositive(c.Amount) {
		return nil, ErrInvalidAmount
	}
	if p := textProblem(c.ChargeID, false, maxChargeID, false); p != "" {
		return nil, fmt.Errorf("charge id %s: %w", p, ErrInvalidChargeID)
	}
	if !s.Exists() {
		return nil, ErrOrderNotFound
	}
	switch s.Status {
	case StatusConfirmed:
		if c.Amount != s.Total {
			return nil, fmt.Errorf("paid %s, the total is %s: %w", c.Amount, s.Total, ErrAmountMismatch)
		}
		return one(Paid{V: PaidVersion, ChargeID: c.ChargeID, Amount: c.Amount, PaidAt: now})
	case StatusPaid:
		if c.Amount == s.PaidAmount && c.ChargeID == s.ChargeID {
			return nil, nil
		}
		return nil, fmt.Errorf("paid %s with charge %q: %w", s.PaidAmount, s.ChargeID, ErrAlreadyPaid)
	}
	return nil, refused(s, ErrOrderNotPayable)
}

func markShipped(s State, c MarkShipped, now time.Time) ([]domain.Event, error) {
	if p := textProblem(c.TrackingNumber, false, maxTrackingNumber, false); p != "" {
		return nil, fmt.Errorf("tracking number %s: %w", p, ErrInvalidTrackingNumber)
	}
	if !s.Exists() {
		return nil, ErrOrderNotFound
	}
	switch s.Status {
	case StatusPaid:
		return one(Shipped{V: ShippedVersion, TrackingNumber: c.TrackingNumber, ShippedAt: now})
	case StatusShipped:
		if c.TrackingNumber == s.TrackingNumber {
			return nil, nil
		}
		return nil, fmt.Errorf("shipped with tracking number %q: %w", s.TrackingNumber, ErrAlreadyShipped)
	}
	return nil, refused(s, ErrOrderNotShippable)
}

func markDelivered(s State, now time.Time) ([]domain.Event, error) {
	if !s.Exists() {
		return nil, ErrOrderNotFound
	}
	switch s.Status {
	case StatusShipped:
		return one(Delivered{V: DeliveredVersion, DeliveredAt: now})
	case StatusDelivered:
		return nil, nil
	}
	return nil, refused(s, ErrOrderNotDeliverable)
}

func cancel(s State, c Cancel, now time.Time) ([]domain.Event, error) {
	if p := textProblem(c.Reason, true, maxReason, true); p != "" {
		return nil, fmt.Errorf("reason %s: %w", p, ErrInvalidReason)
	}
	if !s.Exists() {
		return nil, ErrOrderNotFound
	}
	switch s.Status {
	case StatusPending, StatusConfirmed, StatusPaid:
		if s.Status == StatusPaid && c.ByCustomer {
			return nil, fmt.Errorf("order is PAID and only the system may cancel a paid order, refunding it first: %w", ErrOrderNotCancellable)
		}
		return one(Cancelled{V: CancelledVersion, Reason: c.Reason, ByCustomer: c.ByCustomer, CancelledAt: now})
	case StatusCancelled:
		return nil, nil
	}
	return nil, refused(s, ErrOrderNotCancellable)
}

// refused wraps err with the order's status.
func refused(s State, err error) error {
	return fmt.Errorf("order is %s: %w", s.Status, err)
}

func one(e domain.Event) ([]domain.Event, error) {
	return []domain.Event{e}, nil
}
