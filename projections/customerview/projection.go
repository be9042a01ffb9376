package customerview

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
)

// Name is the projection's name.
const Name = "customers"

// Projection keeps the customers read model. It has no state of its own
// and is safe for concurrent use.
type Projection struct{}

var _ projections.Projection = (*Projection)(nil)

// New returns the customers projection.
func New() *Projection { return &Projection{} }

// Name implements projections.Projection.
func (*Projection) Name() string { return Name }

// Version implements projections.Projection.
func (*Projection) Version() int { return 1 }

// Views implements projections.Projection: customers and customer_spend.
func (*Projection) Views() []string { return []string{"customers", "customer_spend"} }

// Apply implements projections.Projection. It counts order.placed per
// customer, adds order.paid to the customer's spend and takes
// payment.refunded off it; it ignores every other event. One of those
// events it cannot decode, an order.placed that names another order or
// comes twice, and an order.paid or payment.refunded of an order never
// placed are refused.
func (*Projection) Apply(_ context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	if id, ok := strings.CutPrefix(e.Stream, order.Category+"-"); ok {
		return applyOrder(w, id, e)
	}
	if id, ok := strings.CutPrefix(e.Stream, payment.Category+"-"); ok && e.Type == payment.TypeRefunded {
		ev, err := payment.Decode(e.Type, e.Data)
		if err != nil {
			return fmt.Errorf("payment of order %s revision %d: %w", id, e.Revision, err)
		}
		r := ev.(payment.Refunded)
		w.Exec(refundedSQL(w.Schema()), id, r.Amount.Currency, r.Amount.Amount, e.Type+" of order "+id+", which was never placed")
	}
	return nil
}

// applyOrder applies an event of order id's stream.
func applyOrder(w *projections.Writer, id string, e eventstore.RecordedEvent) error {
	if e.Type != order.TypePlaced && e.Type != order.TypePaid {
		return nil
	}
	ev, err := order.Decode(e.Type, e.Data)
	if err != nil {
		return fmt.Errorf("order %s revision %d: %w", id, e.Revision, err)
	}
	switch ev := ev.(type) {
	case order.Placed:
		if ev.OrderID != id {
			return fmt.Errorf("order %s: %s names order %q", id, e.Type, ev.OrderID)
		}
		w.Exec(placeSQL(w.Schema()), id, ev.CustomerID, ev.PlacedAt)
	case order.Paid:
		w.Exec(paidSQL(w.Schema()), id, ev.Amount.Currency, ev.Amount.Amount, e.Type+" of order "+id+", which was never placed")
	}
	return nil
}
