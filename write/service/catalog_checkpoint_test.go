package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/service"
)

// TestCatalogPassesOtherCategories: while the catalog follows the log,
// events of other categories move its position on through the checkpoints
// its subscription hands out, so that a restarted Run does not read them
// again.
func TestCatalogPassesOtherCategories(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := newCatalogStore(t)
	svc := service.New(command.NewHandler(store, time.Now), nil)
	if _, err := svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.RegisterProduct{SKU: "SKU-1", Name: "Widget", Price: money.Money{Amount: 100, Currency: "EUR"}}); err != nil {
		t.Fatal(err)
	}
	catalog := service.NewCatalog()
	stop := runCatalog(t, catalog, store)
	var last eventstore.Position
	for i := range 300 {
		res, err := store.Append(ctx, fmt.Sprintf("order-%d", i%10), eventstore.Any, eventstore.EventData{ID: uuid.New(), Type: "order.noted", Data: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		last = res.Position
	}
	waitUntil(t, "the catalog to pass the other categories' events", func() bool {
		return !service.CatalogPosition(catalog).Less(last)
	})
	stop()

	counting := eventstoretest.NewCounting(store)
	defer runCatalog(t, catalog, counting)()
	if n := counting.LogReads(); n != 0 {
		t.Fatalf("the restarted catalog read %d events of the log again, want none", n)
	}
}
