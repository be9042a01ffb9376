package read

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// orderPage is one page of orders, the first row of the next page left
// out.
type orderPage struct {
	orders  []*orderResolver
	hasNext bool
}

// orderConnection resolves the GraphQL type OrderConnection, by its
// fields (as every type whose values are known before it resolves).
type orderConnection struct {
	Edges    []orderEdge
	PageInfo pageInfo
}

// orderEdge resolves the GraphQL type OrderEdge.
type orderEdge struct {
	Cursor string
	Node   *orderResolver
}

func (p orderPage) connection() *orderConnection {
	edges := make([]orderEdge, len(p.orders))
	cursors := make([]string, len(p.orders))
	for i, o := range p.orders {
		cursors[i] = encodeTimeCursor(cursorOrder, timeKey{at: o.row.placedAt, id: o.row.id})
		edges[i] = orderEdge{Cursor: cursors[i], Node: o}
	}
	return &orderConnection{Edges: edges, PageInfo: newPageInfo(cursors, p.hasNext)}
}

// orderFilter narrows the orders connection.
type orderFilter struct {
	customer     *string
	status       *string
	placedAfter  *time.Time
	placedBefore *time.Time
}

// ordersArgs are the arguments of Query.orders.
type ordersArgs struct {
	First        *int32
	After        *string
	Status       *string
	PlacedAfter  *timeScalar
	PlacedBefore *timeScalar
}

// loadOrders returns a page of the orders the caller may see that match
// the arguments, newest first.
func (rs *requestState) loadOrders(ctx context.Context, args ordersArgs) (*orderConnection, error) {
	pa, err := connectionArgs{First: args.First, After: args.After}.page(rs.h.limits.MaxFirst, cursorOrder)
	if err != nil {
		return nil, err
	}
	if !rs.authenticated || pa.first == 0 {
		return orderPage{}.connection(), nil
	}
	var f orderFilter
	if !rs.principal.IsAdmin() {
		f.customer = &rs.principal.Subject
	}
	f.status = args.Status
	if args.PlacedAfter != nil {
		f.placedAfter = (*time.Time)(args.PlacedAfter)
	}
	if args.PlacedBefore != nil {
		f.placedBefore = (*time.Time)(args.PlacedBefore)
	}
	sql, params := ordersSQL(f, pa)
	if err := rs.fresh.wait(ctx, projOrders); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, sql, params...)
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orderRow, error) { return scanOrder(r) })
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	page := orderPage{hasNext: len(list) > pa.first, orders: newOrderResolvers(list[:min(len(list), pa.first)])}
	if err := rs.completeOrders(ctx, page.orders, orderNeedsAt(ctx, "edges.node.")); err != nil {
		return nil, err
	}
	return page.connection(), nil
}

// ordersSQL builds the query of a page of orders: only the conditions the
// filter needs, so that each combination gets a plan of its own and its
// index.
func ordersSQL(f orderFilter, pa pageArgs) (string, []any) {
	var (
		conds  []string
		params []any
	)
	arg := func(v any) string {
		params = append(params, v)
		return "$" + strconv.Itoa(len(params))
	}
	if f.customer != nil {
		conds = append(conds, "customer_id = "+arg(*f.customer))
	}
	if f.status != nil {
		conds = append(conds, "status = "+arg(*f.status))
	}
	if f.placedAfter != nil {
		conds = append(conds, "placed_at > "+arg(*f.placedAfter))
	}
	if f.placedBefore != nil {
		conds = append(conds, "placed_at < "+arg(*f.placedBefore))
	}
	if pa.after != "" {
		k, _ := decodeTimeCursor(cursorOrder, pa.after)
		conds = append(conds, "(placed_at, order_id) < ("+arg(k.at)+", "+arg(k.id)+")")
	}
	var b strings.Builder
	b.WriteString("SELECT " + orderColumns + " FROM readmodel.orders")
	if len(conds) > 0 {
		b.WriteString(" WHERE " + strings.Join(conds, " AND "))
	}
	// The limit is written out: with a parameter, PostgreSQL's generic plan
	// guesses a tenth of the table and may sort it all instead of reading
	// the index.
	b.WriteString(" ORDER BY placed_at DESC, order_id DESC LIMIT " + strconv.Itoa(pa.first+1))
	return b.String(), params
}

const customerOrdersSQL = `SELECT o.order_id, o.customer_id, o.status, o.revision, o.total_amount, o.total_currency, o.placed_at,
o.confirmed_at, o.paid_at, o.shipped_at, o.delivered_at, o.cancelled_at, o.cancel_reason, o.tracking_number,
o.updated_at, o.commit_pos, o.prepare_pos, o.channel
FROM unnest($1::text[]) AS c(id)
CROSS JOIN LATERAL (
    SELECT ` + orderColumns + ` FROM readmodel.orders
    WHERE customer_id = c.id AND ($3::timestamptz IS NULL OR (placed_at, order_id) < ($3, $4::text))
    ORDER BY placed_at DESC, order_id DESC LIMIT $2) o
ORDER BY o.customer_id, o.placed_at DESC, o.order_id DESC`

// fetchCustomerOrders loads a page of orders for each customer, all with
// the same arguments, in one query, and completes them all at once.
func (rs *requestState) fetchCustomerOrders(ctx context.Context, pa pageArgs, customers []string) (map[string]orderPage, error) {
	out := make(map[string]orderPage, len(customers))
	if pa.first == 0 {
		for _, c := range customers {
			out[c] = orderPage{}
		}
		return out, nil
	}
	var (
		at *time.Time
		id *string
	)
	if pa.after != "" {
		k, _ := decodeTimeCursor(cursorOrder, pa.after)
		at, id = &k.at, &k.id
	}
	if err := rs.fresh.wait(ctx, projOrders); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, customerOrdersSQL, customers, pa.first+1, at, id)
	if err != nil {
		return nil, fmt.Errorf("read customers' orders: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orderRow, error) { return scanOrder(r) })
	if err != nil {
		return nil, fmt.Errorf("read customers' orders: %w", err)
	}
	counts := make(map[string]int, len(customers))
	kept := list[:0]
	for _, o := range list {
		counts[o.customerID]++
		if counts[o.customerID] <= pa.first {
			kept = append(kept, o)
		}
	}
	orders := newOrderResolvers(kept)
	if err := rs.completeOrders(ctx, orders, pa.needs); err != nil {
		return nil, err
	}
	for _, o := range orders {
		p := out[o.row.customerID]
		p.orders = append(p.orders, o)
		out[o.row.customerID] = p
	}
	for _, c := range customers {
		p := out[c]
		p.hasNext = counts[c] > pa.first
		out[c] = p
	}
	return out, nil
}
