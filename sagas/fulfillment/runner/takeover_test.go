package runner_test

import (
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
)

// TestCrashedRunnerTakenOver kills one of two runners, leases and all, as
// a crash would, while orders keep arriving: the other takes over its
// partitions (and the intake, if it had it) within a few seconds, and every
// saga ends as one runner alone would have ended it, none charged twice.
func TestCrashedRunnerTakenOver(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	w.product("A", 1999, 1000)
	w.product("D", 1002, 1000) // the sandbox declines amounts ending in 02
	a := w.spawn("a", nil, crashes)
	b := w.spawn("b", nil)
	waitFor(t, 10*time.Second, "the partitions split between the runners", func() bool { return split(a, b) && len(a.Owned()) > 0 })
	if !a.OwnsIntake() {
		t.Log("b follows the order events; a only drives sagas")
	}

	// Each kind of order ends one way whoever drives it.
	const orders = 48
	type kind int
	const (
		paid kind = iota
		declined
		unserved
	)
	kindOf := func(i int) kind { return kind(i % 4 % 3) }
	ids := make([]string, orders)
	var (
		placing  sync.WaitGroup
		placeErr error
	)
	halfway := make(chan struct{})
	placing.Go(func() {
		for i := range ids {
			if i == orders/2 {
				close(halfway)
			}
			id, country, sku := uuid.NewString(), "DE", "A"
			switch kindOf(i) {
			case declined:
				sku = "D"
			case unserved:
				country = "US"
			}
			if placeErr = w.placeID(id, country, order.LineRequest{SKU: sku, Quantity: 1}); placeErr != nil {
				return
			}
			ids[i] = id
			time.Sleep(30 * time.Millisecond)
		}
	})
	<-halfway
	crashed := time.Now()
	a.halt()
	waitFor(t, 10*time.Second, "b to take over", func() bool { return len(b.Owned()) == testPartitions && b.OwnsIntake() })
	took := time.Since(crashed)
	placing.Wait()
	if placeErr != nil {
		t.Fatal(placeErr)
	}
	if took > 3*testLeaseTTL {
		t.Errorf("b took over %s after a crashed; the lease's TTL is %s", took, testLeaseTTL)
	}

	for i, id := range ids {
		s := w.finished(id)
		o, p := w.order(id), w.payment(id)
		charged := w.sandbox.Stats().ChargesByReference[id]
		switch kindOf(i) {
		case paid:
			if !s.Completed || o.Status != order.StatusPaid || p.Status != payment.StatusCaptured || charged != 1 {
				t.Fatalf("order %s: saga %+v, order %s, payment %s, %d charges; want completed, paid, captured, charged once", id, s.History, o.Status, p.Status, charged)
			}
		case declined:
			if !s.Compensated || o.Status != order.StatusCancelled || p.Status != payment.StatusFailed || charged != 0 {
				t.Fatalf("order %s: saga %+v, order %s, payment %s, %d charges; want compensated, cancelled, failed, never charged", id, s.History, o.Status, p.Status, charged)
			}
		case unserved:
			if !s.Compensated || o.Status != order.StatusCancelled || p.Status != payment.StatusRefunded || charged != 1 {
				t.Fatalf("order %s: saga %+v, order %s, payment %s, %d charges; want compensated, cancelled, refunded, charged once", id, s.History, o.Status, p.Status, charged)
			}
		}
		if ev := w.sagaEvents(id); ev[fulfillment.TypeCompleted]+ev[fulfillment.TypeCompensated] != 1 {
			t.Fatalf("saga %s ended %d times", id, ev[fulfillment.TypeCompleted]+ev[fulfillment.TypeCompensated])
		}
	}
	var paidOrders int64
	for i := range ids {
		if kindOf(i) == paid {
			paidOrders++
		}
	}
	if st := w.stock("A"); st.Reserved != paidOrders {
		t.Fatalf("A: %d reserved, want %d (the paid orders')", st.Reserved, paidOrders)
	}
	if st := w.stock("D"); st.Reserved != 0 {
		t.Fatalf("D: %d still reserved after every payment was declined", st.Reserved)
	}
	t.Logf("b took over %s after a crashed; a finished %d sagas, b %d", took, a.seen.finished.Load(), b.seen.finished.Load())
}

