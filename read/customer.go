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

// loadCustomers loads the summaries of customers that have one, with
// their spend if withSpend (two queries at most), and registers them with
// the loaders of their connections.
func (rs *requestState) loadCustomers(ctx context.Context, ids []string, withSpend bool) (map[string]*customerResolver, error) {
	rows, err := rs.fetchCustomers(ctx, ids)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	out := make(map[string]*customerResolver, len(rows))
	found := make([]string, 0, len(rows))
	for id, row := range rows {
		out[id] = &customerResolver{rs: rs, row: row}
		found = append(found, id)
	}
	rs.customerOrders.prime(found...)
	rs.notifications.prime(found...)
	if !withSpend {
		return out, nil
	}
	spend, err := rs.fetchSpend(ctx, found)
	if err != nil {
		return nil, err
	}
	for id, c := range out {
		c.spend = spend[id]
	}
	return out, nil
}

// fetchCustomers reads customer summaries.
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
	return out, nil
}

const spendSQL = `SELECT customer_id, currency, amount
FROM readmodel.customer_spend WHERE customer_id = ANY($1) ORDER BY customer_id, currency`

// fetchSpend reads the lifetime spend of customers, per currency.
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
	return out, nil
}

// loadCustomer returns the summary of customer id if the caller may see
// it, nil when there is none or it is someone else's.
func (rs *requestState) loadCustomer(ctx context.Context, id string) (*customerResolver, error) {
	if !rs.canSee(id) || !validKey(id) {
		return nil, nil
	}
	cs, err := rs.loadCustomers(ctx, []string{id}, graphql.HasSelectedField(ctx, "lifetimeSpend"))
	if err != nil {
		return nil, err
	}
	return cs[id], nil
}

// customerResolver resolves the GraphQL type Customer. Its spend is
// loaded before it resolves; its connections load when they resolve, one
// query for all the customers of the request that ask for the same page.
type customerResolver struct {
	rs    *requestState
	row   *customerRow
	spend []money
}

// ID is the customer id.
func (c *customerResolver) ID() graphql.ID { return graphql.ID(c.row.id) }

// OrderCount is how many orders the customer placed.
func (c *customerResolver) OrderCount() int64Scalar { return int64Scalar(c.row.orderCount) }

// FirstOrderAt is when the customer placed its first order.
func (c *customerResolver) FirstOrderAt() *timeScalar { return optTime(c.row.firstOrderAt) }

// LastOrderAt is when the customer placed its last order.
func (c *customerResolver) LastOrderAt() *timeScalar { return optTime(c.row.lastOrderAt) }

// LifetimeSpend is what the customer paid less refunds, per currency (a
// nil slice is the empty list).
func (c *customerResolver) LifetimeSpend() []money { return c.spend }

// Orders is a page of the customer's orders, newest first.
func (c *customerResolver) Orders(ctx context.Context, args connectionArgs) (*orderConnection, error) {
	pa, err := args.page(c.rs.h.limits.MaxFirst, cursorOrder)
	if err != nil {
		return nil, err
	}
	pa.needs = orderNeedsAt(ctx, "edges.node.")
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
