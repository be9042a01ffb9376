package read

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	channel                string
}

// orderColumns are the columns scanOrder reads, in its order.
const orderColumns = `order_id, customer_id, status, revision, total_amount, total_currency, placed_at,
confirmed_at, paid_at, shipped_at, delivered_at, cancelled_at, cancel_reason, tracking_number,
updated_at, commit_pos, prepare_pos, channel`

func scanOrder(row pgx.Row) (orderRow, error) {
	var o orderRow
	var amount int64
	err := row.Scan(&o.id, &o.customerID, &o.status, &o.revision, &amount, &o.total.Currency, &o.placedAt,
		&o.confirmedAt, &o.paidAt, &o.shippedAt, &o.deliveredAt, &o.cancelledAt, &o.cancelReason, &o.tracking,
		&o.updatedAt, &o.commit, &o.prepare, &o.channel)
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
	row, err := scanOrder(rs.h.pool.QueryRow(ctx, orderByIDSQL, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read order %s: %w", id, err)
	}
	if !rs.canSee(row.customerID) {
		return nil, nil
	}
	o := newOrderResolvers([]orderRow{row})[0]
	if err := rs.completeOrders(ctx, []*orderResolver{o}, orderNeedsAt(ctx, "")); err != nil {
		return nil, err
	}
	return o, nil
}

// newOrderResolvers wraps rows; completeOrders fills in the rest.
func newOrderResolvers(rows []orderRow) []*orderResolver {
	out := make([]*orderResolver, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = &orderResolver{
			row: r, ID: graphql.ID(r.id), Revision: int64Scalar(r.revision), Status: r.status,
			CustomerID: graphql.ID(r.customerID), Total: r.total, PlacedAt: timeScalar(r.placedAt),
			ConfirmedAt: optTime(r.confirmedAt), PaidAt: optTime(r.paidAt), ShippedAt: optTime(r.shippedAt),
			DeliveredAt: optTime(r.deliveredAt), CancelledAt: optTime(r.cancelledAt),
			CancelReason: r.cancelReason, TrackingNumber: r.tracking, UpdatedAt: timeScalar(r.updatedAt),
			Channel: strings.ToUpper(r.channel),
		}
	}
	return out
}

// orderResolver resolves the GraphQL type Order, its exported fields by
// name (the executor reads fields more cheaply than it calls methods).
// Lines, Timeline, Fulfillment and Customer come from other read models:
// completeOrders loads them for a whole set of orders at once, before any
// resolves; they stay nil when the query does not select them.
type orderResolver struct {
	row *orderRow

	ID             graphql.ID
	Revision       int64Scalar
	Status         string
	CustomerID     graphql.ID
	Total          money
	Channel        string
	PlacedAt       timeScalar
	ConfirmedAt    *timeScalar
	PaidAt         *timeScalar
	ShippedAt      *timeScalar
	DeliveredAt    *timeScalar
	CancelledAt    *timeScalar
	CancelReason   *string
	TrackingNumber *string
	UpdatedAt      timeScalar
	Lines          []orderLine
	Timeline       []timelineEntry
	Fulfillment    *fulfillmentResolver
	Customer       *customerResolver
}

// Position is the position of the last order event applied.
func (o *orderResolver) Position() string { return positionString(o.row.commit, o.row.prepare) }
