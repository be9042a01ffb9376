package fulfillment_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
)

// TestSagaCarriesThePlacementCorrelationID: every event a saga causes, on
// the way to completion and through a compensation alike, carries the
// correlation id of the request that placed the order, so that one id
// finds the whole flow.
func TestSagaCarriesThePlacementCorrelationID(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	w.product("A", 1999, 10)
	w.product("D", 1002, 10) // the sandbox declines amounts ending in 02
	for _, tc := range []struct {
		name, sku string
		completed bool
	}{{"completed", "A", true}, {"compensated", "D", false}} {
		t.Run(tc.name, func(t *testing.T) {
			id, corr := uuid.NewString(), "req-"+tc.name
			_, err := w.svc.PlaceOrder(w.ctx, command.Meta{CorrelationID: corr}, order.Place{OrderID: id, CustomerID: "c-1",
				Lines:           []order.LineRequest{{SKU: tc.sku, Quantity: 1}},
				ShippingAddress: order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Town", PostalCode: "1", Country: "DE"}})
			if err != nil {
				t.Fatal(err)
			}
			if s := w.finished(id); s.Completed != tc.completed {
				t.Fatalf("saga completed %v, want %v: %+v", s.Completed, tc.completed, s.History)
			}
			n := 0
			for _, stream := range []string{"order-" + id, "payment-" + id, "shipment-" + id, "fulfillment-" + id, "inventory-" + tc.sku} {
				events, err := w.cfg.Store.ReadStream(w.ctx, stream, eventstore.ReadOptions{Count: 1000})
				if errors.Is(err, eventstore.ErrStreamNotFound) && !tc.completed {
					continue // no shipment was scheduled
				}
				if err != nil {
					t.Fatalf("%s: %v", stream, err)
				}
				for _, e := range events {
					if strings.HasPrefix(stream, "inventory-") && !strings.Contains(e.Metadata.CausationID, id) {
						continue // another order's reservation, or the catalog's
					}
					n++
					if e.Metadata.CorrelationID != corr {
						t.Errorf("%s %s: correlation id %q, want %q", stream, e.Type, e.Metadata.CorrelationID, corr)
					}
				}
			}
			if n < 8 {
				t.Fatalf("only %d events checked", n)
			}
		})
	}
}
