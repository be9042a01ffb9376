package read

import (
	"context"
	"fmt"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5"
)

// customerRow is a row of readmodel.customers.
type customerRow struct {
	id                        string
	orderCount                int64
	firstOrderAt, lastOrderAt *time.Time
}

const customersSQL = `SELECT customer_id, order_count, first_order_at, last_order_at
FROM readmodel.customers WHERE customer_id = ANY($1)`

// fetchCustomers loads customer summaries, and registers those found with
// the loaders of their fields.
func (rs *requestState) fetchCustomers(ctx context.Context, ids []string) (map[string]*customerRow, error) {
	if err := rs.fresh.wait(ctx, projCustomers); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, customersSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("read customers: %w", err)
	}
	out := make(map[string]*customerRow, len(ids))
	var c customerRow
	_, err = pgx.ForEachRow(rows, []any{&c.id, &c.orderCount, &c.firstOrderAt, &c.lastOrderAt}, func() error {
		row := c
		out[c.id] = &row
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read customers: %w", err)
	}
	found := make([]string, 0, len(out))
	for id := range out {
		found = append(found, id)
	}
	rs.spend.prime(found...)
	rs.customerOrders.prime(found...)
	rs.notifications.prime(found...)
	return out, nil
}

const spendSQL = `SELECT customer_id, currency, amount
FROM readmodel.customer_spend WHERE customer_id = ANY($1) ORDER BY customer_id, currency`

// fetchSpend loads the lifetime spend of customers, per currency.
func (rs *requestState) fetchSpend(ctx context.Context, ids []string) (map[string][]money, error) {
	if err := rs.fresh.wait(ctx, projCustomers); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, spendSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("read customer spend: %w", err)
	}
	out := make(map[string][]money, len(ids))
	var (
		id     string
		m      money
		amount int64
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &m.Currency, &amount}, func() error {
		m.Amount = int64Scalar(amount)
		out[id] = append(out[id], m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read customer spend: %w", err)
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = []money{}
		}
	}
	return out, nil
}

// loadCustomer returns the summary of customer id if the caller may see
// it, nil when there is none or it is someone else's.
func (rs *requestState) loadCustomer(ctx context.Context, id string) (*customerResolver, error) {
	if !rs.canSee(id) || !validKey(id) {
		return nil, nil
	}
	c, ok, err := rs.customers.load(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	return &customerResolver{rs: rs, row: c}, nil
}

// customerResolver resolves the GraphQL type Customer.
type customerResolver struct {
	rs  *requestState
	row *customerRow
}

// ID is the customer id.
func (c *customerResolver) ID() graphql.ID { return graphql.ID(c.row.id) }

// OrderCount is how many orders the customer placed.
func (c *customerResolver) OrderCount() int64Scalar { return int64Scalar(c.row.orderCount) }

// FirstOrderAt is when the customer placed its first order.
func (c *customerResolver) FirstOrderAt() *timeScalar { return optTime(c.row.firstOrderAt) }

// LastOrderAt is when the customer placed its last order.
func (c *customerResolver) LastOrderAt() *timeScalar { return optTime(c.row.lastOrderAt) }

// LifetimeSpend is what the customer paid less refunds, per currency.
func (c *customerResolver) LifetimeSpend(ctx context.Context) ([]money, error) {
	m, _, err := c.rs.spend.load(ctx, c.row.id)
	return m, err
}

// Orders is a page of the customer's orders, newest first.
func (c *customerResolver) Orders(ctx context.Context, args connectionArgs) (*orderConnection, error) {
	pa, err := args.page(c.rs.h.limits.MaxFirst, cursorOrder)
	if err != nil {
		return nil, err
	}
	page, _, err := c.rs.customerOrders.load(ctx, pa, c.row.id)
	if err != nil {
		return nil, err
	}
	return page.connection(), nil
}

// Notifications is a page of what the customer was told, newest first.
func (c *customerResolver) Notifications(ctx context.Context, args connectionArgs) (*notificationConnection, error) {
	pa, err := args.page(c.rs.h.limits.MaxFirst, cursorNotification)
	if err != nil {
		return nil, err
	}
	page, _, err := c.rs.notifications.load(ctx, pa, c.row.id)
	if err != nil {
		return nil, err
	}
	return page.connection(), nil
}
