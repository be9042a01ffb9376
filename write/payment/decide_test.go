package payment_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/payment"
)

// TestDecideTransitions runs every command against a payment in every
// status: the command either happens (one event of the given type), is a
// repeat (no events, no error), or is refused with the given error.
func TestDecideTransitions(t *testing.T) {
	commands := []struct {
		name string
		cmd  payment.Command
	}{
		{"request again", payment.Request{OrderID: "o-1", Amount: amount}},
		{"request another amount", payment.Request{OrderID: "o-1", Amount: eur(1)}},
		{"capture", payment.Capture{ChargeID: "ch_1", Amount: amount}},
		{"fail", payment.Fail{Reason: "The card was declined.", Code: "card_declined"}},
		{"refund", payment.Refund{RefundID: "re_1", Reason: "order cancelled"}},
	}
	// An outcome is an event type, noop, or an error.
	const noop = "no-op"
	want := map[string][]any{
		//           request again            request another amount       capture                      fail                       refund
		"none":      {payment.TypeRequested, payment.TypeRequested, payment.ErrPaymentNotFound, payment.ErrPaymentNotFound, payment.ErrPaymentNotFound},
		"requested": {noop, payment.ErrAlreadyRequested, payment.TypeCaptured, payment.TypeFailed, payment.ErrNotRefundable},
		"captured":  {noop, payment.ErrAlreadyRequested, noop, payment.ErrNotFailable, payment.TypeRefunded},
		"failed":    {noop, payment.ErrAlreadyRequested, payment.ErrNotCapturable, noop, payment.ErrNotRefundable},
		"refunded":  {noop, payment.ErrAlreadyRequested, payment.ErrNotCapturable, payment.ErrNotFailable, noop},
	}
	for _, h := range histories {
		outcomes, ok := want[h.name]
		if !ok || len(outcomes) != len(commands) {
			t.Fatalf("no complete row of outcomes for status %q", h.name)
		}
		for i, c := range commands {
			t.Run(h.name+"/"+c.name, func(t *testing.T) {
				events, err := payment.Decide(fold(h.history...), c.cmd, now)
				switch w := outcomes[i].(type) {
				case error:
					checkErr(t, err, w)
					if events != nil {
						t.Fatalf("refused, yet events %v", events)
					}
				case string:
					checkErr(t, err, nil)
					if w == noop {
						if len(events) != 0 {
							t.Fatalf("events %v, want none", events)
						}
						return
					}
					if len(events) != 1 || events[0].EventType() != w {
						t.Fatalf("events %v, want one %s", events, w)
					}
				}
			})
		}
	}
}

func TestDecideEvents(t *testing.T) {
	utc := now.UTC()
	tests := []struct {
		name    string
		history []domain.Event
		cmd     payment.Command
		want    domain.Event
	}{
		{"request", nil, payment.Request{OrderID: "o-1", Amount: amount},
			payment.Requested{V: payment.RequestedVersion, OrderID: "o-1", Amount: amount, RequestedAt: utc}},
		{"capture", []domain.Event{requested}, payment.Capture{ChargeID: "ch_9", Amount: amount},
			payment.Captured{V: payment.CapturedVersion, ChargeID: "ch_9", Amount: amount, CapturedAt: utc}},
		{"fail", []domain.Event{requested}, payment.Fail{Reason: "Timed out\nafter 3 tries", Code: "provider_timeout_3"},
			payment.Failed{V: payment.FailedVersion, Reason: "Timed out\nafter 3 tries", Code: "provider_timeout_3", FailedAt: utc}},
		{"refund the captured amount", []domain.Event{requested, captured}, payment.Refund{RefundID: "re_9", Reason: "out of stock"},
			payment.Refunded{V: payment.RefundedVersion, RefundID: "re_9", Amount: amount, Reason: "out of stock", RefundedAt: utc}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := payment.Decide(fold(tc.history...), tc.cmd, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := []domain.Event{tc.want}; !reflect.DeepEqual(events, want) {
				t.Fatalf("events\n%#v\nwant\n%#v", events, want)
			}
		})
	}
}

func TestDecideRules(t *testing.T) {
	req := []domain.Event{requested}
	capt := []domain.Event{requested, captured}
	ref := []domain.Event{requested, captured, refunded}
	tests := []struct {
		name    string
		history []domain.Event
		cmd     payment.Command
		want    error // nil: a no-op
	}{
		{"request for another order", req, payment.Request{OrderID: "o-2", Amount: amount}, payment.ErrAlreadyRequested},
		{"request in another currency", req, payment.Request{OrderID: "o-1", Amount: money.Money{Amount: 4498, Currency: "USD"}}, payment.ErrAlreadyRequested},
		{"request again after refund", ref, payment.Request{OrderID: "o-1", Amount: amount}, nil},
		{"capture less than requested", req, payment.Capture{ChargeID: "ch_1", Amount: eur(4497)}, payment.ErrAmountMismatch},
		{"capture more than requested", req, payment.Capture{ChargeID: "ch_1", Amount: eur(4499)}, payment.ErrAmountMismatch},
		{"capture in another currency", req, payment.Capture{ChargeID: "ch_1", Amount: money.Money{Amount: 4498, Currency: "USD"}}, payment.ErrAmountMismatch},
		{"capture again with another charge", capt, payment.Capture{ChargeID: "ch_2", Amount: amount}, payment.ErrAlreadyCaptured},
		{"capture again with another amount", capt, payment.Capture{ChargeID: "ch_1", Amount: eur(1)}, payment.ErrAlreadyCaptured},
		{"capture a refunded payment with its charge", ref, payment.Capture{ChargeID: "ch_1", Amount: amount}, payment.ErrNotCapturable},
		{"fail a failed payment with another code", []domain.Event{requested, failed}, payment.Fail{Reason: "other", Code: "timeout"}, nil},
		{"refund again with the same refund id and another reason", ref, payment.Refund{RefundID: "re_1", Reason: "other"}, nil},
		{"refund again with another refund id", ref, payment.Refund{RefundID: "re_2", Reason: "order cancelled"}, payment.ErrAlreadyRefunded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := payment.Decide(fold(tc.history...), tc.cmd, now)
			checkErr(t, err, tc.want)
			if len(events) != 0 {
				t.Fatalf("events %v, want none", events)
			}
		})
	}
}

