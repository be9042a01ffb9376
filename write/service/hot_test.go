package service_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// TestHotSKU sends many concurrent reservations of one SKU through two
// services with a handler each, standing for two processes, the way the
// fulfillment saga sends them (one idempotency key per order and step).
func TestHotSKU(t *testing.T) {
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbtest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	procs := []*service.Service{
		service.New(command.NewHandler(store, time.Now), nil),
		service.New(command.NewHandler(store, time.Now), nil),
	}
	product := func(sku string, stock int64) {
		t.Helper()
		if _, err := procs[0].Inventory(ctx, command.Meta{}, sku, inventory.RegisterProduct{SKU: sku, Name: "Hot", Price: money.Money{Amount: 500, Currency: "EUR"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := procs[1].Inventory(ctx, command.Meta{}, sku, inventory.AddStock{Quantity: stock}); err != nil {
			t.Fatal(err)
		}
	}
	// reserveAll reserves 1 unit for each of n orders at once and counts
	// the outcomes: reserved, rejected, and changed nothing.
	reserveAll := func(t *testing.T, sku string, n int) (reserved, rejected, unchanged int) {
		t.Helper()
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			bad []error
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("%s-o%d", sku, i)
				meta := command.Meta{CorrelationID: id, IdempotencyKey: id + "/reserve:" + sku}
				res, err := procs[i%2].Inventory(ctx, meta, sku, inventory.Reserve{OrderID: id, Quantity: 1})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					bad = append(bad, err)
				case len(res.Events) == 0:
					unchanged++
				case len(res.Events) != 1:
					bad = append(bad, fmt.Errorf("order %s: %d events", id, len(res.Events)))
				default:
					switch res.Events[0].(type) {
					case inventory.StockReserved:
						reserved++
					case inventory.StockReservationRejected:
						rejected++
					}
				}
			}()
		}
		wg.Wait()
		for _, err := range bad {
			if errors.Is(err, command.ErrTooManyConflicts) {
				t.Fatalf("a reservation gave up: %v", err)
			}
			t.Fatalf("a reservation failed: %v", err)
		}
		return reserved, rejected, unchanged
	}
	stockOf := func(sku string) inventory.State {
		t.Helper()
		st, err := command.Load(ctx, command.NewHandler(store, time.Now), command.Aggregate[inventory.State]{Category: inventory.Category, Evolve: inventory.Evolve, Decode: inventory.Decode}, sku)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	events := func(sku string) int {
		t.Helper()
		stored, err := store.ReadStream(ctx, inventory.StreamID(sku), eventstore.ReadOptions{Count: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		return len(stored)
	}

	t.Run("ample stock", func(t *testing.T) {
		product("ample", 100_000)
		reserved, rejected, unchanged := reserveAll(t, "ample", 400)
		if reserved != 400 || rejected != 0 || unchanged != 0 {
			t.Fatalf("%d reserved, %d rejected, %d unchanged; want all 400 reserved", reserved, rejected, unchanged)
		}
		if st := stockOf("ample"); st.Reserved != 400 || len(st.Reservations) != 400 {
			t.Fatalf("stream says %d reserved in %d reservations", st.Reserved, len(st.Reservations))
		}
		if n := events("ample"); n != 2+400 {
			t.Fatalf("stream holds %d events, want 402", n)
		}
	})

	t.Run("no oversell", func(t *testing.T) {
		product("scarce", 300)
		reserved, rejected, unchanged := reserveAll(t, "scarce", 1000)
		if reserved != 300 || rejected != 700 || unchanged != 0 {
			t.Fatalf("%d reserved, %d rejected, %d unchanged; want 300 and 700", reserved, rejected, unchanged)
		}
		if st := stockOf("scarce"); st.Reserved != 300 || st.Available() != 0 || st.OnHand != 300 {
			t.Fatalf("stream says %d reserved, %d available, %d on hand", st.Reserved, st.Available(), st.OnHand)
		}
		if n := events("scarce"); n != 2+1000 {
			t.Fatalf("stream holds %d events, want 1002 (one per reservation, reserved or rejected)", n)
		}
		// Every order retries its reservation: nothing more is written. A
		// retry the handler remembers, or that the event store recognises
		// by its event id (a rejection decided again), returns its original
		// outcome; a reservation retried after the handler's window decides
		// that the order holds its stock already, and changes nothing.
		again, againRejected, againUnchanged := reserveAll(t, "scarce", 1000)
		if again+againUnchanged != 300 || againRejected != 700 {
			t.Fatalf("retries: %d reserved, %d rejected, %d unchanged; want 300 reserved or unchanged and 700 rejected", again, againRejected, againUnchanged)
		}
		if n := events("scarce"); n != 1002 {
			t.Fatalf("retries wrote: stream holds %d events", n)
		}
	})
}

// TestConflictWithAnotherProcess: a handler whose kept state is behind
// another process's writes meets a conflict, reads what it missed and
// decides again on the right state — not on the one its first decision
// left behind.
func TestConflictWithAnotherProcess(t *testing.T) {
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbtest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	a := service.New(command.NewHandler(store, time.Now), nil)
	b := service.New(command.NewHandler(store, time.Now), nil)
	must := func(svc *service.Service, cmd inventory.Command) command.Result {
		t.Helper()
		res, err := svc.Inventory(ctx, command.Meta{}, "mug", cmd)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	must(a, inventory.RegisterProduct{SKU: "mug", Name: "Mug", Price: money.Money{Amount: 500, Currency: "EUR"}})
	must(a, inventory.AddStock{Quantity: 3})
	must(a, inventory.Reserve{OrderID: "o1", Quantity: 1})
	must(b, inventory.Reserve{OrderID: "o2", Quantity: 1}) // a's state is behind now
	res := must(a, inventory.Reserve{OrderID: "o3", Quantity: 1})
	if len(res.Events) != 1 || res.Revision != 4 {
		t.Fatalf("reserve after a conflict: %+v", res)
	}
	if _, ok := res.Events[0].(inventory.StockReserved); !ok {
		t.Fatalf("reserve after a conflict: %#v", res.Events[0])
	}
	res = must(a, inventory.Reserve{OrderID: "o4", Quantity: 1})
	if _, ok := res.Events[0].(inventory.StockReservationRejected); !ok || res.Revision != 5 {
		t.Fatalf("a fourth reservation of three units: %+v", res)
	}
}
