package shipping

import (
	"fmt"
	"slices"
	"time"

	"github.com/orderflow/orderflow/write/domain"
)

// Decide returns the events that cmd causes on the shipment s at time now,
// or the rule it breaks. It never changes s. Three things can happen:
//
//   - events: the command is allowed; append them, stamped with now in UTC;
//   - no events and no error: the command was already done (a repeat);
//     append nothing and report success;
//   - an error: a *domain.Error from this package, possibly wrapped with
//     detail; the command is invalid (domain.ErrInvalid), addresses a
//     shipment never scheduled (domain.ErrNotFound) or is not allowed in
//     the shipment's status (domain.ErrRule).
//
// A Schedule to a country the carrier does not serve is not an error: it
// returns a ShipmentRejected event, for the order saga to compensate on.
func Decide(s State, cmd Command, now time.Time) ([]domain.Event, error) {
	now = now.UTC()
	switch c := cmd.(type) {
	case Schedule:
		return schedule(s, c, now)
	case Cancel:
		return cancel(s, c, now)
	case Dispatch:
		return dispatch(s, c, now)
	case Deliver:
		return deliver(s, now)
	}
	return nil, fmt.Errorf("%w: %T", ErrUnknownCommand, cmd)
}

func schedule(s State, c Schedule, now time.Time) ([]domain.Event, error) {
	if err := ValidateOrderID(c.OrderID); err != nil {
		return nil, err
	}
	if err := validateAddress(c.Address); err != nil {
		return nil, err
	}
	if err := validateCarrier(c.Carrier); err != nil {
		return nil, err
	}
	if err := validateServedCountries(c.ServedCountries); err != nil {
		return nil, err
	}
	if s.Status != StatusNone {
		if s.OrderID == c.OrderID && s.Address == c.Address && s.Carrier == c.Carrier {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: order %s is %s", ErrScheduleConflict, s.OrderID, s.Status)
	}
	if !slices.Contains(c.ServedCountries, c.Address.Country) {
		return []domain.Event{ShipmentRejected{
			V: shipmentRejectedV, OrderID: c.OrderID, Address: c.Address, Carrier: c.Carrier,
			Reason:     fmt.Sprintf("%s does not deliver to %s", c.Carrier, c.Address.Country),
			RejectedAt: now,
		}}, nil
	}
	return []domain.Event{ShipmentScheduled{
		V: shipmentScheduledV, OrderID: c.OrderID, Address: c.Address, Carrier: c.Carrier, ScheduledAt: now,
	}}, nil
}

func cancel(s State, c Cancel, now time.Time) ([]domain.Event, error) {
	if err := validateReason(c.Reason); err != nil {
		return nil, err
	}
	switch s.Status {
	case StatusNone:
		return nil, ErrShipmentNotFound
	case StatusScheduled:
		return []domain.Event{ShipmentCancelled{
			V: shipmentCancelledV, OrderID: s.OrderID, Reason: c.Reason, CancelledAt: now,
		}}, nil
	case StatusCancelled, StatusRejected:
		return nil, nil // it will not ship either way
	case StatusDispatched:
		return nil, fmt.Errorf("%w: tracking number %s", ErrAlreadyDispatched, s.TrackingNumber)
	default:
		return nil, ErrAlreadyDelivered
	}
}

func dispatch(s State, c Dispatch, now time.Time) ([]domain.Event, error) {
	if err := validateTrackingNumber(c.TrackingNumber); err != nil {
		return nil, err
	}
	switch s.Status {
	case StatusNone:
		return nil, ErrShipmentNotFound
	case StatusScheduled:
		return []domain.Event{ShipmentDispatched{
			V: shipmentDispatchedV, OrderID: s.OrderID, TrackingNumber: c.TrackingNumber, DispatchedAt: now,
		}}, nil
	case StatusRejected:
		return nil, ErrShipmentRejected
	case StatusCancelled:
		return nil, ErrShipmentCancelled
	default: // dispatched or delivered
		if c.TrackingNumber == s.TrackingNumber {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: with tracking number %s", ErrAlreadyDispatched, s.TrackingNumber)
	}
}

func deliver(s State, now time.Time) ([]domain.Event, error) {
	switch s.Status {
	case StatusNone:
		return nil, ErrShipmentNotFound
	case StatusDispatched:
		return []domain.Event{ShipmentDelivered{V: shipmentDeliveredV, OrderID: s.OrderID, DeliveredAt: now}}, nil
	case StatusDelivered:
		return nil, nil
	case StatusScheduled:
		return nil, ErrNotDispatched
	case StatusRejected:
		return nil, ErrShipmentRejected
	default: // cancelled
		return nil, ErrShipmentCancelled
	}
}
