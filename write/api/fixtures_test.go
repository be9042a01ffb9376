package api_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/shipping"
)

// fixtureMeta is the metadata of the commands tests send straight to the
// service, as the saga would.
var fixtureMeta = command.Meta{CommandID: "fixture"}

// orderBody is validOrder for customerID; an empty customerID leaves the
// member out.
func orderBody(t testing.TB, customerID string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validOrder), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "customerId")
	if customerID != "" {
		m["customerId"] = customerID
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// placeFor places order id for customerID (one SKU-1 at 19.99 EUR) through
// the service, which lets a test choose the id.
func (e *env) placeFor(customerID, id string) {
	e.t.Helper()
	_, err := e.svc.PlaceOrder(context.Background(), fixtureMeta, order.Place{
		OrderID: id, CustomerID: customerID, Lines: []order.LineRequest{{SKU: "SKU-1", Quantity: 1}},
		ShippingAddress: order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
	})
	if err != nil {
		e.t.Fatalf("place order %s: %v", id, err)
	}
}

// toShipment takes order id, placed by placeFor, as far as the fulfillment
// saga does before the carrier reports: its stock reserved, the order
// confirmed and paid, its shipment scheduled.
func (e *env) toShipment(id string) {
	e.t.Helper()
	ctx := context.Background()
	steps := []func() (command.Result, error){
		func() (command.Result, error) {
			return e.svc.Inventory(ctx, fixtureMeta, "SKU-1", inventory.Reserve{OrderID: id, Quantity: 1})
		},
		func() (command.Result, error) { return e.svc.Order(ctx, fixtureMeta, id, order.Confirm{}, nil) },
		func() (command.Result, error) {
			return e.svc.Order(ctx, fixtureMeta, id, order.MarkPaid{Amount: money.Money{Amount: 1999, Currency: "EUR"}, ChargeID: "ch_" + id}, nil)
		},
		func() (command.Result, error) {
			return e.svc.Shipment(ctx, fixtureMeta, id, shipping.Schedule{OrderID: id, Carrier: "DHL", ServedCountries: []string{"DE"},
				Address: shipping.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}})
		},
	}
	for i, step := range steps {
		if _, err := step(); err != nil {
			e.t.Fatalf("order %s, step %d to its shipment: %v", id, i, err)
		}
	}
}

// dispatch records the carrier taking the parcel of order id, brought
// this far by toShipment.
func (e *env) dispatch(id string) {
	e.t.Helper()
	if _, err := e.svc.Dispatched(context.Background(), fixtureMeta, id, "TRK-"+id); err != nil {
		e.t.Fatalf("dispatch order %s: %v", id, err)
	}
}
