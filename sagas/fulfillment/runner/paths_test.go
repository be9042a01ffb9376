package runner_test

import (
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

func TestFulfillmentPaths(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	w.product("A", 1999, 10)
	w.product("B", 500, 1)
	w.product("D", 1002, 10) // the sandbox declines amounts ending in 02

	t.Run("happy path", func(t *testing.T) {
		w := w.with(t)
		id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 2}, order.LineRequest{SKU: "B", Quantity: 1})
		s := w.finished(id)
		if !s.Completed || w.order(id).Status != order.StatusPaid || w.payment(id).Status != payment.StatusCaptured || w.shipment(id).Status != shipping.StatusScheduled {
			t.Fatalf("saga %+v; order %s, payment %s, shipment %s", s.History, w.order(id).Status, w.payment(id).Status, w.shipment(id).Status)
		}
		if a, b := w.stock("A"), w.stock("B"); a.Reserved != 2 || b.Reserved != 1 || b.Available() != 0 {
			t.Fatalf("stock A reserved %d, B reserved %d available %d", a.Reserved, b.Reserved, b.Available())
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 1 {
			t.Fatalf("%d charges for the order, want 1", n)
		}
	})

	t.Run("out of stock releases what was reserved", func(t *testing.T) {
		w := w.with(t)
		before := w.stock("A").Reserved
		id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1}, order.LineRequest{SKU: "B", Quantity: 5})
		s := w.finished(id)
		if !s.Compensated || w.order(id).Status != order.StatusCancelled {
			t.Fatalf("saga %+v, order %s", s.History, w.order(id).Status)
		}
		if got := w.stock("A").Reserved; got != before {
			t.Fatalf("A reserved %d after the compensation, want %d", got, before)
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n != 0 {
			t.Fatalf("an order that never had stock was charged %d times", n)
		}
	})

	t.Run("a declined payment compensates", func(t *testing.T) {
		w := w.with(t)
		id := w.place("DE", order.LineRequest{SKU: "D", Quantity: 1})
		s := w.finished(id)
		if !s.Compensated || w.order(id).Status != order.StatusCancelled || w.payment(id).Status != payment.StatusFailed {
			t.Fatalf("saga %+v, order %s, payment %s", s.History, w.order(id).Status, w.payment(id).Status)
		}
		if d := w.stock("D"); d.Reserved != 0 || d.Available() != 10 {
			t.Fatalf("D reserved %d available %d after the decline", d.Reserved, d.Available())
		}
	})

	t.Run("a carrier rejection refunds and releases", func(t *testing.T) {
		w := w.with(t)
		before := w.sandbox.Stats().Refunds
		id := w.place("US", order.LineRequest{SKU: "A", Quantity: 1})
		s := w.finished(id)
		if !s.Compensated || w.order(id).Status != order.StatusCancelled || w.payment(id).Status != payment.StatusRefunded || w.shipment(id).Status != shipping.StatusRejected {
			t.Fatalf("saga %+v; order %s, payment %s, shipment %s", s.History, w.order(id).Status, w.payment(id).Status, w.shipment(id).Status)
		}
		if got := w.sandbox.Stats().Refunds - before; got != 1 {
			t.Fatalf("%d refunds, want 1", got)
		}
	})

	t.Run("a payment past its deadline compensates", func(t *testing.T) {
		w := w.with(t)
		if err := w.sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
			t.Fatal(err)
		}
		defer w.sandbox.SetControls(sandbox.Controls{})
		id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
		// Compensation needs the provider too: it must learn whether
		// anything was charged before it can release the order. So the
		// outage ends once the deadline has passed.
		for deadline := time.Now().Add(10 * time.Second); !w.compensating(id); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the saga did not start compensating after its payment deadline")
			}
		}
		if err := w.sandbox.SetControls(sandbox.Controls{}); err != nil {
			t.Fatal(err)
		}
		s := w.finished(id)
		if !s.Compensated || w.order(id).Status != order.StatusCancelled || w.sandbox.Stats().ChargesByReference[id] != 0 {
			t.Fatalf("saga %+v, order %s", s.History, w.order(id).Status)
		}
	})

	t.Run("a customer's cancellation stops the saga", func(t *testing.T) {
		w := w.with(t)
		if err := w.sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
			t.Fatal(err)
		}
		id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 3})
		deadline := time.Now().Add(10 * time.Second)
		for w.order(id).Status != order.StatusConfirmed && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "changed my mind", ByCustomer: true}, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.sandbox.SetControls(sandbox.Controls{}); err != nil {
			t.Fatal(err)
		}
		s := w.finished(id)
		if !s.Compensated || w.order(id).CancelReason != "changed my mind" {
			t.Fatalf("saga %+v, order cancelled for %q", s.History, w.order(id).CancelReason)
		}
		if st := w.stock("A").Reservations[id]; st.Status != inventory.StatusReleased {
			t.Fatalf("A's reservation for the order is %v, want released", st.Status)
		}
		if p := w.payment(id); p.Status == payment.StatusCaptured {
			t.Fatalf("a cancelled order's payment is captured and not refunded")
		}
	})
}

// TestCancellationRacingTheCapture cancels an order while its charge is in
// flight at a slow provider: the saga captures, cannot mark the order paid,
// and ends with the charge refunded and the order cancelled, never charged
// and cancelled.
func TestCancellationRacingTheCapture(t *testing.T) {
	w := newWorld(t, time.Minute)
	w.product("A", 1999, 10)
	if err := w.sandbox.SetControls(sandbox.Controls{LatencyMs: 400}); err != nil {
		t.Fatal(err)
	}
	id := w.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
	for deadline := time.Now().Add(10 * time.Second); w.payment(id).Status != payment.StatusRequested; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the saga never requested the payment")
		}
	}
	// The charge is on its way to the provider now.
	if _, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "too slow", ByCustomer: true}, nil); err != nil {
		t.Fatal(err)
	}
	s := w.finished(id)
	if !s.Compensated || w.order(id).Status != order.StatusCancelled {
		t.Fatalf("saga %+v, order %s", s.History, w.order(id).Status)
	}
	charged, refunded := w.sandbox.Stats().ChargesByReference[id], w.payment(id).Status == payment.StatusRefunded
	if charged > 1 || (charged == 1 && !refunded) {
		t.Fatalf("order cancelled with %d charges, payment %s: charged and not refunded", charged, w.payment(id).Status)
	}
	if charged == 0 {
		t.Fatal("the cancellation did not race the charge: it landed before the provider was called")
	}
}
