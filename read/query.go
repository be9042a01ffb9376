package read

import (
	"context"

	graphql "github.com/graph-gophers/graphql-go"
)

// queryResolver resolves the root type Query. Each field finds the
// request's state in its context.
type queryResolver struct{}

// Order returns the order with the id, nil when it does not exist or is
// not the caller's.
func (*queryResolver) Order(ctx context.Context, args struct{ ID graphql.ID }) (*orderResolver, error) {
	return stateFrom(ctx).loadOrder(ctx, string(args.ID))
}

// Orders returns a page of the orders the caller may see.
func (*queryResolver) Orders(ctx context.Context, args ordersArgs) (*orderConnection, error) {
	return stateFrom(ctx).loadOrders(ctx, args)
}

// Product returns the product with the SKU, nil when there is none.
func (*queryResolver) Product(ctx context.Context, args struct{ SKU string }) (*productResolver, error) {
	return stateFrom(ctx).loadProduct(ctx, args.SKU)
}

// Products returns a page of products in SKU order.
func (*queryResolver) Products(ctx context.Context, args connectionArgs) (*productConnection, error) {
	return stateFrom(ctx).loadProducts(ctx, args)
}

// Customer returns the customer's summary, nil when there is none or it
// is not the caller.
func (*queryResolver) Customer(ctx context.Context, args struct{ ID graphql.ID }) (*customerResolver, error) {
	return stateFrom(ctx).loadCustomer(ctx, string(args.ID))
}

// Fulfillment returns the saga of the order, nil when there is none or
// the order is not the caller's.
func (*queryResolver) Fulfillment(ctx context.Context, args struct{ OrderID graphql.ID }) (*fulfillmentResolver, error) {
	return stateFrom(ctx).loadFulfillment(ctx, string(args.OrderID))
}

// Projections reports on the read models' projections; admins only.
func (*queryResolver) Projections(ctx context.Context) (*[]*projectionResolver, error) {
	return stateFrom(ctx).loadProjections(ctx)
}
