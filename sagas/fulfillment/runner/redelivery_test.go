package runner_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
)

// TestRedeliveryAndShuffling hands the saga every order event three times,
// in shuffled order, and drives the sagas: the outcome is what one orderly
// delivery gives, and no command runs twice.
func TestRedeliveryAndShuffling(t *testing.T) {
	w := newWorld(t, time.Minute)
	w.stop() // this test delivers the events itself
	w.product("A", 1999, 100)

	var placed, cancelled []string
	for i := range 12 {
		id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
		if i%3 == 0 {
			if _, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "changed my mind", ByCustomer: true}, nil); err != nil {
				t.Fatal(err)
			}
			cancelled = append(cancelled, id)
			continue
		}
		placed = append(placed, id)
	}

	// The global log shows an event once every older transaction has
	// ended (in any database of the cluster), so wait for all of them.
	var events []eventstore.RecordedEvent
	for deadline := time.Now().Add(30 * time.Second); len(events) != 3*(len(placed)+2*len(cancelled)); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the global log shows %d order events, want %d", len(events)/3, len(placed)+2*len(cancelled))
		}
		events = events[:0]
		for from := eventstore.Start; ; {
			page, err := w.cfg.Store.ReadAll(w.ctx, from, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				if e.Category() == order.Category {
					events = append(events, e, e, e)
				}
			}
			from = page[len(page)-1].Position
		}
	}
	rng := rand.New(rand.NewPCG(3, uint64(time.Now().UnixNano())))
	rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })

	r := runner.New(w.cfg)
	woken := map[string]bool{}
	for _, e := range events {
		id, err := r.Handle(w.ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if id != "" {
			woken[id] = true
		}
		if rng.IntN(4) == 0 && id != "" { // drive some sagas between deliveries
			if err := runner.DriveUnfenced(w.ctx, r, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	for id := range woken {
		for range 3 {
			if err := runner.DriveUnfenced(w.ctx, r, id); err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, id := range placed {
		if s := w.finished(id); !s.Completed {
			t.Fatalf("saga %s: %+v, want completed", id, s.History)
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 1 {
			t.Fatalf("order %s charged %d times, want once", id, n)
		}
	}
	for _, id := range cancelled {
		if s := w.finished(id); !s.Compensated || w.sandbox.Stats().ChargesByReference[id] != 0 {
			t.Fatalf("cancelled order %s: saga %+v, %d charges", id, s.History, w.sandbox.Stats().ChargesByReference[id])
		}
	}
	reserves := map[string]int{}
	stock, err := w.cfg.Store.ReadStream(w.ctx, inventory.StreamID("A"), eventstore.ReadOptions{Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range stock {
		if r.Type != inventory.TypeStockReserved {
			continue
		}
		e, err := inventory.Decode(r.Type, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		reserves[e.(inventory.StockReserved).OrderID]++
	}
	for id, n := range reserves {
		if n > 1 {
			t.Fatalf("order %s reserved %d times: a command ran twice", id, n)
		}
	}
	for _, id := range placed {
		if reserves[id] != 1 {
			t.Fatalf("order %s reserved %d times, want once", id, reserves[id])
		}
	}
	if a := w.stock("A"); a.Reserved != int64(len(placed)) {
		t.Fatalf("A reserved %d, want %d", a.Reserved, len(placed))
	}
}
