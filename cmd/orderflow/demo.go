package main

import (
	"context"
	"fmt"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
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

// seedDemo registers the demo products and stocks them once: the commands
// carry idempotency keys, so every later start finds them done.
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
	return nil
}
