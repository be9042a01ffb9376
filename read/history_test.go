package read_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/order"
)

// historyQuery asks for an order's past, step by step.
const historyQuery = `query($id: ID!, $asOf: String) { order(id: $id) { history(asOf: $asOf) { truncated steps {
  position stream revision at
  event { id type data correlationId causationId }
  state { status revision lines { sku quantity unitPrice { amount currency } } total { amount currency }
    placedAt confirmedAt paidAt cancelledAt cancelReason cancelledByCustomer chargeId paidAmount { amount } }
  saga { state step done lastRecord { step outcome detail } chargeAttempted chargeId attempts lastError reason revision }
} } } }`

// pastStep is a step of a history as the API answers it.
type pastStep struct {
	Position, Stream, Revision, At string
	Event                          struct{ ID, Type, Data, CorrelationID, CausationID string }
	State                          struct {
		Status              *string
		Revision            string
		Lines               []struct{ SKU string }
		Total               *struct{ Amount, Currency string }
		PaidAt              *string
		ChargeID            *string
		PaidAmount          *struct{ Amount string }
		CancelledAt         *string
		CancelReason        *string
		CancelledByCustomer bool
	}
	Saga *struct {
		State, Step string
		Done        []string
		LastRecord  struct{ Step, Outcome, Detail string }
		ChargeID    *string
		Reason      *string
		Revision    string
	}
}

// history returns the steps of order id's history as the caller sees it,
// nil when the order is not there for the caller.
func (e *env) history(as, id string, asOf *string) []pastStep {
	e.t.Helper()
	vars := map[string]any{"id": id}
	if asOf != nil {
		vars["asOf"] = *asOf
	}
	var d struct {
		Order *struct {
			History struct {
				Truncated bool
				Steps     []pastStep
			}
		}
	}
	if err := json.Unmarshal(e.data(as, historyQuery, vars, e.fresh()...), &d); err != nil {
		e.t.Fatal(err)
	}
	if d.Order == nil {
		return nil
	}
	if d.Order.History.Truncated {
		e.t.Fatalf("the history of %s is truncated", id)
	}
	return d.Order.History.Steps
}

// summary is one line per step: the event, the order's status, the saga's
// state and next step, and what it recorded last.
func summary(steps []pastStep) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		status, saga := "-", "-"
		if s.State.Status != nil {
			status = *s.State.Status
		}
		if s.Saga != nil {
			saga = fmt.Sprintf("%s next=%s last=%s/%s", s.Saga.State, s.Saga.Step, s.Saga.LastRecord.Step, s.Saga.LastRecord.Outcome)
		}
		out[i] = fmt.Sprintf("%s %s | %s", s.Event.Type, status, saga)
	}
	return out
}

// sameSteps fails the test unless the summary of steps is want.
func sameSteps(t *testing.T, steps []pastStep, want []string) {
	t.Helper()
	got := summary(steps)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("history\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHistoryOfAPaidOrder(t *testing.T) {
	e := newEnv(t)
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout * 20)
	e.Product("A", "Product A", eur(1999), 10)
	e.Place("o-paid", "c-1", order.LineRequest{SKU: "A", Quantity: 2})
	saga.Finished("o-paid")
	steps := e.history(customer("c-1"), "o-paid", nil)
	sameSteps(t, steps, []string{
		"order.placed PENDING | -",
		"fulfillment.started PENDING | RUNNING next=reserve:A last=started/done",
		"order.confirmed CONFIRMED | RUNNING next=reserve:A last=started/done",
		"order.paid PAID | RUNNING next=reserve:A last=started/done",
		"fulfillment.step_recorded PAID | RUNNING next=confirm_order last=reserve:A/done",
		"fulfillment.step_recorded PAID | RUNNING next=request_payment last=confirm_order/done",
		"fulfillment.step_recorded PAID | RUNNING next=charge last=request_payment/done",
		"fulfillment.step_recorded PAID | RUNNING next=record_capture last=charge/done",
		"fulfillment.step_recorded PAID | RUNNING next=mark_paid last=record_capture/done",
		"fulfillment.step_recorded PAID | RUNNING next=schedule_shipment last=mark_paid/done",
		"fulfillment.step_recorded PAID | RUNNING next=completing last=schedule_shipment/done",
		"fulfillment.completed PAID | COMPLETED next=completed last=completed/done",
	})
	log := e.Log()
	for i, s := range steps {
		if i > 0 && s.Position <= steps[i-1].Position && len(s.Position) == len(steps[i-1].Position) {
			t.Fatalf("step %d at %s after %s", i, s.Position, steps[i-1].Position)
		}
		found := false
		for _, ev := range log {
			if ev.ID.String() == s.Event.ID {
				found = ev.Position.String() == s.Position && ev.Stream == s.Stream && fmt.Sprint(ev.Revision) == s.Revision &&
					string(ev.Data) == s.Event.Data && ev.Metadata.CorrelationID == s.Event.CorrelationID
			}
		}
		if !found {
			t.Fatalf("step %d is not the stored event: %+v", i, s)
		}
	}
	placed, last := steps[0].State, steps[len(steps)-1]
	if placed.Total == nil || *placed.Total != (struct{ Amount, Currency string }{"3998", "EUR"}) || len(placed.Lines) != 1 ||
		placed.Lines[0].SKU != "A" || placed.Revision != "0" || placed.PaidAt != nil || placed.ChargeID != nil {
		t.Fatalf("placed: %+v", placed)
	}
	final := last.State
	if final.Revision != "2" || final.PaidAt == nil || final.PaidAmount == nil || final.PaidAmount.Amount != "3998" ||
		final.ChargeID == nil || last.Saga.ChargeID == nil || *final.ChargeID != *last.Saga.ChargeID {
		t.Fatalf("paid: %+v, saga %+v", final, last.Saga)
	}
	wantDone := []string{"charge", "confirm_order", "mark_paid", "record_capture", "request_payment", "reserve:A", "schedule_shipment"}
	if strings.Join(last.Saga.Done, ",") != strings.Join(wantDone, ",") || last.Saga.Revision != "8" {
		t.Fatalf("saga done %v, revision %s", last.Saga.Done, last.Saga.Revision)
	}

	t.Run("as of a position", func(t *testing.T) {
		sameSteps(t, e.history(customer("c-1"), "o-paid", &steps[2].Position), []string{
			"order.placed PENDING | -",
			"fulfillment.started PENDING | RUNNING next=reserve:A last=started/done",
			"order.confirmed CONFIRMED | RUNNING next=reserve:A last=started/done",
		})
	})
	t.Run("an admin sees it", func(t *testing.T) {
		if got := e.history(admin, "o-paid", nil); len(got) != len(steps) {
			t.Fatalf("an admin sees %d steps, want %d", len(got), len(steps))
		}
	})
	t.Run("another customer does not", func(t *testing.T) {
		if got := e.history(customer("c-2"), "o-paid", nil); got != nil {
			t.Fatalf("customer c-2 sees %v", summary(got))
		}
	})
}

