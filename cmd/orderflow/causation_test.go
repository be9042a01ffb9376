package main

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// accepted is the part of a command's 202 answer the causation test reads.
type accepted struct {
	OrderID   string
	CommandID string
}

// causedEntry is a timeline entry with what caused it.
type causedEntry struct {
	Type        string
	Stream      string
	EventID     string
	CausationID string
	CausedBy    struct {
		Kind string
		ID   string
		Type *string
		Step *string
	}
}

// sagaRecord is a record of a saga's history with its ids.
type sagaRecord struct {
	Step        string
	Outcome     string
	EventID     string
	CommandID   *string
	CausationID string
}

// orderCauses is an order's timeline and its saga's history.
type orderCauses struct {
	Order *struct {
		Timeline    []causedEntry
		Fulfillment *struct {
			State   string
			History []sagaRecord
		}
	}
}

const causesQuery = `query($id: ID!) { order(id: $id) {
	timeline { type stream eventId causationId causedBy { kind id type step } }
	fulfillment { state history { step outcome eventId commandId causationId } }
} }`

// TestEveryCauseResolves runs a paid and delivered order and a declined,
// compensated one through the whole system and follows every causation id
// of their timelines: each names an earlier entry of the same timeline, a
// command the command API answered with, or the command of a saga step
// whose records the saga's history shows, with what made the saga take
// the step; and each chain ends at the commands the client sent.
func TestEveryCauseResolves(t *testing.T) {
	s := startSystem(t, dbtest.New(t), nil)
	for sku, price := range map[string]int{"SKU-OK": 1999, "SKU-DECLINE": 1002} { // the sandbox declines amounts ending in 02
		s.call(t, http.MethodPost, "/api/v1/products", s.admin, map[string]any{"sku": sku, "name": sku, "price": map[string]any{"amount": price, "currency": "EUR"}}, http.StatusAccepted, nil)
		s.call(t, http.MethodPost, "/api/v1/products/"+sku+"/stock", s.admin, map[string]any{"quantity": 5}, http.StatusAccepted, nil)
	}
	place := func(sku string) accepted {
		var a accepted
		s.call(t, http.MethodPost, "/api/v1/orders", s.customer, map[string]any{
			"lines":           []map[string]any{{"sku": sku, "quantity": 1}},
			"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
		}, http.StatusAccepted, &a)
		if a.OrderID == "" || a.CommandID == "" {
			t.Fatalf("the 202 of placing an order: %+v", a)
		}
		return a
	}
	// until polls the order's timeline and saga until done says they are
	// complete.
	until := func(id, what string, done func(orderCauses) bool) orderCauses {
		var got orderCauses
		eventually(t, 60*time.Second, what, func() bool {
			got = orderCauses{}
			errs := s.tryGraphQL(t, s.admin, causesQuery, map[string]any{"id": id}, &got)
			return len(errs) == 0 && got.Order != nil && done(got)
		})
		return got
	}
	last := func(c orderCauses) string {
		if len(c.Order.Timeline) == 0 {
			return ""
		}
		return c.Order.Timeline[len(c.Order.Timeline)-1].Type
	}

	t.Run("paid, shipped and delivered", func(t *testing.T) {
		placed := place("SKU-OK")
		id := placed.OrderID
		until(id, "the saga to complete", func(c orderCauses) bool {
			return c.Order.Fulfillment != nil && c.Order.Fulfillment.State == "COMPLETED"
		})
		var dispatched, delivered accepted
		s.call(t, http.MethodPost, "/api/v1/shipments/"+id+"/dispatched", s.admin, map[string]any{"trackingNumber": "TRK-1"}, http.StatusAccepted, &dispatched)
		s.call(t, http.MethodPost, "/api/v1/shipments/"+id+"/delivered", s.admin, map[string]any{}, http.StatusAccepted, &delivered)
		got := until(id, "the delivery in the timeline", func(c orderCauses) bool {
			return last(c) == "order.delivered" && slices.ContainsFunc(c.Order.Timeline, func(e causedEntry) bool { return e.Type == "fulfillment.completed" })
		})
		commands := map[string]string{placed.CommandID: "place", dispatched.CommandID: "dispatched", delivered.CommandID: "delivered"}
		roots := checkCauses(t, id, got, commands)
		want := map[string][]string{
			"place": {"order.placed", "fulfillment.started", "inventory.stock_reserved", "order.confirmed", "payment.requested",
				"payment.captured", "order.paid", "shipping.shipment_scheduled", "fulfillment.step_recorded", "fulfillment.completed"},
			"dispatched": {"shipping.shipment_dispatched", "inventory.stock_shipped", "order.shipped"},
			"delivered":  {"shipping.shipment_delivered", "order.delivered"},
		}
		checkRoots(t, roots, want)
	})

	t.Run("declined and compensated", func(t *testing.T) {
		placed := place("SKU-DECLINE")
		id := placed.OrderID
		got := until(id, "the saga to compensate", func(c orderCauses) bool {
			return c.Order.Fulfillment != nil && c.Order.Fulfillment.State == "COMPENSATED" && last(c) == "fulfillment.compensated"
		})
		roots := checkCauses(t, id, got, map[string]string{placed.CommandID: "place"})
		want := map[string][]string{
			"place": {"order.placed", "fulfillment.started", "inventory.stock_reserved", "order.confirmed", "payment.requested",
				"payment.failed", "fulfillment.step_recorded", "inventory.reservation_released",
				"order.cancelled", "fulfillment.compensated"},
		}
		checkRoots(t, roots, want)
	})
}

