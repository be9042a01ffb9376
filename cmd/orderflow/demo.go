package main

import (
	"context"
	"fmt"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/service"
)

// demoProducts are what serve --demo puts in the catalog, each with
// demoStock units.
var demoProducts = []inventory.RegisterProduct{
	{SKU: "SKU-1", Name: "Widget", Price: money.Money{Amount: 1999, Currency: "EUR"}},
	{SKU: "SKU-2", Name: "Gadget", Price: money.Money{Amount: 500, Currency: "EUR"}},
	{SKU: "SKU-3", Name: "Gizmo", Price: money.Money{Amount: 12900, Currency: "EUR"}},
}

const demoStock = 100

// demoCustomer is the customer serve --insecure-dev logs a token of; under
// --demo it has demoOrders.
const demoCustomer = "c-1"

// demoOrders are what serve --demo places for demoCustomer, once (each
// carries an idempotency key): the saga takes them through payment.
var demoOrders = []order.Place{
	{OrderID: "demo-1", CustomerID: demoCustomer, Lines: []order.LineRequest{{SKU: "SKU-1", Quantity: 1}, {SKU: "SKU-2", Quantity: 2}},
		ShippingAddress: demoAddress},
	{OrderID: "demo-2", CustomerID: demoCustomer, Lines: []order.LineRequest{{SKU: "SKU-3", Quantity: 1}}, ShippingAddress: demoAddress},
}

// demoAddress is where the demo orders go.
var demoAddress = order.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", City: "Berlin", PostalCode: "10115", Country: "DE"}

// seedDemo registers the demo products, stocks them and places the demo
// orders once: the commands carry idempotency keys, so every later start
// finds them done.
func seedDemo(ctx context.Context, svc *service.Service) error {
	for _, p := range demoProducts {
		meta := command.Meta{CommandID: "demo", CorrelationID: "demo", UserID: "demo", IdempotencyKey: "demo-register"}
		if _, err := svc.Inventory(ctx, meta, p.SKU, p); err != nil {
			return fmt.Errorf("demo product %s: %w", p.SKU, err)
		}
		meta.IdempotencyKey = "demo-stock"
		if _, err := svc.Inventory(ctx, meta, p.SKU, inventory.AddStock{Quantity: demoStock}); err != nil {
			return fmt.Errorf("demo stock of %s: %w", p.SKU, err)
		}
	}
	for _, o := range demoOrders {
		meta := command.Meta{CommandID: "demo", CorrelationID: "demo-" + o.OrderID, UserID: o.CustomerID, IdempotencyKey: "demo-order"}
		if _, err := svc.PlaceOrder(ctx, meta, o); err != nil {
			return fmt.Errorf("demo order %s: %w", o.OrderID, err)
		}
	}
	return nil
}
