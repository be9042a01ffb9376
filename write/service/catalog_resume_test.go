package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/productview"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/service"
)

// TestCatalogResumesFromTheProducts: a catalog started from the products
// read model reads the log only after its checkpoint, not the history
// before it, and still answers with the newest prices: those of the read
// model, then those the log set after its checkpoint. A product whose
// event the read model parked is left to its stream.
func TestCatalogResumesFromTheProducts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbURL := dbtest.New(t)
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	svc := service.New(command.NewHandler(store, time.Now), nil)
	eur := func(a int64) money.Money { return money.Money{Amount: a, Currency: "EUR"} }
	var last eventstore.Position
	must := func(res command.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		last = res.Position
	}
	// A history: five products, each with three price changes.
	history := 0
	for i := range 5 {
		sku := fmt.Sprintf("SKU-%d", i)
		must(svc.Inventory(ctx, command.Meta{}, sku, inventory.RegisterProduct{SKU: sku, Name: "Widget", Price: eur(100)}))
		for p := range 3 {
			must(svc.Inventory(ctx, command.Meta{}, sku, inventory.ChangePrice{Price: eur(int64(1000*i + 200 + p))}))
		}
		history += 4
	}
	// A price change the products read model refuses (and the catalog
	// cannot read either): SKU-3's row cannot vouch for its price.
	res, err := store.Append(ctx, inventory.Category+"-SKU-3", eventstore.Any, eventstore.EventData{ID: uuid.New(), Type: inventory.TypePriceChanged, Data: []byte(`{"v":1,"price":"cheap"}`)})
	if err != nil {
		t.Fatal(err)
	}
	last, history = res.Position, history+1

	views, err := projections.New(projections.Config{Pool: pool, Store: store, Owner: "p", LeaseTTL: time.Second, Projections: []projections.Projection{productview.New()}})
	if err != nil {
		t.Fatal(err)
	}
	viewsCtx, stopViews := context.WithCancel(ctx)
	viewsDone := make(chan error, 1)
	go func() { viewsDone <- views.Run(viewsCtx) }()
	caughtUp := func() {
		t.Helper()
		waitUntil(t, "the products read model to catch up", func() bool {
			var commit, prepare int64
			err := pool.QueryRow(ctx, `SELECT commit_pos, prepare_pos FROM projections.checkpoints WHERE name = $1`, productview.Name).Scan(&commit, &prepare)
			return err == nil && !(eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}).Less(last)
		})
	}
	caughtUp()

	// Read from the log's start, the history is read whole: the counter
	// sees what a catalog reads.
	fromStart := eventstoretest.NewCounting(store)
	stopStart := runCatalog(t, service.NewCatalog(), fromStart)
	if n := fromStart.LogReads(); n < history {
		t.Fatalf("a catalog read from the start read %d events, want at least the %d of the history", n, history)
	}
	stopStart()

	// Started from the read model, it reads nothing of the history.
	resumed := eventstoretest.NewCounting(store)
	catalog := service.NewCatalogFrom(productview.NewPrices(pool))
	stop := runCatalog(t, catalog, resumed)
	if n := resumed.LogReads(); n != 0 {
		t.Fatalf("a catalog resumed from the read model's checkpoint read %d events of the log, want none", n)
	}
	for i := range 5 {
		sku := fmt.Sprintf("SKU-%d", i)
		p, ok := service.CatalogPrice(catalog, sku)
		if i == 3 {
			if ok {
				t.Fatalf("%s, whose price change was parked: the catalog says %v, want it left to the stream", sku, p)
			}
			continue
		}
		if want := eur(int64(1000*i + 202)); !ok || p != want {
			t.Fatalf("%s: the catalog says %v, %v; want %v", sku, p, ok, want)
		}
	}
	// It follows the log from there: one change, one event read.
	must(svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.ChangePrice{Price: eur(5555)}))
	waitUntil(t, "the catalog to take the new price", func() bool {
		p, ok := service.CatalogPrice(catalog, "SKU-1")
		return ok && p == eur(5555)
	})
	if n := resumed.LogReads(); n != 1 {
		t.Fatalf("the resumed catalog read %d events for one price change, want 1", n)
	}
	stop()
	caughtUp()

	// With the read model behind the log, a catalog starts from its
	// checkpoint and reads the rest: it never answers with the read
	// model's older price.
	stopViews()
	if err := <-viewsDone; err != nil {
		t.Fatalf("projections: %v", err)
	}
	must(svc.Inventory(ctx, command.Meta{}, "SKU-2", inventory.ChangePrice{Price: eur(7777)}))
	behind := eventstoretest.NewCounting(store)
	catalog = service.NewCatalogFrom(productview.NewPrices(pool))
	defer runCatalog(t, catalog, behind)()
	waitUntil(t, "the catalog to take the price set after the checkpoint", func() bool {
		p, ok := service.CatalogPrice(catalog, "SKU-2")
		if ok && p != eur(7777) && p != eur(2202) {
			t.Fatalf("SKU-2 priced at %v", p)
		}
		return ok && p == eur(7777)
	})
	if n := behind.LogReads(); n != 1 {
		t.Fatalf("a catalog one event behind the read model read %d events, want 1", n)
	}
}

// runCatalog runs c on store until it answers from memory; stop ends it
// and checks how it ended.
func runCatalog(t *testing.T, c *service.Catalog, store eventstore.Store) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, store) }()
	waitUntil(t, "the catalog to catch up", func() bool { return service.CatalogCurrent(c) })
	return func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Run returned %v after its context ended, want context.Canceled", err)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited ten seconds for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
