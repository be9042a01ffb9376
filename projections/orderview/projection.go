package orderview

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/order"
)

// Name is the projection's name: its checkpoint, lease and generation
// schemas (proj_orders_N) are named after it.
const Name = "orders"

// Projection keeps the orders read model. Its zero value is not usable;
// call New. It is safe for concurrent use.
type Projection struct {
	sql statementCache
}

var _ projections.Projection = (*Projection)(nil)

// New returns the orders projection.
func New() *Projection { return &Projection{} }

// Name implements projections.Projection.
func (*Projection) Name() string { return Name }

// Version implements projections.Projection.
func (*Projection) Version() int { return 1 }

// Views implements projections.Projection: orders and order_lines.
func (*Projection) Views() []string { return []string{"orders", "order_lines"} }

// Apply implements projections.Projection. It applies the events of the
// order-{id} streams and ignores every other event, and order event types
// it does not know. An order event it cannot decode, an order.placed that
// is not the first event of its stream or names another order, and a
// later event of an order that was never placed are refused.
func (p *Projection) Apply(_ context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	return apply(w.Exec, p.sql.get(w.Schema()), e)
}

// apply queues with exec the statements of event e on the tables sql
// writes to.
func apply(exec func(sql string, args ...any), sql *statements, e eventstore.RecordedEvent) error {
	id, ev, err := decode(e)
	if ev == nil || err != nil {
		return err
	}
	if placed, ok := ev.(order.Placed); ok {
		return place(exec, sql, id, e, placed)
	}
	var u update
	u.fold(ev)
	exec(sql.update, id, int64(e.Revision), u.status, e.Recorded, int64(e.Position.Commit), int64(e.Position.Prepare),
		u.confirmedAt, u.paidAt, u.shippedAt, u.deliveredAt, u.cancelledAt, u.cancelReason, u.trackingNumber,
		e.Type+" of order "+id+", which was never placed")
	return nil
}

// decode returns the order id of e and its event decoded; a nil event
// when the projection ignores e (not an order stream, or a type it does
// not know), an error when it must refuse it (it does not decode).
func decode(e eventstore.RecordedEvent) (string, any, error) {
	id, ok := strings.CutPrefix(e.Stream, order.Category+"-")
	if !ok {
		return "", nil, nil
	}
	switch e.Type {
	case order.TypePlaced, order.TypeConfirmed, order.TypePaid, order.TypeShipped, order.TypeDelivered, order.TypeCancelled:
	default:
		return "", nil, nil
	}
	ev, err := order.Decode(e.Type, e.Data)
	if err != nil {
		return "", nil, fmt.Errorf("order %s revision %d: %w", id, e.Revision, err)
	}
	return id, ev, nil
}

// checkPlaced refuses an order.placed that is not the first event of its
// stream, names another order, has a quantity out of range or names no
// sales channel this code knows.
func checkPlaced(id string, e eventstore.RecordedEvent, p order.Placed) error {
	if e.Revision != 0 {
		return fmt.Errorf("order %s: %s at revision %d, not the first event of its stream", id, e.Type, e.Revision)
	}
	if p.OrderID != id {
		return fmt.Errorf("order %s: %s names order %q", id, e.Type, p.OrderID)
	}
	if !p.Channel.Valid() {
		return fmt.Errorf("order %s: %s names the unknown channel %q", id, e.Type, string(p.Channel))
	}
	for i, l := range p.Lines {
		if l.Quantity < 0 || l.Quantity > math.MaxInt32 {
			return fmt.Errorf("order %s: line %d: quantity %d out of range", id, i, l.Quantity)
		}
	}
	return nil
}

// update is what an event after order.placed sets; nil leaves a column as
// it is.
type update struct {
	status                                                   string
	confirmedAt, paidAt, shippedAt, deliveredAt, cancelledAt *time.Time
	cancelReason, trackingNumber                             *string
}

// fold sets what ev, an event after order.placed, changes: the status,
// and the column of its time (and tracking number or reason).
func (u *update) fold(ev any) {
	u.status = statusAfter(ev)
	switch ev := ev.(type) {
	case order.Confirmed:
		u.confirmedAt = &ev.ConfirmedAt
	case order.Paid:
		u.paidAt = &ev.PaidAt
	case order.Shipped:
		u.shippedAt = &ev.ShippedAt
		if ev.TrackingNumber != "" {
			u.trackingNumber = &ev.TrackingNumber
		}
	case order.Delivered:
		u.deliveredAt = &ev.DeliveredAt
	case order.Cancelled:
		u.cancelledAt, u.cancelReason = &ev.CancelledAt, &ev.Reason
	}
}

// statusAfter is the status an order has after event ev.
func statusAfter(ev any) string {
	switch ev.(type) {
	case order.Confirmed:
		return order.StatusConfirmed.String()
	case order.Paid:
		return order.StatusPaid.String()
	case order.Shipped:
		return order.StatusShipped.String()
	case order.Delivered:
		return order.StatusDelivered.String()
	case order.Cancelled:
		return order.StatusCancelled.String()
	}
	return order.StatusPending.String()
}

// place queues the insert of a placed order and its lines.
func place(exec func(sql string, args ...any), sql *statements, id string, e eventstore.RecordedEvent, p order.Placed) error {
	if err := checkPlaced(id, e, p); err != nil {
		return err
	}
	var (
		skus       = make([]string, len(p.Lines))
		quantities = make([]int32, len(p.Lines))
		amounts    = make([]int64, len(p.Lines))
		currencies = make([]string, len(p.Lines))
	)
	for i, l := range p.Lines {
		skus[i], quantities[i], amounts[i], currencies[i] = l.SKU, int32(l.Quantity), l.UnitPrice.Amount, l.UnitPrice.Currency
	}
	exec(sql.place, id, p.CustomerID, order.StatusPending.String(), int64(e.Revision), p.Total.Amount, p.Total.Currency,
		p.PlacedAt, e.Recorded, int64(e.Position.Commit), int64(e.Position.Prepare),
		skus, quantities, amounts, currencies, string(p.Channel))
	return nil
}
