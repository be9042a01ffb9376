// Package service is the write side's application layer: one method per
// context that runs a domain command through write/command, plus the
// cross-context lookups a command needs (catalog prices for a new order).
// The REST API and the fulfillment saga both send their commands here.
package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// The aggregates of the four contexts. Their states are kept in memory
// between commands (Clone); a product's, whose stream grows with every
// order, is also persisted every SnapshotEvery events.
var (
	orders    = command.Aggregate[order.State]{Category: order.Category, Evolve: order.Evolve, Decode: order.Decode, Clone: same[order.State]}
	stock     = command.Aggregate[inventory.State]{Category: inventory.Category, Evolve: inventory.Evolve, Decode: inventory.Decode, Clone: inventory.State.Clone, Snapshot: stockSnapshots}
	payments  = command.Aggregate[payment.State]{Category: payment.Category, Evolve: payment.Evolve, Decode: payment.Decode, Clone: same[payment.State]}
	shipments = command.Aggregate[shipping.State]{Category: shipping.Category, Evolve: shipping.Evolve, Decode: shipping.Decode, Clone: same[shipping.State]}
)

// SnapshotEvery is how many events of a product's stream may follow its
// latest persisted snapshot: what loading it cold reads at most.
const SnapshotEvery = 1000

// stockSnapshots persists product states.
var stockSnapshots = &command.Snapshot[inventory.State]{
	Version: inventory.SnapshotVersion, Every: SnapshotEvery,
	Encode: inventory.EncodeSnapshot, Decode: inventory.DecodeSnapshot,
}

// same clones a state whose Evolve never changes anything in place (order,
// payment and shipment states hold no maps, and their slices are replaced,
// never written to).
func same[S any](s S) S { return s }

// ErrRevisionMismatch is returned when a command names the revision it
// expects (If-Match) and the aggregate is at another.
var ErrRevisionMismatch = errors.New("the aggregate is not at the expected revision")

// Service runs commands for every context. It is safe for concurrent use.
type Service struct {
	h       *command.Handler
	catalog *Catalog
}

// New returns a Service that executes commands with h and looks prices up
// in catalog; with a nil catalog it reads every product's stream instead.
func New(h *command.Handler, catalog *Catalog) *Service { return &Service{h: h, catalog: catalog} }

// Order runs cmd against order id. When ifRevision is not nil the order's
// revision (its last event's stream revision) must equal it, or the command
// fails with ErrRevisionMismatch.
func (s *Service) Order(ctx context.Context, meta command.Meta, id string, cmd order.Command, ifRevision *int64) (command.Result, error) {
	return s.order(ctx, meta, id, cmd, ifRevision, nil)
}

// order runs cmd against order id. A non-nil hidden reports the states
// to decide on as if the order did not exist (see CustomerOrder).
func (s *Service) order(ctx context.Context, meta command.Meta, id string, cmd order.Command, ifRevision *int64, hidden func(order.State) bool) (command.Result, error) {
	if _, placing := cmd.(order.Place); !placing && !order.ValidID(id) {
		return command.Result{}, fmt.Errorf("order %q: %w", id, order.ErrOrderNotFound)
	}
	decideOn := func(st order.State, now time.Time) ([]domain.Event, error) {
		if ifRevision != nil && st.Version-1 != *ifRevision {
			return nil, fmt.Errorf("order %s is at revision %d, not %d: %w", id, st.Version-1, *ifRevision, ErrRevisionMismatch)
		}
		return order.Decide(st, cmd, now)
	}
	decide := func(st order.State, now time.Time) ([]domain.Event, error) {
		if hidden == nil || !hidden(st) {
			return decideOn(st, now)
		}
		events, err := decideOn(order.State{}, now)
		if len(events) > 0 {
			// Only placing creates an order from nothing, and it must not
			// land on an existing stream.
			return nil, order.ErrOrderNotFound
		}
		return events, err
	}
	if _, placing := cmd.(order.Place); placing && ifRevision == nil {
		return command.Create(ctx, s.h, orders, id, meta, decide)
	}
	return command.Execute(ctx, s.h, orders, id, meta, decide)
}

// Inventory runs cmd against the product sku.
func (s *Service) Inventory(ctx context.Context, meta command.Meta, sku string, cmd inventory.Command) (command.Result, error) {
	if err := inventory.ValidateSKU(sku); err != nil {
		if _, registering := cmd.(inventory.RegisterProduct); !registering {
			return command.Result{}, fmt.Errorf("product %q: %w", sku, inventory.ErrProductNotFound)
		}
		return command.Result{}, err
	}
	return command.Execute(ctx, s.h, stock, sku, meta, func(st inventory.State, now time.Time) ([]domain.Event, error) {
		return inventory.Decide(st, cmd, now)
	})
}

// Payment runs cmd against the payment of order orderID.
func (s *Service) Payment(ctx context.Context, meta command.Meta, orderID string, cmd payment.Command) (command.Result, error) {
	if !order.ValidID(orderID) {
		return command.Result{}, fmt.Errorf("payment of order %q: %w", orderID, payment.ErrPaymentNotFound)
	}
	return command.Execute(ctx, s.h, payments, orderID, meta, func(st payment.State, now time.Time) ([]domain.Event, error) {
		return payment.Decide(st, cmd, now)
	})
}

// Shipment runs cmd against the shipment of order orderID.
func (s *Service) Shipment(ctx context.Context, meta command.Meta, orderID string, cmd shipping.Command) (command.Result, error) {
	if err := shipping.ValidateOrderID(orderID); err != nil {
		return command.Result{}, fmt.Errorf("shipment of order %q: %w", orderID, shipping.ErrShipmentNotFound)
	}
	return command.Execute(ctx, s.h, shipments, orderID, meta, func(st shipping.State, now time.Time) ([]domain.Event, error) {
		return shipping.Decide(st, cmd, now)
	})
}
