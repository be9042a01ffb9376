package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/shipping"
)

// TestCarrierCallbacks drives an order to shipment (as the saga will), then
// the carrier's callbacks mark it shipped and delivered; a shipped order
// can no longer be cancelled.
func TestCarrierCallbacks(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	id := e.mustPost(202, "/orders", validOrder).json(t)["orderId"].(string)
	ctx, meta := context.Background(), command.Meta{CommandID: "saga"}
	steps := []func() (command.Result, error){
		func() (command.Result, error) {
			return e.svc.Inventory(ctx, meta, "SKU-1", inventory.Reserve{OrderID: id, Quantity: 2})
		},
		func() (command.Result, error) { return e.svc.Order(ctx, meta, id, order.Confirm{}, nil) },
		func() (command.Result, error) {
			return e.svc.Order(ctx, meta, id, order.MarkPaid{Amount: money.Money{Amount: 3998, Currency: "EUR"}, ChargeID: "ch_1"}, nil)
		},
		func() (command.Result, error) {
			return e.svc.Shipment(ctx, meta, id, shipping.Schedule{OrderID: id, Carrier: "DHL", ServedCountries: []string{"DE"},
				Address: shipping.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}})
		},
	}
	for i, step := range steps {
		if _, err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	r := e.mustPost(202, "/shipments/"+id+"/dispatched", `{"trackingNumber":"TRK-1"}`, "Idempotency-Key", "d-1")
	if body := r.json(t); body["status"] != "dispatched" || body["orderId"] != id {
		t.Fatalf("dispatched: %s", r.body)
	}
	if c := e.post("/orders/"+id+"/cancel", `{"reason":"too late"}`); c.status != 409 || c.json(t)["code"] != "order_not_cancellable" {
		t.Fatalf("cancel a shipped order: %d %s, want 409 order_not_cancellable", c.status, c.body)
	}
	if c := e.post("/shipments/"+id+"/dispatched", `{"trackingNumber":"TRK-2"}`); c.status != 409 {
		t.Fatalf("dispatched again with another tracking number: %d %s, want 409", c.status, c.body)
	}
	e.mustPost(202, "/shipments/"+id+"/delivered", `{}`)
	e.mustPost(202, "/shipments/"+id+"/delivered", `{}`)

	events := e.stream(order.StreamID(id))
	var types []string
	for _, ev := range events {
		types = append(types, ev.Type)
	}
	want := []string{order.TypePlaced, order.TypeConfirmed, order.TypePaid, order.TypeShipped, order.TypeDelivered}
	if len(types) != len(want) {
		t.Fatalf("order history %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("order history %v, want %v", types, want)
		}
	}
	if n := len(e.stream(shipping.StreamID(id))); n != 3 {
		t.Fatalf("shipment history has %d events, want scheduled, dispatched, delivered", n)
	}
	stock := e.stream(inventory.StreamID("SKU-1"))
	if last := stock[len(stock)-1]; last.Type != inventory.TypeStockShipped || !strings.Contains(string(last.Data), `"quantity":2`) {
		t.Fatalf("the dispatched order's stock was not shipped: last inventory event %s %s", last.Type, last.Data)
	}
}
