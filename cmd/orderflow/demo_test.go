package main

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/service"
)

func TestSeedDemoOnce(t *testing.T) {
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbtest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := service.New(command.NewHandler(store, time.Now), nil)
	for run := range 2 {
		if err := seedDemo(ctx, svc); err != nil {
			t.Fatalf("seed run %d: %v", run, err)
		}
	}
	for _, p := range demoProducts {
		events, err := store.ReadStream(ctx, inventory.StreamID(p.SKU), eventstore.ReadOptions{Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Type != inventory.TypeProductRegistered || events[1].Type != inventory.TypeStockAdded {
			t.Fatalf("%s after two seeds: %d events, want registered and stocked once", p.SKU, len(events))
		}
	}
	for _, o := range demoOrders {
		events, err := store.ReadStream(ctx, order.StreamID(o.OrderID), eventstore.ReadOptions{Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Type != order.TypePlaced || events[0].Metadata.UserID != demoCustomer {
			t.Fatalf("order %s after two seeds: %d events, want placed once by %s", o.OrderID, len(events), demoCustomer)
		}
	}
	prices, err := svc.Prices(ctx, []string{"SKU-1", "SKU-2", "SKU-3"})
	if err != nil || len(prices) != 3 {
		t.Fatalf("demo prices %v, %v", prices, err)
	}
}
