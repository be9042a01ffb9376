package pg

import "testing"

func TestWakeupByCategory(t *testing.T) {
	started := 0
	w := newWakeup(func() { started++ })
	woken := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	orders, stock, every := w.waitFor("order"), w.waitFor("inventory"), w.wait()
	if started != 1 {
		t.Fatalf("first ran %d times, want once", started)
	}
	if w.waitFor("order") != orders {
		t.Fatal("two waiters on one category got different channels")
	}
	w.broadcast("order")
	if !woken(orders) || woken(stock) || !woken(every) {
		t.Fatalf("an order append woke orders %v, inventory %v, every category %v; want orders and every category",
			woken(orders), woken(stock), woken(every))
	}
	orders, every = w.waitFor("order"), w.wait()
	if woken(orders) || woken(every) {
		t.Fatal("a waiter after the broadcast got a closed channel")
	}
	w.broadcast("")
	if !woken(orders) || !woken(stock) || !woken(every) {
		t.Fatalf("a broadcast to every category woke orders %v, inventory %v, every category %v; want all",
			woken(orders), woken(stock), woken(every))
	}
	w.broadcast("order") // no one waits: nothing to close twice
	if len(w.waiting) != 0 {
		t.Fatalf("%d channels left with no one waiting", len(w.waiting))
	}
}
