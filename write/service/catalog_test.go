package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/service"
)

func TestCatalogPrices(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbtest.New(t), PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	catalog := service.NewCatalog()
	done := make(chan error, 1)
	go func() { done <- catalog.Run(ctx, store) }()
	svc := service.New(command.NewHandler(store, time.Now), catalog)
	eur := func(a int64) money.Money { return money.Money{Amount: a, Currency: "EUR"} }

	if _, err := svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.RegisterProduct{SKU: "SKU-1", Name: "Widget", Price: eur(1999)}); err != nil {
		t.Fatal(err)
	}
	// Asked at once, before the subscription can have delivered it: the
	// product's stream answers.
	prices, err := svc.Prices(ctx, []string{"SKU-1", "SKU-404", "bad sku"})
	if err != nil || len(prices) != 1 || prices["SKU-1"] != eur(1999) {
		t.Fatalf("prices %v, %v; want only SKU-1 at 19.99 EUR", prices, err)
	}

	if _, err := svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.ChangePrice{Price: eur(2499)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		prices, err := svc.Prices(ctx, []string{"SKU-1"})
		if err != nil {
			t.Fatal(err)
		}
		if prices["SKU-1"] == eur(2499) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the catalog still says %v ten seconds after the price changed", prices["SKU-1"])
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v after its context ended, want context.Canceled", err)
	}
}
