package inventory

import (
	"maps"
	"slices"
	"strconv"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// State is one product's catalog entry and stock, folded from its stream.
// The zero State is a SKU nobody registered.
type State struct {
	// SKU, Name and Price are the catalog entry; Price is the current unit
	// price.
	SKU   string
	Name  string
	Price money.Money
	// Registered reports whether the product exists.
	Registered bool
	// OnHand is the stock in the warehouse: added minus shipped.
	OnHand int64
	// Reserved is the sum of the quantities of the active reservations; it
	// is part of OnHand.
	Reserved int64
	// Reservations holds, by order id, every active reservation and the
	// FinishedWindow most recently finished (released or shipped) ones,
	// so that the state stays as small as the rules need however long the
	// history. Orders whose reservation was only ever rejected are absent.
	// Evolve updates this map in place (see Evolve).
	Reservations map[string]Reservation
	// finished lists the order ids of the finished reservations kept in
	// Reservations, oldest first.
	finished []string
	// Version is the number of events folded in; for a stream read whole,
	// its last revision + 1.
	Version int64
}

// Available returns the stock that can still be reserved: OnHand minus
// Reserved.
func (s State) Available() int64 { return s.OnHand - s.Reserved }

// FinishedWindow is how many finished reservations a State remembers:
// within it, reserving again for a released or shipped order is refused
// and shipping twice does nothing. An older one is forgotten; a retry of
// the command that reserved it carries the same event ids and is
// recognised by the event store instead (see write/command).
const FinishedWindow = 256

// Clone returns a copy of s that shares no map or slice with it.
func (s State) Clone() State {
	s.Reservations = maps.Clone(s.Reservations)
	s.finished = slices.Clone(s.finished)
	return s
}

// Reservation is the stock an order holds or held.
type Reservation struct {
	Quantity int64
	Status   ReservationStatus
}

// ReservationStatus is where a reservation is in its life.
type ReservationStatus uint8

// Reservation statuses. A reservation starts active and ends released or
// shipped; both ends are final.
const (
	StatusActive ReservationStatus = iota + 1
	StatusReleased
	StatusShipped
)

// String returns "active", "released" or "shipped".
func (r ReservationStatus) String() string {
	switch r {
	case StatusActive:
		return "active"
	case StatusReleased:
		return "released"
	case StatusShipped:
		return "shipped"
	}
	return "ReservationStatus(" + strconv.Itoa(int(r)) + ")"
}

// Evolve returns s with event e applied. It never fails and never checks a
// rule (Decide did, before e was stored); events of other types leave s
// unchanged. Like append, Evolve may write to s.Reservations in place, so
// keep using the State it returns, not s, or Clone s first.
//
// A release or shipment only counts for an active reservation: applying one
// to an order without an active reservation changes nothing but Version.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case ProductRegistered:
		s.SKU, s.Name, s.Price, s.Registered = e.SKU, e.Name, e.Price, true
	case PriceChanged:
		s.Price = e.Price
	case StockAdded:
		s.OnHand += e.Quantity
	case StockReserved:
		if r, ok := s.Reservations[e.OrderID]; ok && r.Status == StatusActive {
			s.Reserved -= r.Quantity
		}
		s.Reserved += e.Quantity
		s = s.withReservation(e.OrderID, Reservation{Quantity: e.Quantity, Status: StatusActive})
	case StockReservationRejected:
		// Nothing is held; a rejected order may ask again.
	case ReservationReleased:
		if r, ok := s.Reservations[e.OrderID]; ok && r.Status == StatusActive {
			s.Reserved -= r.Quantity
			r.Status = StatusReleased
			s = s.finish(e.OrderID, r)
		}
	case StockShipped:
		if r, ok := s.Reservations[e.OrderID]; ok && r.Status == StatusActive {
			s.Reserved -= r.Quantity
			s.OnHand -= r.Quantity
			r.Status = StatusShipped
			s = s.finish(e.OrderID, r)
		}
	default:
		return s
	}
	s.Version++
	return s
}

// withReservation records r for orderID, allocating the map on first use.
func (s State) withReservation(orderID string, r Reservation) State {
	if s.Reservations == nil {
		s.Reservations = make(map[string]Reservation)
	}
	s.Reservations[orderID] = r
	return s
}

// finish records the finished reservation r of orderID and forgets the
// oldest finished one beyond FinishedWindow.
func (s State) finish(orderID string, r Reservation) State {
	s = s.withReservation(orderID, r)
	s.finished = append(s.finished, orderID)
	if len(s.finished) > FinishedWindow {
		oldest := s.finished[0]
		s.finished = s.finished[1:]
		if old, ok := s.Reservations[oldest]; ok && old.Status != StatusActive {
			delete(s.Reservations, oldest)
		}
	}
	return s
}
