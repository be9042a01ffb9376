package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
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
	store := newCatalogStore(t)
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

	// Once the catalog follows the log, a price change reaches it.
	deadline := time.Now().Add(10 * time.Second)
	for !service.CatalogCurrent(catalog) {
		if time.Now().After(deadline) {
			t.Fatal("the catalog did not catch up with the log in ten seconds")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.ChangePrice{Price: eur(2499)}); err != nil {
		t.Fatal(err)
	}
	for {
		p, ok := service.CatalogPrice(catalog, "SKU-1")
		if ok && p == eur(2499) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the catalog still says %v, %v ten seconds after the price changed", p, ok)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if prices, err := svc.Prices(ctx, []string{"SKU-1"}); err != nil || prices["SKU-1"] != eur(2499) {
		t.Fatalf("prices %v, %v; want SKU-1 at 24.99 EUR", prices, err)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v after its context ended, want context.Canceled", err)
	}
}

// TestCatalogDoesNotAnswerWithOldPrices: a catalog reading a long history
// at start-up knows old prices for a while; until it has reached the head
// of the log, the product's stream answers instead, so an order is never
// priced at a price that has changed since. (The store's log reads are
// slowed to one event each so that the catch-up takes a while.)
func TestCatalogDoesNotAnswerWithOldPrices(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := newCatalogStore(t)
	svc := service.New(command.NewHandler(store, time.Now), nil)
	eur := func(a int64) money.Money { return money.Money{Amount: a, Currency: "EUR"} }
	must := func(_ command.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.RegisterProduct{SKU: "SKU-1", Name: "Widget", Price: eur(1999)}))
	must(svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.ChangePrice{Price: eur(2499)}))
	for i := range 10 {
		sku := fmt.Sprintf("SKU-F%d", i)
		must(svc.Inventory(ctx, command.Meta{}, sku, inventory.RegisterProduct{SKU: sku, Name: "Filler", Price: eur(100)}))
	}
	must(svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.ChangePrice{Price: eur(2999)}))

	catalog := service.NewCatalog()
	done := make(chan error, 1)
	go func() { done <- catalog.Run(ctx, slowStore{store}) }()
	priced := service.New(command.NewHandler(store, time.Now), catalog)
	deadline := time.Now().Add(10 * time.Second)
	for !service.CatalogCurrent(catalog) {
		prices, err := priced.Prices(ctx, []string{"SKU-1"})
		if err != nil || prices["SKU-1"] != eur(2999) {
			t.Fatalf("while the catalog catches up: %v, %v; want 29.99 EUR", prices, err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the catalog did not catch up in ten seconds")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The global log shows an event moments after its commit (when the
	// transactions begun before it have ended), so the head the catalog
	// caught up with may end before the last change: that reaches it
	// moments later, as any change does.
	for {
		p, ok := service.CatalogPrice(catalog, "SKU-1")
		if ok && p == eur(2999) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the caught-up catalog holds %v, %v; want 29.99 EUR", p, ok)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v after its context ended, want context.Canceled", err)
	}
	if service.CatalogCurrent(catalog) {
		t.Fatal("the catalog still answers after Run returned")
	}
	// Stopped while it catches up, it says so the same way.
	stopped, stop := context.WithCancel(context.Background())
	stop()
	if err := service.NewCatalog().Run(stopped, slowStore{store}); err != context.Canceled {
		t.Fatalf("Run stopped during its catch-up returned %v, want context.Canceled", err)
	}
}

// slowStore is the real store, with each read of the log slowed and cut
// to one event.
type slowStore struct{ eventstore.Store }

func (s slowStore) ReadAll(ctx context.Context, from eventstore.Position, _ int) ([]eventstore.RecordedEvent, error) {
	time.Sleep(20 * time.Millisecond)
	return s.Store.ReadAll(ctx, from, 1)
}

func (s slowStore) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	opts.BatchSize = 1
	sub, err := s.Store.Subscribe(ctx, opts)
	return slowSubscription{sub}, err
}

type slowSubscription struct{ eventstore.Subscription }

func (s slowSubscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	time.Sleep(20 * time.Millisecond)
	return s.Subscription.Next(ctx)
}

// newCatalogStore opens a PostgreSQL event store on a database of its own
// that polls every 20 ms, closed when the test ends.
func newCatalogStore(t *testing.T) *pg.Store {
	t.Helper()
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: dbtest.New(t), PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