// TestStalledRunnerIsFenced pauses one of two runners, its lease renewals
// and one of its drivers in the middle of a charge, past the lease's TTL:
// the other takes its partitions over and finishes the saga; the paused
// driver's charge, sent on late, is absorbed by its idempotency key, and
// the paused runner records nothing, that step least of all. Resumed, it
// gets its share of the partitions back.
func TestStalledRunnerIsFenced(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	w.product("A", 1999, 1000)
	pay := newGatedPayments(w.cfg.Payments)
	paused := newStall()
	ends := newDriveEnds(runner.ErrLeaseLost)
	a := w.spawn("a", func(cfg *runner.Config) {
		cfg.Payments = pay
		cfg.Logger = slog.New(ends)
	}, func(r *runner.Runner) { runner.SetBeforeLeaseTick(r, paused.hook) })
	b := w.spawn("b", nil)
	waitFor(t, 10*time.Second, "the partitions split between the runners", func() bool { return split(a, b) && len(a.Owned()) > 0 })

	id := orderIn(a.Owned())
	ends.watch(id)
	pay.armed.Store(true)
	if err := w.placeID(id, "DE", order.LineRequest{SKU: "A", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pay.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("a never charged the order")
	}
	// a's driver is inside the charge, the steps before it not yet
	// recorded; now a stops renewing its leases too.
	paused.on.Store(true)
	stalled := time.Now()
	// (The intake's lease is the projections runtime's, not the keeper's:
	// its takeover is the runtime's, tested in package projections.)
	waitFor(t, 3*testLeaseTTL, "a to give up its partitions", func() bool { return len(a.Owned()) == 0 })
	gaveUp := time.Since(stalled)
	waitFor(t, 10*time.Second, "b to take over", func() bool { return len(b.Owned()) == testPartitions })
	took := time.Since(stalled)
	if took > 3*testLeaseTTL {
		t.Errorf("b took over %s after a stalled; the lease's TTL is %s", took, testLeaseTTL)
	}
	recordedByA := a.seen.records()

	s := w.finished(id)
	if !s.Completed {
		t.Fatalf("saga %s: %+v, want completed", id, s.History)
	}
	replays := w.sandbox.Stats().Replays
	close(pay.release) // the charge a had in flight reaches the provider
	<-pay.returned
	select {
	case err := <-ends.ended:
		t.Logf("a's late drive: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("a's stalled drive did not end with its lease lost")
	}
	if got := w.sandbox.Stats().Replays; got <= replays {
		t.Fatal("a's late charge never reached the provider")
	}
	if got := a.seen.records(); got != recordedByA {
		t.Fatalf("a recorded %d events after it lost its leases", got-recordedByA)
	}
	ev := w.sagaEvents(id)
	if ev["charge/done"] != 1 || ev[fulfillment.TypeCompleted] != 1 {
		t.Fatalf("saga %s has %d charges and %d completions recorded, want one each: %v", id, ev["charge/done"], ev[fulfillment.TypeCompleted], ev)
	}
	if n := w.sandbox.Stats().ChargesByReference[id]; n != 1 {
		t.Fatalf("order %s charged %d times", id, n)
	}
	if r := w.stock("A").Reservations[id]; r.Quantity != 1 || r.Status != inventory.StatusActive {
		t.Fatalf("the order's reservation: %+v", r)
	}

	paused.resume()
	waitFor(t, 10*time.Second, "the partitions to split again", func() bool { return split(a, b) && len(a.Owned()) > 0 })
	more := orderIn(a.Owned())
	if err := w.placeID(more, "DE", order.LineRequest{SKU: "A", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	if s := w.finished(more); !s.Completed || !slices.Contains(a.Owned(), runner.PartitionOf(more, testPartitions)) {
		t.Fatalf("after a resumed: saga %+v; a owns %v", s.History, a.Owned())
	}
	t.Logf("a gave up its partitions %s after it stalled, b owned them %s after", gaveUp, took)
}
