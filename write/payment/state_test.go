package payment_test

import (
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/payment"
)

// otherEvent is an event of some other context.
type otherEvent struct{}

func (otherEvent) EventType() string { return "order.placed" }

func TestEvolve(t *testing.T) {
	base := payment.State{OrderID: "o-1", Status: payment.StatusRequested, Amount: amount, RequestedAt: t0, Version: 1}
	tests := []struct {
		name   string
		events []domain.Event
		want   func() payment.State
	}{
		{"nothing", nil, func() payment.State { return payment.State{} }},
		{"requested", []domain.Event{requested}, func() payment.State { return base }},
		{"captured", []domain.Event{requested, captured}, func() payment.State {
			s := base
			s.Status, s.ChargeID, s.CapturedAmount, s.CapturedAt, s.Version = payment.StatusCaptured, "ch_1", amount, captured.CapturedAt, 2
			return s
		}},
		{"failed", []domain.Event{requested, failed}, func() payment.State {
			s := base
			s.Status, s.FailureCode, s.FailureReason, s.FailedAt, s.Version = payment.StatusFailed, "card_declined", "The card was declined.", failed.FailedAt, 2
			return s
		}},
		{"refunded", []domain.Event{requested, captured, refunded}, func() payment.State {
			s := base
			s.Status = payment.StatusRefunded
			s.ChargeID, s.CapturedAmount, s.CapturedAt = "ch_1", amount, captured.CapturedAt
			s.RefundID, s.RefundedAmount, s.RefundReason, s.RefundedAt = "re_1", amount, "order cancelled", refunded.RefundedAt
			s.Version = 3
			return s
		}},
		{"events of another context are ignored", []domain.Event{otherEvent{}, requested, otherEvent{}}, func() payment.State { return base }},
		{"nil is ignored", []domain.Event{requested, nil}, func() payment.State { return base }},
		{"pointers are ignored", []domain.Event{requested, &captured}, func() payment.State { return base }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := fold(tc.events...), tc.want(); !reflect.DeepEqual(got, want) {
				t.Fatalf("state\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestEvolveDoesNotChangeItsInput(t *testing.T) {
	s := fold(requested)
	_ = payment.Evolve(s, captured)
	if s.Status != payment.StatusRequested || s.Version != 1 {
		t.Fatalf("Evolve changed its input to %+v", s)
	}
}

func TestExists(t *testing.T) {
	if (payment.State{}).Exists() {
		t.Fatal("the zero State exists")
	}
	if !fold(requested).Exists() {
		t.Fatal("a requested payment does not exist")
	}
	if fold(otherEvent{}).Exists() {
		t.Fatal("a payment of foreign events exists")
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[payment.Status]string{
		0:                       "NONE",
		payment.StatusRequested: "REQUESTED",
		payment.StatusCaptured:  "CAPTURED",
		payment.StatusFailed:    "FAILED",
		payment.StatusRefunded:  "REFUNDED",
		9:                       "Status(9)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestStreamID(t *testing.T) {
	if got := payment.StreamID("o-1"); got != "payment-o-1" {
		t.Fatalf("StreamID = %q", got)
	}
	if payment.Category != "payment" {
		t.Fatalf("Category = %q", payment.Category)
	}
}
