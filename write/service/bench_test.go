package service_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/service"
)

// BenchmarkReserveAfterHistory reserves stock, one command after the
// other (load, decide, append), on a SKU with 100,000 past orders
// (impl=store) and, as the baseline in the same run, on a SKU with 100
// (impl=raw). A command's cost must not grow with the history: the ratio
// should stay near 1. Each past order is a reservation and its shipment,
// written with COPY; a first command folds the history and persists a
// snapshot, and the measured commands run on a handler started afterwards,
// as after a restart.
func BenchmarkReserveAfterHistory(b *testing.B) {
	url := dbtest.New(b)
	fillHistory(b, url, map[string]int{"long": 100_000, "short": 100})
	store := openStore(b, url)
	warm := service.New(command.NewHandler(store, time.Now), nil)
	for _, sku := range []string{"long", "short"} {
		if _, err := warm.Inventory(context.Background(), command.Meta{}, sku, inventory.Reserve{OrderID: "warm-up", Quantity: 1}); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct{ impl, sku string }{{"store", "long"}, {"raw", "short"}} {
		b.Run("impl="+tc.impl, func(b *testing.B) {
			svc := service.New(command.NewHandler(store, time.Now), nil)
			run := fmt.Sprintf("%d-%d", time.Now().UnixNano(), b.N)
			b.ResetTimer()
			for i := range b.N {
				res, err := svc.Inventory(context.Background(), command.Meta{}, tc.sku, inventory.Reserve{OrderID: fmt.Sprintf("b%s-%d", run, i), Quantity: 1})
				if err != nil || len(res.Events) != 1 {
					b.Fatalf("reserve: %+v, %v", res, err)
				}
			}
		})
	}
}

// BenchmarkHotSKU reserves stock for orders of one unit from 64
// goroutines, all on one SKU (impl=store) and, as the baseline in the same
// run, spread over 50 SKUs (impl=raw), and reports orders/s. One SKU
// should reach most of the spread rate: its commands are decided in
// batches by one writer and appended together.
func BenchmarkHotSKU(b *testing.B) {
	const clients, spread = 64, 50
	store := openStore(b, dbtest.New(b))
	ctx := context.Background()
	runs := 0
	for _, tc := range []struct {
		impl string
		skus int
	}{{"store", 1}, {"raw", spread}} {
		b.Run("impl="+tc.impl, func(b *testing.B) {
			// Fresh SKUs for every run, so that runs do not pile up
			// reservations on one product.
			runs++
			run := fmt.Sprintf("r%d", runs)
			svc := service.New(command.NewHandler(store, time.Now), nil)
			for i := range tc.skus {
				sku := fmt.Sprintf("%s-sku-%d", run, i)
				if _, err := svc.Inventory(ctx, command.Meta{}, sku, inventory.RegisterProduct{SKU: sku, Name: "Hot", Price: money.Money{Amount: 500, Currency: "EUR"}}); err != nil {
					b.Fatal(err)
				}
				if _, err := svc.Inventory(ctx, command.Meta{}, sku, inventory.AddStock{Quantity: inventory.MaxQuantity}); err != nil {
					b.Fatal(err)
				}
			}
			var (
				next   atomic.Int64
				wg     sync.WaitGroup
				failed atomic.Value
			)
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						sku := fmt.Sprintf("%s-sku-%d", run, i%int64(tc.skus))
						res, err := svc.Inventory(ctx, command.Meta{}, sku, inventory.Reserve{OrderID: fmt.Sprintf("h%s-%d", run, i), Quantity: 1})
						if err == nil && len(res.Events) != 1 {
							err = fmt.Errorf("reserve: %d events", len(res.Events))
						}
						if err != nil {
							failed.Store(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
		})
	}
}

// openStore opens the PostgreSQL event store at url for the benchmark.
func openStore(b *testing.B, url string) eventstore.Store {
	b.Helper()
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: url})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return store
}

// fillHistory writes, for each SKU, its registration, a large stock and
// the given number of past orders (each reserved, then shipped) straight
// into the event log.
func fillHistory(b *testing.B, url string, orders map[string]int) {
	b.Helper()
	type entry struct {
		sku    string
		orders int
	}
	var (
		skus  []entry
		total int
	)
	for sku, n := range orders {
		skus = append(skus, entry{sku, n})
		total += 2 + 2*n
	}
	at := `"2026-03-01T09:00:00Z"`
	benchtest.FillLog(b, url, total, func(i int) (string, string, int64, string, []byte, []byte) {
		for _, e := range skus {
			n := 2 + 2*e.orders
			if i >= n {
				i -= n
				continue
			}
			stream := inventory.StreamID(e.sku)
			meta := []byte(`{}`)
			switch {
			case i == 0:
				return stream, inventory.Category, 0, inventory.TypeProductRegistered,
					[]byte(`{"v":1,"sku":"` + e.sku + `","name":"Mug","price":{"amount":1250,"currency":"EUR"},"registeredAt":` + at + `}`), meta
			case i == 1:
				return stream, inventory.Category, 1, inventory.TypeStockAdded,
					[]byte(`{"v":1,"sku":"` + e.sku + `","quantity":1000000,"addedAt":` + at + `}`), meta
			}
			order := fmt.Sprintf("past-%d", (i-2)/2)
			if (i-2)%2 == 0 {
				return stream, inventory.Category, int64(i), inventory.TypeStockReserved,
					[]byte(`{"v":1,"sku":"` + e.sku + `","orderId":"` + order + `","quantity":1,"reservedAt":` + at + `}`), meta
			}
			return stream, inventory.Category, int64(i), inventory.TypeStockShipped,
				[]byte(`{"v":1,"sku":"` + e.sku + `","orderId":"` + order + `","quantity":1,"shippedAt":` + at + `}`), meta
		}
		panic("fillHistory: index out of range")
	})
}
