package inventory

import (
	"fmt"
	"time"

	"github.com/orderflow/orderflow/write/domain"
)

// Decide returns the events that cmd causes on the product s at time now,
// or the rule it breaks. It never changes s. Three things can happen:
//
//   - events: the command is allowed; append them, stamped with now in UTC;
//   - no events and no error: the command was already done (a repeat), or
//     there is nothing to do; append nothing and report success;
//   - an error: a *domain.Error from this package, possibly wrapped with
//     detail; the command is invalid (domain.ErrInvalid), addresses a SKU
//     nobody registered (domain.ErrNotFound) or breaks a rule
//     (domain.ErrRule).
//
// A Reserve that finds too little stock is not an error: it returns a
// StockReservationRejected event, for the order saga to react to.
func Decide(s State, cmd Command, now time.Time) ([]domain.Event, error) {
	now = now.UTC()
	switch c := cmd.(type) {
	case RegisterProduct:
		return register(s, c, now)
	case ChangePrice:
		return changePrice(s, c, now)
	case AddStock:
		return addStock(s, c, now)
	case Reserve:
		return reserve(s, c, now)
	case Release:
		return release(s, c, now)
	case Ship:
		return ship(s, c, now)
	}
	return nil, fmt.Errorf("%w: %T", ErrUnknownCommand, cmd)
}

func register(s State, c RegisterProduct, now time.Time) ([]domain.Event, error) {
	if err := ValidateSKU(c.SKU); err != nil {
		return nil, err
	}
	if err := validateName(c.Name); err != nil {
		return nil, err
	}
	if err := validatePrice(c.Price); err != nil {
		return nil, err
	}
	if s.Registered {
		if s.SKU == c.SKU && s.Name == c.Name && s.Price == c.Price {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %s is %q at %s", ErrProductAlreadyRegistered, s.SKU, s.Name, s.Price)
	}
	return []domain.Event{ProductRegistered{
		V: productRegisteredV, SKU: c.SKU, Name: c.Name, Price: c.Price, RegisteredAt: now,
	}}, nil
}

func changePrice(s State, c ChangePrice, now time.Time) ([]domain.Event, error) {
	if err := validatePrice(c.Price); err != nil {
		return nil, err
	}
	if !s.Registered {
		return nil, ErrProductNotFound
	}
	if c.Price.Currency != s.Price.Currency {
		return nil, fmt.Errorf("%w: %s is priced in %s", ErrCurrencyChange, s.SKU, s.Price.Currency)
	}
	if c.Price == s.Price {
		return nil, nil
	}
	return []domain.Event{PriceChanged{V: priceChangedV, SKU: s.SKU, Price: c.Price, ChangedAt: now}}, nil
}

func addStock(s State, c AddStock, now time.Time) ([]domain.Event, error) {
	if err := validateQuantity(c.Quantity); err != nil {
		return nil, err
	}
	if !s.Registered {
		return nil, ErrProductNotFound
	}
	if !addFits(s.OnHand, c.Quantity) {
		return nil, fmt.Errorf("%w: %d on hand", ErrStockOverflow, s.OnHand)
	}
	return []domain.Event{StockAdded{V: stockAddedV, SKU: s.SKU, Quantity: c.Quantity, AddedAt: now}}, nil
}

func reserve(s State, c Reserve, now time.Time) ([]domain.Event, error) {
	if err := validateOrderID(c.OrderID); err != nil {
		return nil, err
	}
	if err := validateQuantity(c.Quantity); err != nil {
		return nil, err
	}
	if !s.Registered {
		return nil, ErrProductNotFound
	}
	if r, ok := s.Reservations[c.OrderID]; ok {
		switch r.Status {
		case StatusActive:
			if r.Quantity == c.Quantity {
				return nil, nil
			}
			return nil, fmt.Errorf("%w: order %s holds %d, asked for %d", ErrReservationConflict, c.OrderID, r.Quantity, c.Quantity)
		case StatusReleased:
			return nil, fmt.Errorf("%w: order %s", ErrReservationReleased, c.OrderID)
		case StatusShipped:
			return nil, fmt.Errorf("%w: order %s", ErrReservationShipped, c.OrderID)
		}
	}
	if available := s.Available(); available < c.Quantity {
		return []domain.Event{StockReservationRejected{
			V: stockReservationRejectedV, SKU: s.SKU, OrderID: c.OrderID,
			Requested: c.Quantity, Available: max(available, 0), RejectedAt: now,
		}}, nil
	}
	return []domain.Event{StockReserved{
		V: stockReservedV, SKU: s.SKU, OrderID: c.OrderID, Quantity: c.Quantity, ReservedAt: now,
	}}, nil
}

func release(s State, c Release, now time.Time) ([]domain.Event, error) {
	if err := validateOrderID(c.OrderID); err != nil {
		return nil, err
	}
	if err := validateReason(c.Reason); err != nil {
		return nil, err
	}
	r, ok := s.Reservations[c.OrderID]
	if !ok || r.Status != StatusActive {
		return nil, nil
	}
	return []domain.Event{ReservationReleased{
		V: reservationReleasedV, SKU: s.SKU, OrderID: c.OrderID,
		Quantity: r.Quantity, Reason: c.Reason, ReleasedAt: now,
	}}, nil
}

func ship(s State, c Ship, now time.Time) ([]domain.Event, error) {
	if err := validateOrderID(c.OrderID); err != nil {
		return nil, err
	}
	if !s.Registered {
		return nil, ErrProductNotFound
	}
	r, ok := s.Reservations[c.OrderID]
	if !ok {
		return nil, fmt.Errorf("%w: order %s", ErrNotReserved, c.OrderID)
	}
	switch r.Status {
	case StatusShipped:
		return nil, nil
	case StatusReleased:
		return nil, fmt.Errorf("%w: order %s", ErrReservationReleased, c.OrderID)
	}
	if r.Quantity > s.OnHand {
		return nil, fmt.Errorf("%w: order %s reserved %d, %d on hand", ErrInsufficientStock, c.OrderID, r.Quantity, s.OnHand)
	}
	return []domain.Event{StockShipped{
		V: stockShippedV, SKU: s.SKU, OrderID: c.OrderID, Quantity: r.Quantity, ShippedAt: now,
	}}, nil
}
