package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/service"
)

// TestCustomerOrder: a customer acting on another customer's order gets
// the answer an order that does not exist gets, whatever the command, and
// the order is left as it was; on its own order the command runs.
func TestCustomerOrder(t *testing.T) {
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbtest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := service.New(command.NewHandler(store, time.Now), nil)
	if _, err := svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.RegisterProduct{SKU: "SKU-1", Name: "Widget", Price: money.Money{Amount: 1999, Currency: "EUR"}}); err != nil {
		t.Fatal(err)
	}
	place := order.Place{OrderID: "o-a", CustomerID: "c-a", Lines: []order.LineRequest{{SKU: "SKU-1", Quantity: 1}},
		ShippingAddress: order.Address{Name: "A", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
		Prices:          map[string]money.Money{"SKU-1": {Amount: 1999, Currency: "EUR"}}}
	if _, err := svc.PlaceOrder(ctx, command.Meta{}, place); err != nil {
		t.Fatal(err)
	}
	zero := int64(0)
	tests := []struct {
		name       string
		cmd        order.Command
		ifRevision *int64
	}{
		{"cancel", order.Cancel{Reason: "mine now", ByCustomer: true}, nil},
		{"cancel at its revision", order.Cancel{Reason: "mine now", ByCustomer: true}, &zero},
		{"cancel without a reason", order.Cancel{ByCustomer: true}, nil},
		{"confirm", order.Confirm{}, nil},
		{"place over it, with another address", withAddress(place, "2 Side St"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, foreign := svc.CustomerOrder(ctx, command.Meta{}, "c-b", "o-a", tc.cmd, tc.ifRevision)
			_, absent := svc.CustomerOrder(ctx, command.Meta{}, "c-b", "o-none", tc.cmd, tc.ifRevision)
			if _, placing := tc.cmd.(order.Place); placing {
				absent = order.ErrOrderNotFound // placing on a free id places
			}
			if foreign == nil || absent == nil || foreign.Error() != strings.ReplaceAll(absent.Error(), "o-none", "o-a") {
				t.Fatalf("another customer's order: %v; an order that does not exist: %v", foreign, absent)
			}
			if !errors.Is(foreign, order.ErrOrderNotFound) && !errors.Is(foreign, service.ErrRevisionMismatch) && !errors.Is(foreign, order.ErrInvalidReason) {
				t.Fatalf("error %v", foreign)
			}
			if _, err := svc.CustomerOrder(ctx, command.Meta{}, "", "o-a", tc.cmd, tc.ifRevision); err == nil {
				t.Fatal("an empty customer id acted on an order")
			}
		})
	}
	events, err := store.ReadStream(ctx, order.StreamID("o-a"), eventstore.ReadOptions{Count: 10})
	if err != nil || len(events) != 1 {
		t.Fatalf("the order's stream holds %d events (%v), want only its placement", len(events), err)
	}
	res, err := svc.CustomerOrder(ctx, command.Meta{}, "c-a", "o-a", order.Cancel{Reason: "changed my mind", ByCustomer: true}, &zero)
	if err != nil || len(res.Events) != 1 {
		t.Fatalf("the owner cancelling: %+v, %v", res, err)
	}
}

func withAddress(p order.Place, line1 string) order.Place {
	p.ShippingAddress.Line1 = line1
	return p
}