func TestHistoryOfADeclinedOrder(t *testing.T) {
	e := newEnv(t)
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout * 20)
	e.Product("D", "Product D", eur(1002), 10)
	e.Place("o-declined", "c-1", order.LineRequest{SKU: "D", Quantity: 1})
	saga.Finished("o-declined")
	steps := e.history(customer("c-1"), "o-declined", nil)
	sameSteps(t, steps, []string{
		"order.placed PENDING | -",
		"fulfillment.started PENDING | RUNNING next=reserve:D last=started/done",
		"order.confirmed CONFIRMED | RUNNING next=reserve:D last=started/done",
		"fulfillment.step_recorded CONFIRMED | RUNNING next=confirm_order last=reserve:D/done",
		"fulfillment.step_recorded CONFIRMED | RUNNING next=request_payment last=confirm_order/done",
		"fulfillment.step_recorded CONFIRMED | RUNNING next=charge last=request_payment/done",
		"fulfillment.step_recorded CONFIRMED | COMPENSATING next=refund last=charge/rejected",
		"order.cancelled CANCELLED | COMPENSATING next=refund last=charge/rejected",
		"fulfillment.step_recorded CANCELLED | COMPENSATING next=release:D last=refund/done",
		"fulfillment.step_recorded CANCELLED | COMPENSATING next=cancel_order last=release:D/done",
		"fulfillment.step_recorded CANCELLED | COMPENSATING next=compensated last=cancel_order/done",
		"fulfillment.compensated CANCELLED | COMPENSATED next=compensated last=compensated/done",
	})
	rejected := steps[6].Saga
	if rejected.Reason == nil || !strings.HasPrefix(*rejected.Reason, "charge: ") || rejected.LastRecord.Detail == "" ||
		!strings.HasPrefix(*rejected.Reason, "charge: "+rejected.LastRecord.Detail) {
		t.Fatalf("the saga decided to compensate for %v, recording %+v", rejected.Reason, rejected.LastRecord)
	}
	cancelled := steps[7].State
	if cancelled.CancelReason == nil || *cancelled.CancelReason == "" || cancelled.CancelledByCustomer || cancelled.CancelledAt == nil || cancelled.PaidAt != nil {
		t.Fatalf("cancelled by the saga: %+v", cancelled)
	}
}

func TestHistoryOfACancelledOrder(t *testing.T) {
	e := newEnv(t)
	e.Product("A", "Product A", eur(1999), 10)
	e.Place("o-cancelled", "c-1", order.LineRequest{SKU: "A", Quantity: 1})
	e.Order("o-cancelled", order.Confirm{})
	e.Order("o-cancelled", order.Cancel{Reason: "changed my mind", ByCustomer: true})
	steps := e.history(customer("c-1"), "o-cancelled", nil)
	sameSteps(t, steps, []string{
		"order.placed PENDING | -",
		"order.confirmed CONFIRMED | -",
		"order.cancelled CANCELLED | -",
	})
	final := steps[2].State
	if final.CancelReason == nil || *final.CancelReason != "changed my mind" || !final.CancelledByCustomer || final.CancelledAt == nil ||
		final.Revision != "2" || steps[1].State.CancelledAt != nil {
		t.Fatalf("cancelled: %+v, before %+v", final, steps[1].State)
	}

	t.Run("bad asOf", func(t *testing.T) {
		r := e.do(customer("c-1"), request{Query: historyQuery, Variables: map[string]any{"id": "o-cancelled", "asOf": "yesterday"}})
		g := r.gql(t)
		if len(g.Errors) != 1 || g.Errors[0]["extensions"].(map[string]any)["code"] != "INVALID_ARGUMENT" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("at most five histories a request", func(t *testing.T) {
		for i := range 5 {
			e.Place(fmt.Sprintf("o-more-%d", i), "c-1", order.LineRequest{SKU: "A", Quantity: 1})
		}
		r := e.do(admin, request{Query: `{ orders(first: 10) { edges { node { id history { truncated } } } } }`}, e.fresh()...)
		g := r.gql(t)
		codes := map[any]int{}
		for _, err := range g.Errors {
			codes[err["extensions"].(map[string]any)["code"]]++
		}
		if r.status != 200 || len(codes) != 1 || codes["HISTORY_LIMIT_EXCEEDED"] != 1 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}
