package runner_test

import (
	"slices"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
)

// TestStepRecordsNameWhatTheyRanAfter: the customer cancels while the
// saga's charge is at the provider, so the saga records its steps on top
// of the cancellation. Those steps ran after the saga's start, not after
// the cancellation, and their records say so.
func TestStepRecordsNameWhatTheyRanAfter(t *testing.T) {
	w := newIdleWorld(t, time.Minute, 0)
	w.product("C", 1999, 10)
	// The provider answers in 600 ms (the client's timeout is 1 s): the
	// time the test has to cancel while the charge is in flight.
	if err := w.sandbox.SetControls(sandbox.Controls{LatencyMs: 600}); err != nil {
		t.Fatal(err)
	}
	r := runner.New(w.cfg)
	first := func(stream string) eventstore.RecordedEvent {
		t.Helper()
		events, err := w.cfg.Store.ReadStream(w.ctx, stream, eventstore.ReadOptions{Count: 1})
		if err != nil || len(events) == 0 {
			t.Fatalf("%s: %v", stream, err)
		}
		return events[0]
	}
	for attempt := 1; ; attempt++ {
		id := w.place("DE", order.LineRequest{SKU: "C", Quantity: 1})
		if _, err := r.Handle(w.ctx, first(order.StreamID(id))); err != nil {
			t.Fatal(err)
		}
		drove := make(chan error, 1)
		go func() { drove <- runner.DriveUnfenced(w.ctx, r, id) }()
		// request_payment is the step before the charge.
		for {
			if _, err := w.cfg.Store.ReadStream(w.ctx, payment.StreamID(id), eventstore.ReadOptions{Count: 1}); err == nil {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		res, err := w.svc.Order(w.ctx, command.Meta{}, id, order.Cancel{Reason: "changed my mind", ByCustomer: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cancelled, err := readAt(w, order.StreamID(id), uint64(res.Revision))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Handle(w.ctx, cancelled); err != nil {
			t.Fatal(err)
		}
		if err := <-drove; err != nil {
			t.Fatal(err)
		}
		for !w.saga(id).Finished() {
			if err := runner.DriveUnfenced(w.ctx, r, id); err != nil {
				t.Fatal(err)
			}
		}

		events, err := w.cfg.Store.ReadStream(w.ctx, fulfillment.StreamID(id), eventstore.ReadOptions{Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if events[1].Type != fulfillment.TypeCancelRequested {
			// The charge came back before the cancellation was recorded.
			if attempt < 3 {
				continue
			}
			t.Fatalf("the cancellation never reached the saga while its charge was in flight: %v", eventTypes(events))
		}
		started := events[0].ID.String()
		var forward []fulfillment.Step
		for _, e := range events[2:] {
			if e.Type != fulfillment.TypeStepRecorded {
				continue
			}
			ev, err := fulfillment.Decode(e.Type, e.Data)
			if err != nil {
				t.Fatal(err)
			}
			step := ev.(fulfillment.StepRecorded).Step
			if !slices.Contains([]fulfillment.Step{fulfillment.ReserveStep("C"), {Kind: fulfillment.StepConfirm}, {Kind: fulfillment.StepRequestPayment}, {Kind: fulfillment.StepCharge}}, step) {
				continue
			}
			forward = append(forward, step)
			if e.Metadata.CausationID != started {
				t.Errorf("the record of %s names %q as its cause, want the start %s (the cancellation is %s)", step, e.Metadata.CausationID, started, events[1].ID)
			}
		}
		if len(forward) != 4 {
			t.Fatalf("records of the forward steps after the cancellation: %q, want 4: %v", forward, eventTypes(events))
		}
		return
	}
}

// readAt reads the event of stream at revision rev.
func readAt(w *world, stream string, rev uint64) (eventstore.RecordedEvent, error) {
	events, err := w.cfg.Store.ReadStream(w.ctx, stream, eventstore.ReadOptions{From: rev, Count: 1})
	if err != nil {
		return eventstore.RecordedEvent{}, err
	}
	return events[0], nil
}

// eventTypes lists the types of events.
func eventTypes(events []eventstore.RecordedEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}
