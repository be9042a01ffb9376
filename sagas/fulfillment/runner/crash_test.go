package runner_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
)

// TestFulfillmentSurvivesCrashes places orders of every kind while the
// saga runner is killed and restarted at random moments, mid-command and
// mid-save alike. Every saga must still end, no order may be charged twice,
// and once the completed orders are dispatched every unit reserved is
// either released or shipped.
func TestFulfillmentSurvivesCrashes(t *testing.T) {
	w := newWorld(t, time.Minute)
	w.product("A", 1999, 1000)
	w.product("B", 500, 12)
	w.product("D", 1002, 1000)

	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	var (
		ids      []string
		placeErr error
	)
	placed := make(chan struct{})
	placer := rand.New(rand.NewPCG(8, uint64(time.Now().UnixNano())))
	go func() {
		defer close(placed)
		for i := range 40 {
			country := "DE"
			lines := []order.LineRequest{{SKU: "A", Quantity: 1 + i%3}}
			switch i % 5 {
			case 1:
				lines = append(lines, order.LineRequest{SKU: "B", Quantity: 2}) // B runs out
			case 2:
				lines = []order.LineRequest{{SKU: "D", Quantity: 1}} // declined
			case 3:
				country = "US" // not served
			}
			id, err := w.tryPlace(country, lines...)
			if err != nil {
				placeErr = err
				return
			}
			ids = append(ids, id)
			time.Sleep(time.Duration(placer.IntN(15)) * time.Millisecond)
		}
	}()
	for range 30 {
		time.Sleep(time.Duration(10+rng.IntN(60)) * time.Millisecond)
		w.stop()
		w.start()
	}
	<-placed
	if placeErr != nil {
		t.Fatal(placeErr)
	}

	// Every saga ends before any parcel is dispatched: dispatching while
	// other sagas still reserve and release the same SKUs would only test
	// how a hot inventory stream sheds conflicting writers.
	var completed, compensated int
	var done []string
	for _, id := range ids {
		s := w.finished(id)
		o, p := w.order(id), w.payment(id)
		switch {
		case s.Completed:
			completed++
			if o.Status != order.StatusPaid || p.Status != payment.StatusCaptured {
				t.Fatalf("completed saga %s: order %s, payment %s", id, o.Status, p.Status)
			}
			done = append(done, id)
		case s.Compensated:
			compensated++
			if o.Status != order.StatusCancelled || p.Status == payment.StatusCaptured {
				t.Fatalf("compensated saga %s: order %s, payment %s (history %+v)", id, o.Status, p.Status, s.History)
			}
		}
		if n := w.sandbox.Stats().ChargesByReference[id]; n > 1 {
			t.Fatalf("order %s was charged %d times", id, n)
		}
	}
	for _, id := range done {
		if _, err := w.svc.Dispatched(w.ctx, command.Meta{IdempotencyKey: "dispatch-" + id}, id, "TRK-"+id[:8]); err != nil {
			t.Fatalf("dispatch %s: %v", id, err)
		}
	}
	if completed == 0 || compensated == 0 {
		t.Fatalf("%d completed, %d compensated: the mix should give both", completed, compensated)
	}
	for _, sku := range []string{"A", "B", "D"} {
		st := w.stock(sku)
		var reserved, released, shipped int64
		for _, r := range st.Reservations {
			reserved += r.Quantity
			switch r.Status {
			case inventory.StatusReleased:
				released += r.Quantity
			case inventory.StatusShipped:
				shipped += r.Quantity
			}
		}
		if reserved-released != shipped || st.Reserved != 0 {
			t.Fatalf("%s: reserved %d, released %d, shipped %d, still reserved %d", sku, reserved, released, shipped, st.Reserved)
		}
	}
	t.Logf("%d sagas completed, %d compensated, across 30 crashes", completed, compensated)
}
