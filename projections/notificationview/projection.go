package notificationview

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/notifications"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
	"github.com/orderflow/orderflow/write/order"
)

// Name is the projection's name.
const Name = "customer_notifications"

// Projection keeps the customer_notifications read model. It has no state
// of its own and is safe for concurrent use.
type Projection struct{}

var _ projections.Projection = (*Projection)(nil)

// New returns the customer_notifications projection.
func New() *Projection { return &Projection{} }

// Name implements projections.Projection.
func (*Projection) Name() string { return Name }

// Version implements projections.Projection.
func (*Projection) Version() int { return 1 }

// Views implements projections.Projection: customer_notifications.
func (*Projection) Views() []string { return []string{"customer_notifications"} }

// Apply implements projections.Projection. It notes which customer placed
// each order, and records a notification for every order event that
// notifications.Describe words; it ignores every other event. An order
// event it cannot decode, an order.placed that names another order or
// comes twice, and a notification about an order never placed are
// refused.
func (*Projection) Apply(_ context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	id, ok := strings.CutPrefix(e.Stream, order.Category+"-")
	if !ok {
		return nil
	}
	switch e.Type {
	case order.TypePlaced, order.TypeConfirmed, order.TypeCancelled, order.TypeShipped, order.TypeDelivered:
	default:
		return nil
	}
	ev, err := order.Decode(e.Type, e.Data)
	if err != nil {
		return fmt.Errorf("order %s revision %d: %w", id, e.Revision, err)
	}
	if p, ok := ev.(order.Placed); ok {
		if p.OrderID != id {
			return fmt.Errorf("order %s: %s names order %q", id, e.Type, p.OrderID)
		}
		w.Exec(fmt.Sprintf(`INSERT INTO %s.order_customers (order_id, customer_id) VALUES ($1, $2)`, w.Schema()), id, p.CustomerID)
		return nil
	}
	kind, message := notifications.Describe(id, ev)
	if kind == "" {
		return nil
	}
	w.Exec(notifySQL(w.Schema()), e.ID, id, kind, message, e.Recorded, e.Type+" of order "+id+", which was never placed")
	return nil
}

// notifySQL records a notification to the customer who placed the order:
// $1 event_id, $2 order_id, $3 kind, $4 message, $5 created_at; $6 the
// message of the error when the order was never placed.
func notifySQL(schema string) string {
	return rowcheck.Require(schema, fmt.Sprintf(`INSERT INTO %[1]s.customer_notifications (event_id, customer_id, order_id, kind, message, created_at)
SELECT $1, customer_id, $2, $3, $4, $5 FROM %[1]s.order_customers WHERE order_id = $2
RETURNING 1`, schema), 6)
}
