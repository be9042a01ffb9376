package fulfillment_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

var (
	t0       = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	deadline = t0.Add(time.Minute)
	started  = fulfillment.Started{
		V: 1, OrderID: "o-1", CustomerID: "c-1",
		Lines:           []fulfillment.Line{{SKU: "A", Quantity: 2}, {SKU: "B", Quantity: 1}},
		Total:           money.Money{Amount: 4498, Currency: "EUR"},
		Address:         fulfillment.Address{Name: "N", Line1: "L", City: "C", PostalCode: "1", Country: "DE"},
		PaymentDeadline: deadline, StartedAt: t0,
	}
)

func step(name fulfillment.Step, outcome fulfillment.Outcome, detail string) fulfillment.StepRecorded {
	return fulfillment.StepRecorded{V: 1, Step: name, Outcome: outcome, Detail: detail, At: t0}
}

func done(names ...fulfillment.Step) []domain.Event {
	out := make([]domain.Event, len(names))
	for i, n := range names {
		out[i] = step(n, fulfillment.Done, "")
	}
	return out
}

func fold(events ...domain.Event) fulfillment.State {
	var s fulfillment.State
	for _, e := range events {
		s = fulfillment.Evolve(s, e)
	}
	return s
}

func history(parts ...[]domain.Event) []domain.Event {
	out := []domain.Event{started}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// kind is the step of a kind that is not per line.
func kind(k fulfillment.StepKind) fulfillment.Step { return fulfillment.Step{Kind: k} }

func one(e domain.Event) []domain.Event { return []domain.Event{e} }

var forward = []fulfillment.Step{
	fulfillment.ReserveStep("A"), fulfillment.ReserveStep("B"), kind(fulfillment.StepConfirm), kind(fulfillment.StepRequestPayment),
	kind(fulfillment.StepCharge), kind(fulfillment.StepRecordCapture), kind(fulfillment.StepMarkPaid), kind(fulfillment.StepScheduleShipment),
}

func TestNextForwards(t *testing.T) {
	for i, want := range forward {
		s := fold(history(done(forward[:i]...))...)
		got := fulfillment.Next(s, t0)
		if got.Kind != fulfillment.Run || got.Step != want {
			t.Fatalf("after %v: next is %+v, want to run %s", forward[:i], got, want)
		}
	}
	s := fold(history(done(forward...))...)
	if got := fulfillment.Next(s, t0); got.Kind != fulfillment.Complete {
		t.Fatalf("every step done: next is %+v, want Complete", got)
	}
	if got := fulfillment.Next(fold(history(done(forward...), one(fulfillment.Completed{V: 1, At: t0}))...), t0); got.Kind != fulfillment.Nothing {
		t.Fatalf("a completed saga: next is %+v, want Nothing", got)
	}
	if got := fulfillment.Next(fulfillment.State{}, t0); got.Kind != fulfillment.Nothing {
		t.Fatalf("no saga: next is %+v", got)
	}
	if got := fulfillment.Next(fold(history()...), t0); got.Step.SKU != "A" || got.Quantity != 2 {
		t.Fatalf("first reservation: %+v, want 2 of A", got)
	}
}

func TestNextCompensates(t *testing.T) {
	retry := t0.Add(10 * time.Second)
	parked := fulfillment.StepRecorded{V: 1, Step: kind(fulfillment.StepCharge), Outcome: fulfillment.Parked, Detail: "circuit open", RetryAt: &retry, At: t0}
	tests := []struct {
		name  string
		steps []domain.Event
		now   time.Time
		want  []fulfillment.Step // the compensating steps, in order, then "finish"
	}{
		{"out of stock on the second line releases every line, in reverse",
			history(done(forward[0]), one(step(fulfillment.ReserveStep("B"), fulfillment.Rejected, "only 0 left"))), t0,
			[]fulfillment.Step{fulfillment.ReleaseStep("B"), fulfillment.ReleaseStep("A"), kind(fulfillment.StepCancelOrder)}},
		{"a declined charge is refunded if anything was charged, then releases in reverse",
			history(done(forward[:4]...), one(step(kind(fulfillment.StepCharge), fulfillment.Rejected, "card_declined"))), t0,
			[]fulfillment.Step{kind(fulfillment.StepRefund), fulfillment.ReleaseStep("B"), fulfillment.ReleaseStep("A"), kind(fulfillment.StepCancelOrder)}},
		{"a carrier rejection undoes everything",
			history(done(forward[:7]...), one(step(kind(fulfillment.StepScheduleShipment), fulfillment.Rejected, "country not served"))), t0,
			[]fulfillment.Step{kind(fulfillment.StepRefund), fulfillment.ReleaseStep("B"), fulfillment.ReleaseStep("A"), kind(fulfillment.StepCancelOrder)}},
		{"a customer cancellation after the shipment was scheduled",
			history(done(forward...), one(fulfillment.CancelRequested{V: 1, Reason: "changed my mind", At: t0})), t0,
			[]fulfillment.Step{kind(fulfillment.StepCancelShipment), kind(fulfillment.StepRefund), fulfillment.ReleaseStep("B"), fulfillment.ReleaseStep("A"), kind(fulfillment.StepCancelOrder)}},
		{"a customer cancellation before any reservation was recorded releases every line (one may have been made unrecorded)",
			history(one(fulfillment.CancelRequested{V: 1, Reason: "oops", At: t0})), t0,
			[]fulfillment.Step{fulfillment.ReleaseStep("B"), fulfillment.ReleaseStep("A"), kind(fulfillment.StepCancelOrder)}},
		{"a parked charge past the deadline is refunded in case it went through",
			history(done(forward[:4]...), one(parked), one(fulfillment.CompensationStarted{V: 1, Reason: "deadline", At: deadline})), deadline,
			[]fulfillment.Step{kind(fulfillment.StepRefund), fulfillment.ReleaseStep("B"), fulfillment.ReleaseStep("A"), kind(fulfillment.StepCancelOrder)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events := tc.steps
			var got []fulfillment.Step
			for range 10 {
				a := fulfillment.Next(fold(events...), tc.now)
				if a.Kind == fulfillment.FinishCompensation {
					break
				}
				if a.Kind != fulfillment.Run {
					t.Fatalf("after %v: next is %+v, want a compensating step", got, a)
				}
				got = append(got, a.Step)
				events = append(events, step(a.Step, fulfillment.Done, ""))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("compensation ran %v, want %v", got, tc.want)
			}
			s := fold(append(events, fulfillment.Compensated{V: 1, At: tc.now})...)
			if !s.Finished() || fulfillment.Next(s, tc.now).Kind != fulfillment.Nothing {
				t.Fatalf("a compensated saga is not finished: %+v", s)
			}
		})
	}
}

func TestNextDeadlineAndParking(t *testing.T) {
	retry := t0.Add(10 * time.Second)
	parked := fulfillment.StepRecorded{V: 1, Step: kind(fulfillment.StepCharge), Outcome: fulfillment.Parked, Cause: fulfillment.CauseProvider, Detail: "circuit open", RetryAt: &retry, At: t0}
	s := fold(history(done(forward[:4]...), one(parked))...)
	if a := fulfillment.Next(s, t0.Add(time.Second)); a.Kind != fulfillment.Wait || !a.Until.Equal(retry) {
		t.Fatalf("parked charge: next %+v, want to wait until %v", a, retry)
	}
	if a := fulfillment.Next(s, retry); a.Kind != fulfillment.Run || a.Step != kind(fulfillment.StepCharge) {
		t.Fatalf("parked charge at its retry time: next %+v, want the charge again", a)
	}
	if a := fulfillment.Next(s, deadline); a.Kind != fulfillment.BeginCompensation {
		t.Fatalf("deadline passed before the capture: next %+v, want BeginCompensation", a)
	}
	if s.LastError != "circuit open" || !s.ChargeAttempted || !s.ProviderFailing || !s.ProviderFailingSince.Equal(t0) {
		t.Fatalf("state after a parked charge: %+v", s)
	}
	late := t0.Add(2 * time.Minute)
	lateParked := parked
	lateParked.RetryAt = &late
	if a := fulfillment.Next(fold(history(done(forward[:4]...), one(lateParked))...), t0.Add(time.Second)); a.Kind != fulfillment.Wait || !a.Until.Equal(deadline) {
		t.Fatalf("charge parked past the deadline: next %+v, want to wait until the deadline %v", a, deadline)
	}
	charged := fold(history(done(forward[:6]...))...)
	if a := fulfillment.Next(charged, deadline.Add(time.Hour)); a.Kind != fulfillment.Run || a.Step != kind(fulfillment.StepMarkPaid) {
		t.Fatalf("deadline passed after the capture: next %+v, want to go on", a)
	}
}

// TestNextDeadlineBlamesOnlyTheProvider: the payment deadline compensates
// only when the provider failed the last charge attempt; a saga late
// because of our own queue goes on.
func TestNextDeadlineBlamesOnlyTheProvider(t *testing.T) {
	retry := t0.Add(10 * time.Second)
	late := deadline.Add(time.Hour)
	queued := fulfillment.StepRecorded{V: 1, Step: kind(fulfillment.StepCharge), Outcome: fulfillment.Parked, Cause: fulfillment.CauseQueue, Detail: "queue full", RetryAt: &retry, At: t0}
	failedAtProvider := queued
	failedAtProvider.Cause, failedAtProvider.Detail = fulfillment.CauseProvider, "unavailable"
	failedHere := queued
	failedHere.Outcome, failedHere.Cause, failedHere.Detail = fulfillment.Failed, "", "database down"
	for _, tc := range []struct {
		name    string
		events  []domain.Event
		want    fulfillment.ActionKind
		wantRun fulfillment.Step
	}{
		{"never charged: the steps before are late", history(done(forward[:2]...)), fulfillment.Run, kind(fulfillment.StepConfirm)},
		{"charge not yet tried", history(done(forward[:4]...)), fulfillment.Run, kind(fulfillment.StepCharge)},
		{"charge parked in our queue", history(done(forward[:4]...), one(queued)), fulfillment.Run, kind(fulfillment.StepCharge)},
		{"charge failed here, not at the provider", history(done(forward[:4]...), one(failedHere)), fulfillment.Run, kind(fulfillment.StepCharge)},
		{"provider failed, then our queue was full", history(done(forward[:4]...), one(failedAtProvider), one(queued)), fulfillment.BeginCompensation, fulfillment.Step{}},
		{"provider failed last", history(done(forward[:4]...), one(queued), one(failedAtProvider)), fulfillment.BeginCompensation, fulfillment.Step{}},
		{"provider failed, then something else", history(done(forward[:4]...), one(failedAtProvider), one(failedHere)), fulfillment.Run, kind(fulfillment.StepCharge)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := fulfillment.Next(fold(tc.events...), late)
			if a.Kind != tc.want || a.Step != tc.wantRun {
				t.Fatalf("next past the deadline: %+v, want kind %d step %q", a, tc.want, tc.wantRun)
			}
		})
	}
}

