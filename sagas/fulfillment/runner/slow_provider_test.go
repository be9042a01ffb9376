package runner_test

import (
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/write/order"
)

// TestSlowProviderQueuesNotCancels: a healthy provider answering in 200 ms
// behind a bulkhead of 3 pays 15 orders a second; 45 orders placed at once
// with a payment deadline of one second wait their turn in the bulkhead's
// queue and all complete, charged once: the deadline blames only a failing
// provider, never our own queue.
func TestSlowProviderQueuesNotCancels(t *testing.T) {
	const orders = 45
	w := newWorld(t, time.Second)
	w.product("A", 1999, orders)
	if err := w.sandbox.SetControls(sandbox.Controls{LatencyMs: 200}); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, orders)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { ids[i] = w.place("DE", order.LineRequest{SKU: "A", Quantity: 1}) })
	}
	wg.Wait()
	for _, id := range ids {
		s := w.finished(id)
		if !s.Completed || s.Compensated {
			t.Fatalf("saga %s: %s, reason %q, history %+v", id, s.Step(time.Now()), s.Reason, s.History)
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 1 {
			t.Fatalf("order %s charged %d times", id, n)
		}
	}
	st, cs := w.sandbox.Stats(), w.client.State()
	if st.MaxInFlight > 3 || cs.RejectedByBulkhead != 0 {
		t.Fatalf("provider saw %d calls at once (bulkhead 3); the bulkhead refused %d", st.MaxInFlight, cs.RejectedByBulkhead)
	}
}
