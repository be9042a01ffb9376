package read

import (
	"context"
	"errors"
	"fmt"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5"
)

// money is the GraphQL type Money.
type money struct {
	Amount   int64Scalar
	Currency string
}

// orderRow is a row of readmodel.orders.
type orderRow struct {
	id, customerID, status string
	revision               int64
	total                  money
	placedAt               time.Time
	confirmedAt, paidAt    *time.Time
	shippedAt, deliveredAt *time.Time
	cancelledAt            *time.Time
	cancelReason, tracking *string
	updatedAt              time.Time
	commit, prepare        int64
}

// orderColumns are the columns scanOrder reads, in its order.
const orderColumns = `order_id, customer_id, status, revision, total_amount, total_currency, placed_at,
confirmed_at, paid_at, shipped_at, delivered_at, cancelled_at, cancel_reason, tracking_number,
updated_at, commit_pos, prepare_pos`

func scanOrder(row pgx.Row) (orderRow, error) {
	var o orderRow
	var amount int64
	err := row.Scan(&o.id, &o.customerID, &o.status, &o.revision, &amount, &o.total.Currency, &o.placedAt,
		&o.confirmedAt, &o.paidAt, &o.shippedAt, &o.deliveredAt, &o.cancelledAt, &o.cancelReason, &o.tracking,
		&o.updatedAt, &o.commit, &o.prepare)
	o.total.Amount = int64Scalar(amount)
	return o, err
}

const orderByIDSQL = `SELECT ` + orderColumns + ` FROM readmodel.orders WHERE order_id = $1`

// loadOrder returns the order with id if the caller may see it, nil when
// it does not exist or is someone else's.
func (rs *requestState) loadOrder(ctx context.Context, id string) (*orderResolver, error) {
	if !rs.authenticated || !validKey(id) {
		return nil, nil
	}
	if err := rs.fresh.wait(ctx, projOrders); err != nil {
		return nil, err
	}
	o, err := scanOrder(rs.h.pool.QueryRow(ctx, orderByIDSQL, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read order %s: %w", id, err)
	}
	if !rs.canSee(o.customerID) {
		return nil, nil
	}
	return rs.orderResolvers([]orderRow{o})[0], nil
}

// orderResolvers returns the resolvers of a set of orders and registers
// their keys with the loaders of their fields, so that each field of the
// whole set costs one query.
func (rs *requestState) orderResolvers(rows []orderRow) []*orderResolver {
	ids := make([]string, len(rows))
	customers := make([]string, len(rows))
	out := make([]*orderResolver, len(rows))
	for i := range rows {
		ids[i], customers[i] = rows[i].id, rows[i].customerID
		out[i] = &orderResolver{rs: rs, row: rows[i]}
	}
	rs.lines.prime(ids...)
	rs.timeline.prime(ids...)
	rs.fulfillments.prime(ids...)
	rs.customers.prime(customers...)
	return out
}

// orderResolver resolves the GraphQL type Order.
type orderResolver struct {
	rs  *requestState
	row orderRow
}

// ID is the order id.
func (o *orderResolver) ID() graphql.ID { return graphql.ID(o.row.id) }

// Revision is the revision of the last order event applied.
func (o *orderResolver) Revision() int64Scalar { return int64Scalar(o.row.revision) }

// Status is the order's status.
func (o *orderResolver) Status() string { return o.row.status }

// CustomerID is the id of the customer who placed the order.
func (o *orderResolver) CustomerID() graphql.ID { return graphql.ID(o.row.customerID) }

// Total is the total fixed at placement.
func (o *orderResolver) Total() money { return o.row.total }

// PlacedAt is when the order was placed.
func (o *orderResolver) PlacedAt() timeScalar { return timeScalar{o.row.placedAt} }

// ConfirmedAt is when the order was confirmed, if it was.
func (o *orderResolver) ConfirmedAt() *timeScalar { return optTime(o.row.confirmedAt) }

// PaidAt is when the order was paid, if it was.
func (o *orderResolver) PaidAt() *timeScalar { return optTime(o.row.paidAt) }

// ShippedAt is when the order was shipped, if it was.
func (o *orderResolver) ShippedAt() *timeScalar { return optTime(o.row.shippedAt) }

// DeliveredAt is when the order was delivered, if it was.
func (o *orderResolver) DeliveredAt() *timeScalar { return optTime(o.row.deliveredAt) }

// CancelledAt is when the order was cancelled, if it was.
func (o *orderResolver) CancelledAt() *timeScalar { return optTime(o.row.cancelledAt) }

// CancelReason is why the order was cancelled, if it was.
func (o *orderResolver) CancelReason() *string { return o.row.cancelReason }

// TrackingNumber is the carrier's tracking number, once shipped.
func (o *orderResolver) TrackingNumber() *string { return o.row.tracking }

// UpdatedAt is the recorded time of the last order event applied.
func (o *orderResolver) UpdatedAt() timeScalar { return timeScalar{o.row.updatedAt} }

// Position is the position of the last order event applied.
func (o *orderResolver) Position() string {
	return positionString(o.row.commit, o.row.prepare)
}

// Lines are the order's lines in placement order.
func (o *orderResolver) Lines(ctx context.Context) ([]orderLine, error) {
	lines, _, err := o.rs.lines.load(ctx, o.row.id)
	return lines, err
}

// Timeline is every event that concerns the order, in log order.
func (o *orderResolver) Timeline(ctx context.Context) ([]timelineEntry, error) {
	entries, _, err := o.rs.timeline.load(ctx, o.row.id)
	return entries, err
}

// Fulfillment is the order's fulfillment saga, nil until it started.
func (o *orderResolver) Fulfillment(ctx context.Context) (*fulfillmentResolver, error) {
	f, ok, err := o.rs.fulfillments.load(ctx, o.row.id)
	if err != nil || !ok {
		return nil, err
	}
	return &fulfillmentResolver{rs: o.rs, row: f}, nil
}

// Customer is the summary of the order's customer, nil until the
// customers read model has seen the order.
func (o *orderResolver) Customer(ctx context.Context) (*customerResolver, error) {
	c, ok, err := o.rs.customers.load(ctx, o.row.customerID)
	if err != nil || !ok {
		return nil, err
	}
	return &customerResolver{rs: o.rs, row: c}, nil
}
