package runner_test

import (
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/order"
)

// TestRunningCountsTheSagasInFlight: a saga whose charge is parked by an
// outage counts as running; once it has completed, it no longer does.
func TestRunningCountsTheSagasInFlight(t *testing.T) {
	w := newWorld(t, time.Minute)
	running := func() int64 {
		t.Helper()
		n, err := runner.Running(w.ctx, w.cfg.Pool)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := running(); n != 0 {
		t.Fatalf("Running before any order = %d, want 0", n)
	}
	w.product("A", 1999, 10)
	if err := w.sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
		t.Fatal(err)
	}
	id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
	for deadline := time.Now().Add(15 * time.Second); running() != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Running = %d with one order waiting for its payment, want 1", running())
		}
	}
	if err := w.sandbox.SetControls(sandbox.Controls{}); err != nil {
		t.Fatal(err)
	}
	if got := w.finished(id); !got.Completed {
		t.Fatalf("the saga did not complete: %+v", got.History)
	}
	// The runner forgets a saga right after recording its end.
	for deadline := time.Now().Add(15 * time.Second); running() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Running after the saga completed = %d, want 0", running())
		}
	}
}