// TestEveryCauseResolvesAfterACancellation: the customer cancels an order
// whose charge waits for the provider; the saga's compensation leads back
// to the cancellation, and everything before it to the placement.
func TestEveryCauseResolvesAfterACancellation(t *testing.T) {
	s := startSystem(t, dbtest.New(t), nil)
	s.call(t, http.MethodPost, "/api/v1/products", s.admin, map[string]any{"sku": "SKU-1", "name": "One", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	s.call(t, http.MethodPost, "/api/v1/products/SKU-1/stock", s.admin, map[string]any{"quantity": 5}, http.StatusAccepted, nil)
	if err := s.sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
		t.Fatal(err)
	}
	var placed, cancelled accepted
	s.call(t, http.MethodPost, "/api/v1/orders", s.customer, map[string]any{
		"lines":           []map[string]any{{"sku": "SKU-1", "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	}, http.StatusAccepted, &placed)
	id := placed.OrderID
	var got orderCauses
	poll := func(what string, timeout time.Duration, done func() bool) {
		eventually(t, timeout, what, func() bool {
			got = orderCauses{}
			errs := s.tryGraphQL(t, s.admin, causesQuery, map[string]any{"id": id}, &got)
			return len(errs) == 0 && got.Order != nil && got.Order.Fulfillment != nil && done()
		})
	}
	poll("the charge to be parked", 60*time.Second, func() bool {
		return slices.ContainsFunc(got.Order.Fulfillment.History, func(r sagaRecord) bool { return r.Step == "charge" && r.Outcome == "parked" })
	})
	s.call(t, http.MethodPost, "/api/v1/orders/"+id+"/cancel", s.customer, map[string]any{"reason": "changed my mind"}, http.StatusAccepted, &cancelled)
	if err := s.sandbox.SetControls(sandbox.Controls{}); err != nil {
		t.Fatal(err)
	}
	// The provider's circuit stays open a while and the saga's retries
	// back off: this takes tens of seconds.
	poll("the saga to compensate", 120*time.Second, func() bool {
		tl := got.Order.Timeline
		return got.Order.Fulfillment.State == "COMPENSATED" && len(tl) > 0 && tl[len(tl)-1].Type == "fulfillment.compensated"
	})
	roots := checkCauses(t, id, got, map[string]string{placed.CommandID: "place", cancelled.CommandID: "cancel"})
	checkRoots(t, roots, map[string][]string{
		"place": {"order.placed", "fulfillment.started", "inventory.stock_reserved", "order.confirmed", "payment.requested", "fulfillment.step_recorded"},
		"cancel": {"order.cancelled", "fulfillment.cancel_requested", "fulfillment.step_recorded", "inventory.reservation_released",
			"fulfillment.compensated"},
	})
}

// checkCauses follows every causation id of the timeline of order id:
// each must resolve, and causedBy must say exactly how, to an earlier entry
// (EVENT), to one of commands, the ids the command API answered with
// (COMMAND without a step), or to the command of a saga step whose records
// the history shows (COMMAND with that step), whose records' own cause is
// an entry before everything the command wrote. It returns, for each
// command of commands, the types of the entries whose chain of causes ends
// at it.
func checkCauses(t *testing.T, id string, got orderCauses, commands map[string]string) map[string][]string {
	t.Helper()
	timeline := got.Order.Timeline
	history := got.Order.Fulfillment.History
	at := map[string]int{} // event id -> index in the timeline
	for i, e := range timeline {
		if _, dup := at[e.EventID]; dup || e.EventID == "" {
			t.Fatalf("entry %d %s: event id %q is empty or not unique", i, e.Type, e.EventID)
		}
		at[e.EventID] = i
	}
	steps := map[string][]sagaRecord{} // command id -> the records of its step
	for _, r := range history {
		i, ok := at[r.EventID]
		if !ok || timeline[i].Stream != "fulfillment-"+id {
			t.Fatalf("history record %s %s: event id %q is no saga event of the timeline", r.Step, r.Outcome, r.EventID)
		}
		if timeline[i].CausationID != r.CausationID {
			t.Errorf("history record %s: causation id %q, its timeline entry says %q", r.Step, r.CausationID, timeline[i].CausationID)
		}
		if j, ok := at[r.CausationID]; !ok || j >= i {
			t.Errorf("history record %s %s: cause %q is no earlier entry of the timeline", r.Step, r.Outcome, r.CausationID)
		}
		isStep := !slices.Contains([]string{"started", "cancel_requested", "compensation_started", "completed", "compensated"}, r.Step)
		switch {
		case isStep && (r.CommandID == nil || *r.CommandID != "fulfillment/"+id+"/"+r.Step):
			t.Errorf("history record of step %s: command id %v, want fulfillment/%s/%s", r.Step, r.CommandID, id, r.Step)
		case !isStep && r.CommandID != nil:
			t.Errorf("history record %s: command id %q, want none", r.Step, *r.CommandID)
		case isStep:
			steps[*r.CommandID] = append(steps[*r.CommandID], r)
		}
	}

	roots := map[string][]string{}
	for i, e := range timeline {
		c := e.CausedBy
		if c.ID != e.CausationID {
			t.Errorf("entry %d %s: causedBy.id %q, causationId %q", i, e.Type, c.ID, e.CausationID)
		}
		j, isEvent := at[e.CausationID]
		records, isStep := steps[e.CausationID]
		_, isCommand := commands[e.CausationID]
		switch {
		case isEvent && j < i:
			if c.Kind != "EVENT" || c.Type == nil || *c.Type != timeline[j].Type || c.Step != nil {
				t.Errorf("entry %d %s: caused by entry %d %s, causedBy says %+v", i, e.Type, j, timeline[j].Type, c)
			}
		case isCommand:
			if c.Kind != "COMMAND" || c.Type != nil || c.Step != nil {
				t.Errorf("entry %d %s: caused by the API command %s, causedBy says %+v", i, e.Type, e.CausationID, c)
			}
		case isStep:
			if c.Kind != "COMMAND" || c.Type != nil || c.Step == nil || *c.Step != records[0].Step {
				t.Errorf("entry %d %s: caused by the command of step %s, causedBy says %+v", i, e.Type, records[0].Step, c)
			}
			// The run of the step that wrote this, recorded after it,
			// was caused by an entry before it.
			if r, ok := runOf(records, at, i); !ok || at[r.CausationID] >= i {
				t.Errorf("entry %d %s by step %s: no record of the step after it whose cause is before it: %+v", i, e.Type, records[0].Step, records)
			}
		default:
			t.Fatalf("entry %d %s: causation id %q resolves to nothing shown (causedBy %+v)", i, e.Type, e.CausationID, c)
		}

		// Follow the chain back to a command the client sent.
		cause, seen := e.CausationID, 0
		for {
			if name, ok := commands[cause]; ok {
				if !slices.Contains(roots[name], e.Type) {
					roots[name] = append(roots[name], e.Type)
				}
				break
			}
			if records, ok := steps[cause]; ok {
				r, _ := runOf(records, at, i)
				cause = r.CausationID
			} else if k, ok := at[cause]; ok {
				cause = timeline[k].CausationID
			} else {
				t.Fatalf("entry %d %s: its chain of causes breaks at %q", i, e.Type, cause)
			}
			if seen++; seen > len(timeline) {
				t.Fatalf("entry %d %s: its chain of causes loops", i, e.Type)
			}
		}
	}
	if len(steps) < 4 {
		t.Fatalf("only %d saga steps' commands in the history: %+v", len(steps), history)
	}
	if timeline[0].Type != "order.placed" || timeline[0].CausedBy.Kind != "COMMAND" {
		t.Fatalf("the timeline begins with %+v, want order.placed caused by a command", timeline[0])
	}
	return roots
}

// runOf returns the record of the run of a step that wrote entry i: the
// step's first record after it.
func runOf(records []sagaRecord, at map[string]int, i int) (sagaRecord, bool) {
	for _, r := range records {
		if at[r.EventID] > i {
			return r, true
		}
	}
	return sagaRecord{}, false
}

// checkRoots compares the event types each command's chains end at with
// want, in any order.
func checkRoots(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for name := range want {
		g, w := slices.Clone(got[name]), slices.Clone(want[name])
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("entries whose causes lead back to the %s command:\n got %q\nwant %q", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("entries lead back to the %s command, which should have caused nothing: %q", name, got[name])
		}
	}
}
