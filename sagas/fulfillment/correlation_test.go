package fulfillment_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
)

// TestSagaEventsCarryCorrelationAndCausation: every event a saga causes,
// on the way to completion and through a compensation alike, carries the
// correlation id of the request that placed the order, so that one id
// finds the whole flow; and each of the saga's own events names its cause.
func TestSagaEventsCarryCorrelationAndCausation(t *testing.T) {
	w := newWorld(t, 2*time.Second)
	w.product("A", 1999, 10)
	w.product("D", 1002, 10) // the sandbox declines amounts ending in 02
	for _, tc := range []struct {
		name, sku string
		completed bool
	}{{"completed", "A", true}, {"compensated", "D", false}} {
		t.Run(tc.name, func(t *testing.T) {
			corr := "req-" + tc.name
			id, err := w.placeWith(command.Meta{CorrelationID: corr}, "DE", order.LineRequest{SKU: tc.sku, Quantity: 1})
			if err != nil {
				t.Fatal(err)
			}
			if s := w.finished(id); s.Completed != tc.completed {
				t.Fatalf("saga completed %v, want %v: %+v", s.Completed, tc.completed, s.History)
			}
			n := 0
			for _, stream := range []string{"order-" + id, "payment-" + id, "shipment-" + id, "fulfillment-" + id, "inventory-" + tc.sku} {
				events, err := w.cfg.Store.ReadStream(w.ctx, stream, eventstore.ReadOptions{Count: 1000})
				if errors.Is(err, eventstore.ErrStreamNotFound) && !tc.completed {
					continue // no shipment was scheduled
				}
				if err != nil {
					t.Fatalf("%s: %v", stream, err)
				}
				for _, e := range events {
					if strings.HasPrefix(stream, "inventory-") && !strings.Contains(e.Metadata.CausationID, id) {
						continue // another order's reservation, or the catalog's
					}
					n++
					if e.Metadata.CorrelationID != corr {
						t.Errorf("%s %s: correlation id %q, want %q", stream, e.Type, e.Metadata.CorrelationID, corr)
					}
				}
			}
			if n < 8 {
				t.Fatalf("only %d events checked", n)
			}

			// Each saga event names its cause: the placement for its start,
			// the step's command for a step's record, else the saga's event
			// before it.
			events, err := w.cfg.Store.ReadStream(w.ctx, fulfillment.StreamID(id), eventstore.ReadOptions{Count: 1000})
			if err != nil {
				t.Fatal(err)
			}
			placed, err := w.cfg.Store.ReadStream(w.ctx, "order-"+id, eventstore.ReadOptions{Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range events {
				want := placed[0].ID.String()
				if i > 0 {
					want = events[i-1].ID.String()
				}
				if e.Type == fulfillment.TypeStepRecorded {
					ev, err := fulfillment.Decode(e.Type, e.Data)
					if err != nil {
						t.Fatal(err)
					}
					want = "fulfillment/" + id + "/" + ev.(fulfillment.StepRecorded).Step
				}
				if e.Metadata.CausationID != want {
					t.Errorf("saga event %d %s: causation id %q, want %q", i, e.Type, e.Metadata.CausationID, want)
				}
			}
		})
	}
}
