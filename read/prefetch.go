package read

import (
	"context"

	graphql "github.com/graph-gophers/graphql-go"
	"golang.org/x/sync/errgroup"
)

// orderNeeds says which fields of a set of orders, beyond their own row,
// a query selects: what completeOrders loads for them.
type orderNeeds struct {
	lines, timeline      bool
	fulfillment, history bool
	customer, spend      bool
}

// orderNeedsAt reads the needs from the selections of the resolver ctx
// belongs to, the orders being at path prefix below it ("" for an order,
// "edges.node." for a connection of orders).
func orderNeedsAt(ctx context.Context, prefix string) orderNeeds {
	return orderNeeds{
		lines:       graphql.HasSelectedField(ctx, prefix+"lines"),
		timeline:    graphql.HasSelectedField(ctx, prefix+"timeline"),
		fulfillment: graphql.HasSelectedField(ctx, prefix+"fulfillment"),
		history:     graphql.HasSelectedField(ctx, prefix+"fulfillment.history"),
		customer:    graphql.HasSelectedField(ctx, prefix+"customer"),
		spend:       graphql.HasSelectedField(ctx, prefix+"customer.lifetimeSpend"),
	}
}

// completeOrders loads what need asks for, for all the orders at once:
// one query per kind of data (lines, timelines, fulfillments and their
// histories, customers and their spend), whatever the number of orders.
// The kinds load concurrently. Orders are complete before any of their
// fields resolve, so those fields run no query of their own: that is what
// keeps a page of orders from costing a query per order, and it lets the
// executor resolve them without a goroutine each.
func (rs *requestState) completeOrders(ctx context.Context, orders []*orderResolver, need orderNeeds) error {
	if len(orders) == 0 {
		return nil
	}
	ids := make([]string, len(orders))
	customers := make([]string, 0, len(orders))
	seen := make(map[string]bool, len(orders))
	for i, o := range orders {
		ids[i] = o.row.id
		if !seen[o.row.customerID] {
			seen[o.row.customerID] = true
			customers = append(customers, o.row.customerID)
		}
	}
	var tasks []func(context.Context) error
	if need.lines {
		tasks = append(tasks, func(ctx context.Context) error {
			lines, err := rs.fetchLines(ctx, ids)
			for _, o := range orders {
				o.Lines = lines[o.row.id]
			}
			return err
		})
	}
	if need.timeline {
		tasks = append(tasks, func(ctx context.Context) error {
			timelines, err := rs.fetchTimeline(ctx, ids)
			for _, o := range orders {
				o.Timeline = timelines[o.row.id]
			}
			return err
		})
	}
	if need.fulfillment {
		tasks = append(tasks, func(ctx context.Context) error {
			fs, err := rs.loadFulfillments(ctx, ids, need.history)
			for _, o := range orders {
				o.Fulfillment = fs[o.row.id]
			}
			return err
		})
	}
	if need.customer {
		tasks = append(tasks, func(ctx context.Context) error {
			cs, err := rs.loadCustomers(ctx, customers, need.spend)
			for _, o := range orders {
				o.Customer = cs[o.row.customerID]
			}
			return err
		})
	}
	return runAll(ctx, tasks)
}

// runAll runs the tasks, concurrently when there are several, and
// returns the first error.
func runAll(ctx context.Context, tasks []func(context.Context) error) error {
	switch len(tasks) {
	case 0:
		return nil
	case 1:
		return tasks[0](ctx)
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, task := range tasks {
		g.Go(func() error { return task(ctx) })
	}
	return g.Wait()
}
