package runner_test

import (
	"errors"
	"slices"
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
			var caused []eventstore.RecordedEvent // every event of the order outside the saga's stream
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
					if stream != fulfillment.StreamID(id) {
						caused = append(caused, e)
					}
				}
			}
			if n < 8 {
				t.Fatalf("only %d events checked", n)
			}

			// Each saga event names its cause: the placement for its start,
			// for a step's record the saga's event after which the step ran,
			// else the saga's event before it. What a step's command wrote
			// names the command, and lies between the two.
			events, err := w.cfg.Store.ReadStream(w.ctx, fulfillment.StreamID(id), eventstore.ReadOptions{Count: 1000})
			if err != nil {
				t.Fatal(err)
			}
			placed, err := w.cfg.Store.ReadStream(w.ctx, "order-"+id, eventstore.ReadOptions{Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			steps := 0
			for i, e := range events {
				want := placed[0].ID.String()
				if i > 0 {
					want = events[i-1].ID.String()
				}
				if e.Type != fulfillment.TypeStepRecorded {
					if e.Metadata.CausationID != want {
						t.Errorf("saga event %d %s: causation id %q, want %q", i, e.Type, e.Metadata.CausationID, want)
					}
					continue
				}
				steps++
				ev, err := fulfillment.Decode(e.Type, e.Data)
				if err != nil {
					t.Fatal(err)
				}
				step := ev.(fulfillment.StepRecorded).Step
				j := slices.IndexFunc(events[:i], func(c eventstore.RecordedEvent) bool { return c.ID.String() == e.Metadata.CausationID })
				if j < 0 {
					t.Errorf("record %d of step %s: causation id %q is no earlier saga event", i, step, e.Metadata.CausationID)
					continue
				}
				command := fulfillment.StepCommandID(id, step)
				for _, c := range caused {
					if c.Metadata.CausationID == command && (!events[j].Position.Less(c.Position) || !c.Position.Less(e.Position)) {
						t.Errorf("%s %s by step %s at %s: not between the step's cause at %s and its record at %s", c.Stream, c.Type, step, c.Position, events[j].Position, e.Position)
					}
				}
			}
			if steps < 3 {
				t.Fatalf("only %d step records checked", steps)
			}
		})
	}
}
