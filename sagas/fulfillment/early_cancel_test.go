package fulfillment_test

import (
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/command"
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
		id := w.place("DE", order.LineRequest{SKU: "E", Quantity: 1})
		if _, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "oops", ByCustomer: true}, nil); err != nil {
			t.Fatal(err)
		}
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