func TestEvolveKeepsEarlierStates(t *testing.T) {
	before := fold(history(done(forward[0]))...)
	after := fulfillment.Evolve(before, step(forward[1], fulfillment.Done, ""))
	if before.Done[forward[1]] || !after.Done[forward[1]] || before.Version != 2 || after.Version != 3 {
		t.Fatalf("Evolve changed the state it was given: before %v, after %v", before.Done, after.Done)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	retry := t0.Add(time.Second)
	for _, e := range []domain.Event{
		started,
		fulfillment.StepRecorded{V: 1, Step: kind(fulfillment.StepCharge), Outcome: fulfillment.Parked, Cause: fulfillment.CauseQueue, Detail: "d", ChargeID: "ch", RetryAt: &retry, At: t0},
		fulfillment.CancelRequested{V: 1, Reason: "r", At: t0},
		fulfillment.CompensationStarted{V: 1, Reason: "r", At: t0},
		fulfillment.Completed{V: 1, At: t0},
		fulfillment.Compensated{V: 1, Reason: "r", At: t0},
	} {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fulfillment.Decode(e.EventType(), data)
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Fatalf("%s: decoded %+v, %v; want %+v", e.EventType(), got, err, e)
		}
	}
}

// TestActionEvent: the saga's own decisions are recorded as their events;
// a step or a wait has none until it is performed.
func TestActionEvent(t *testing.T) {
	for _, tc := range []struct {
		action fulfillment.Action
		want   domain.Event
	}{
		{fulfillment.Action{Kind: fulfillment.BeginCompensation, Reason: "late"}, fulfillment.CompensationStarted{V: 1, Reason: "late", At: t0}},
		{fulfillment.Action{Kind: fulfillment.Complete}, fulfillment.Completed{V: 1, At: t0}},
		{fulfillment.Action{Kind: fulfillment.FinishCompensation, Reason: "late"}, fulfillment.Compensated{V: 1, Reason: "late", At: t0}},
		{fulfillment.Action{Kind: fulfillment.Run, Step: kind(fulfillment.StepCharge)}, nil},
		{fulfillment.Action{Kind: fulfillment.Wait, Until: deadline}, nil},
		{fulfillment.Action{Kind: fulfillment.Nothing}, nil},
	} {
		if got := tc.action.Event(t0); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v records %+v, want %+v", tc.action, got, tc.want)
		}
	}
}
