package timelineview

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// Name is the projection's name.
const Name = "order_timeline"

// Projection keeps the order_timeline read model. It has no state of its
// own and is safe for concurrent use.
type Projection struct{}

var _ projections.Projection = (*Projection)(nil)

// New returns the order_timeline projection.
func New() *Projection { return &Projection{} }

// Name implements projections.Projection.
func (*Projection) Name() string { return Name }

// Version implements projections.Projection.
func (*Projection) Version() int { return 1 }

// Views implements projections.Projection: order_timeline.
func (*Projection) Views() []string { return []string{"order_timeline"} }

// decoderOf returns the Decode function of the streams of category if
// their every event concerns the order the stream is named after, or nil.
func decoderOf(category string) func(typ string, data []byte) (domain.Event, error) {
	switch category {
	case order.Category:
		return order.Decode
	case payment.Category:
		return payment.Decode
	case shipping.Category:
		return shipping.Decode
	case fulfillment.Category:
		return fulfillment.Decode
	}
	return nil
}

// Apply implements projections.Projection. It records every event of the
// order, payment, shipment and fulfillment streams, and every inventory
// event that names an order, under that order; it ignores the other
// events, and the event types those contexts do not know. An event of one
// of those types that does not decode, or whose data names another order
// than its stream, is refused.
func (*Projection) Apply(_ context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	category := e.Category()
	var orderID string
	switch decode := decoderOf(category); {
	case decode != nil:
		ev, err := decode(e.Type, e.Data)
		if errors.Is(err, domain.ErrUnknownEventType) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s revision %d: %w", e.Stream, e.Revision, err)
		}
		orderID = e.Stream[len(category)+1:]
		if named, ok := namedOrder(ev); ok && named != orderID {
			return fmt.Errorf("%s revision %d: %s names order %q", e.Stream, e.Revision, e.Type, named)
		}
	case category == inventory.Category:
		ev, err := inventory.Decode(e.Type, e.Data)
		if errors.Is(err, domain.ErrUnknownEventType) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s revision %d: %w", e.Stream, e.Revision, err)
		}
		named, ok := namedOrder(ev)
		if !ok {
			return nil
		}
		orderID = named
	default:
		return nil
	}
	w.Exec(fmt.Sprintf(`INSERT INTO %s.order_timeline (order_id, commit_pos, prepare_pos, event_id, stream, revision, type,
    occurred_at, correlation_id, causation_id, user_id, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, w.Schema()),
		orderID, int64(e.Position.Commit), int64(e.Position.Prepare), e.ID, e.Stream, int64(e.Revision), e.Type,
		e.Recorded, e.Metadata.CorrelationID, e.Metadata.CausationID, e.Metadata.UserID, e.Data)
	return nil
}

// namedOrder returns the order an event's data names, if it names one.
func namedOrder(ev domain.Event) (string, bool) {
	switch ev := ev.(type) {
	case order.Placed:
		return ev.OrderID, true
	case payment.Requested:
		return ev.OrderID, true
	case shipping.ShipmentScheduled:
		return ev.OrderID, true
	case shipping.ShipmentRejected:
		return ev.OrderID, true
	case shipping.ShipmentCancelled:
		return ev.OrderID, true
	case shipping.ShipmentDispatched:
		return ev.OrderID, true
	case shipping.ShipmentDelivered:
		return ev.OrderID, true
	case fulfillment.Started:
		return ev.OrderID, true
	case inventory.StockReserved:
		return ev.OrderID, true
	case inventory.StockReservationRejected:
		return ev.OrderID, true
	case inventory.ReservationReleased:
		return ev.OrderID, true
	case inventory.StockShipped:
		return ev.OrderID, true
	}
	return "", false
}
