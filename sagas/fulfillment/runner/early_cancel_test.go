package runner_test

import (
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
)

// TestCancellationRightAfterPlacement: a customer who cancels the moment
// the order is placed, before its saga has taken a step, gets the order
// cancelled and every reservation released, quickly, each time — also
// when the intake reads the placement and the cancellation in one batch
// (which once made it mark the saga due twice in one statement, fail, and
// stop the runner).
func TestCancellationRightAfterPlacement(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	w.product("E", 1999, 100)
	for i := range 5 {
		// With the runner stopped, the placement and the cancellation are
		// both in the log before the intake reads either.
		w.stop()
		id := w.place("DE", order.LineRequest{SKU: "E", Quantity: 1})
		if _, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "oops", ByCustomer: true}, nil); err != nil {
			t.Fatal(err)
		}
		w.start()
		start := time.Now()
		s := w.finished(id)
		if !s.Compensated || w.order(id).Status != order.StatusCancelled {
			t.Fatalf("order %d: saga %+v, order %s", i, s.History, w.order(id).Status)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("order %d: the saga took %v to compensate", i, took)
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 0 {
			t.Errorf("order %d: charged %d times", i, n)
		}
	}
	if e := w.stock("E"); e.Reserved != 0 || e.Available() != 100 {
		t.Fatalf("E reserved %d, available %d after every order was cancelled", e.Reserved, e.Available())
	}
}

// TestUnrecordedReservationIsReleased: a driver that reserved stock and
// crashed before recording it leaves a reservation the saga does not
// know of; when the saga then compensates, that reservation is released
// too.
func TestUnrecordedReservationIsReleased(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	w.product("U", 1999, 10)
	w.stop()
	id := w.place("DE", order.LineRequest{SKU: "U", Quantity: 3})
	// What the crashed driver did: the reserve step's command, with the
	// step's idempotency key, never recorded in the saga.
	key := "fulfillment/" + id + "/reserve:U"
	if _, err := w.svc.Inventory(w.ctx, command.Meta{IdempotencyKey: key, CommandID: key}, "U", inventory.Reserve{OrderID: id, Quantity: 3}); err != nil {
		t.Fatal(err)
	}
	if u := w.stock("U"); u.Reserved != 3 {
		t.Fatalf("U reserved %d before the cancellation, want 3", u.Reserved)
	}
	if _, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "oops", ByCustomer: true}, nil); err != nil {
		t.Fatal(err)
	}
	w.start()
	s := w.finished(id)
	if !s.Compensated {
		t.Fatalf("saga %+v", s.History)
	}
	if u := w.stock("U"); u.Reserved != 0 || u.Available() != 10 {
		t.Fatalf("U reserved %d, available %d after the compensation, want 0 and 10", u.Reserved, u.Available())
	}
}