// TestDecideInvalidCommands checks commands that are malformed whatever
// the payment's state, and that this is said before whether the payment
// exists.
func TestDecideInvalidCommands(t *testing.T) {
	tests := []struct {
		name string
		cmd  payment.Command
		want error
	}{
		{"nil command", nil, payment.ErrUnknownCommand},
		{"command by pointer", &payment.Refund{RefundID: "re_1", Reason: "x"}, payment.ErrUnknownCommand},

		{"request without order id", payment.Request{Amount: amount}, payment.ErrInvalidOrderID},
		{"request for a 65 character order id", payment.Request{OrderID: longString('o', 65), Amount: amount}, payment.ErrInvalidOrderID},
		{"request for an order id with a slash", payment.Request{OrderID: "o/1", Amount: amount}, payment.ErrInvalidOrderID},
		{"request zero", payment.Request{OrderID: "o-1", Amount: eur(0)}, payment.ErrInvalidAmount},
		{"request negative", payment.Request{OrderID: "o-1", Amount: eur(-1)}, payment.ErrInvalidAmount},
		{"request without currency", payment.Request{OrderID: "o-1", Amount: money.Money{Amount: 1}}, payment.ErrInvalidAmount},
		{"request in a malformed currency", payment.Request{OrderID: "o-1", Amount: money.Money{Amount: 1, Currency: "EURO"}}, payment.ErrInvalidAmount},

		{"capture without charge id", payment.Capture{Amount: amount}, payment.ErrInvalidChargeID},
		{"capture with a blank charge id", payment.Capture{ChargeID: " ", Amount: amount}, payment.ErrInvalidChargeID},
		{"capture with a 201 character charge id", payment.Capture{ChargeID: longString('c', 201), Amount: amount}, payment.ErrInvalidChargeID},
		{"capture with a charge id holding a line break", payment.Capture{ChargeID: "ch\n1", Amount: amount}, payment.ErrInvalidChargeID},
		{"capture zero", payment.Capture{ChargeID: "ch_1", Amount: eur(0)}, payment.ErrInvalidAmount},
		{"capture without currency", payment.Capture{ChargeID: "ch_1", Amount: money.Money{Amount: 4498}}, payment.ErrInvalidAmount},

		{"fail without reason", payment.Fail{Code: "card_declined"}, payment.ErrInvalidReason},
		{"fail with a 501 character reason", payment.Fail{Reason: longString('r', 501), Code: "card_declined"}, payment.ErrInvalidReason},
		{"fail with a reason that is not UTF-8", payment.Fail{Reason: "\xff", Code: "card_declined"}, payment.ErrInvalidReason},
		{"fail without code", payment.Fail{Reason: "declined"}, payment.ErrInvalidFailureCode},
		{"fail with an upper-case code", payment.Fail{Reason: "declined", Code: "CARD_DECLINED"}, payment.ErrInvalidFailureCode},
		{"fail with a code holding a dash", payment.Fail{Reason: "declined", Code: "card-declined"}, payment.ErrInvalidFailureCode},
		{"fail with a 65 character code", payment.Fail{Reason: "declined", Code: longString('c', 65)}, payment.ErrInvalidFailureCode},

		{"refund without refund id", payment.Refund{Reason: "cancelled"}, payment.ErrInvalidRefundID},
		{"refund with a 201 character refund id", payment.Refund{RefundID: longString('r', 201), Reason: "cancelled"}, payment.ErrInvalidRefundID},
		{"refund without reason", payment.Refund{RefundID: "re_1"}, payment.ErrInvalidReason},
		{"refund with a reason holding a control character", payment.Refund{RefundID: "re_1", Reason: "x\x1b"}, payment.ErrInvalidReason},
	}
	for _, tc := range tests {
		for _, h := range histories {
			t.Run(tc.name+"/"+h.name, func(t *testing.T) {
				events, err := payment.Decide(fold(h.history...), tc.cmd, now)
				checkErr(t, err, tc.want)
				if !errors.Is(err, domain.ErrInvalid) || events != nil {
					t.Fatalf("events %v, error %v: want an invalid-command error", events, err)
				}
			})
		}
	}
}

func TestDecideLimits(t *testing.T) {
	tests := []struct {
		name    string
		history []domain.Event
		cmd     payment.Command
	}{
		{"order id 64 characters with every allowed kind", nil, payment.Request{OrderID: "azAZ09-_." + longString('x', 55), Amount: amount}},
		{"charge id 200 characters", []domain.Event{requested}, payment.Capture{ChargeID: longString('c', 200), Amount: amount}},
		{"reason 500 characters", []domain.Event{requested}, payment.Fail{Reason: longString('é', 500), Code: "c"}},
		{"code 64 characters", []domain.Event{requested}, payment.Fail{Reason: "r", Code: longString('c', 64)}},
		{"refund id 200 characters", []domain.Event{requested, captured}, payment.Refund{RefundID: longString('r', 200), Reason: "r"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := payment.Decide(fold(tc.history...), tc.cmd, now)
			if err != nil || len(events) != 1 {
				t.Fatalf("events %v, error %v; want one event", events, err)
			}
		})
	}
}
