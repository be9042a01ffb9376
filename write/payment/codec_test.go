package payment_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/payment"
)

// allEvents holds one event of every type.
var allEvents = []domain.Event{requested, captured, failed, refunded}

// TestStoredFormat pins the stored JSON of each event: changing it breaks
// every stream already written, so a change here needs a new schema
// version and an upcast in Decode.
func TestStoredFormat(t *testing.T) {
	tests := []struct {
		name  string
		event domain.Event
		want  string
	}{
		{"requested", requested, `{"v":1,"orderId":"o-1","amount":{"amount":4498,"currency":"EUR"},"requestedAt":"2026-11-01T09:00:00Z"}`},
		{"captured", captured, `{"v":1,"chargeId":"ch_1","amount":{"amount":4498,"currency":"EUR"},"capturedAt":"2026-11-01T09:00:01Z"}`},
		{"failed", failed, `{"v":1,"reason":"The card was declined.","code":"card_declined","failedAt":"2026-11-01T09:00:01Z"}`},
		{"refunded", refunded, `{"v":1,"refundId":"re_1","amount":{"amount":4498,"currency":"EUR"},"reason":"order cancelled","refundedAt":"2026-11-01T09:01:00Z"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("stored as\n%s\nwant\n%s", got, tc.want)
			}
			e, err := payment.Decode(tc.event.EventType(), []byte(tc.want))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e, tc.event) {
				t.Fatalf("decoded %#v, want %#v", e, tc.event)
			}
		})
	}
}

func TestEventTypes(t *testing.T) {
	want := []string{"payment.requested", "payment.captured", "payment.failed", "payment.refunded"}
	for i, e := range allEvents {
		if got := e.EventType(); got != want[i] {
			t.Errorf("%T.EventType() = %q, want %q", e, got, want[i])
		}
	}
}

// TestDecodeWhatDecideDecides runs a payment through its life, storing and
// decoding every event Decide returns, and checks that the decoded history
// folds to the same state as the original.
func TestDecodeWhatDecideDecides(t *testing.T) {
	var direct, decoded payment.State
	for _, cmd := range []payment.Command{
		payment.Request{OrderID: "o-1", Amount: amount},
		payment.Capture{ChargeID: "ch_1", Amount: amount},
		payment.Refund{RefundID: "re_1", Reason: "order cancelled"},
	} {
		events, err := payment.Decide(direct, cmd, now)
		if err != nil || len(events) != 1 {
			t.Fatalf("%T: events %v, error %v", cmd, events, err)
		}
		data, err := json.Marshal(events[0])
		if err != nil {
			t.Fatal(err)
		}
		e, err := payment.Decode(events[0].EventType(), data)
		if err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		direct = payment.Evolve(direct, events[0])
		decoded = payment.Evolve(decoded, e)
	}
	if !reflect.DeepEqual(direct, decoded) {
		t.Fatalf("decoded history folds to\n%+v\nwant\n%+v", decoded, direct)
	}
	if direct.Status != payment.StatusRefunded || direct.Version != 3 {
		t.Fatalf("state %+v", direct)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		data string
		want error
	}{
		{"unknown type", "payment.lost", `{"v":1}`, payment.ErrUnknownEventType},
		{"another context's type", "order.paid", `{"v":1}`, payment.ErrUnknownEventType},
		{"empty type", "", `{"v":1}`, payment.ErrUnknownEventType},
		{"no version", payment.TypeFailed, `{"reason":"x","code":"y"}`, payment.ErrUnsupportedVersion},
		{"version 0", payment.TypeFailed, `{"v":0}`, payment.ErrUnsupportedVersion},
		{"newer version", payment.TypeCaptured, `{"v":2,"chargeId":"ch_1"}`, payment.ErrUnsupportedVersion},
		{"null", payment.TypeCaptured, `null`, payment.ErrUnsupportedVersion},
		{"empty", payment.TypeCaptured, ``, payment.ErrMalformedEvent},
		{"not JSON", payment.TypeCaptured, `v=1`, payment.ErrMalformedEvent},
		{"array", payment.TypeCaptured, `[]`, payment.ErrMalformedEvent},
		{"version not a number", payment.TypeCaptured, `{"v":"1"}`, payment.ErrMalformedEvent},
		{"unknown field", payment.TypeRefunded, `{"v":1,"refundId":"re_1","partial":true}`, payment.ErrMalformedEvent},
		{"amount of the wrong type", payment.TypeRequested, `{"v":1,"amount":"44.98 EUR"}`, payment.ErrMalformedEvent},
		{"bad time", payment.TypeFailed, `{"v":1,"failedAt":"now"}`, payment.ErrMalformedEvent},
		{"trailing data", payment.TypeFailed, `{"v":1}x`, payment.ErrMalformedEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := payment.Decode(tc.typ, []byte(tc.data))
			if e != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Decode = %#v, %v; want error %v", e, err, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, e := range allEvents {
		data, err := json.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(e.EventType(), data)
	}
	f.Add(payment.TypeRequested, []byte(`{"v":1,"amount":{}}`))
	f.Add(payment.TypeCaptured, []byte(`{"v":2}`))
	f.Add(payment.TypeRefunded, []byte(`{"v":1,"amount":{"amount":-9223372036854775808,"currency":"EUR"},"refundedAt":"2026-11-01T09:01:00-12:00"}`))
	f.Add(payment.TypeFailed, []byte(`{"v":1,"V":1,"reason":"\ud800"}`))
	f.Add("payment.unknown", []byte(`{"v":1}`))
	f.Add(payment.TypeFailed, []byte(`null`))
	f.Add(payment.TypeFailed, []byte(``))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := payment.Decode(typ, data)
		if err != nil {
			if e != nil {
				t.Fatalf("Decode returned %#v and error %v", e, err)
			}
			return
		}
		if e.EventType() != typ {
			t.Fatalf("decoded a %s as %s", e.EventType(), typ)
		}
		// What decodes is an event of the current version that stores and
		// decodes again to the same payload.
		if v := reflect.ValueOf(e).FieldByName("V").Int(); v != 1 {
			t.Fatalf("decoded version %d", v)
		}
		stored, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("store %#v: %v", e, err)
		}
		again, err := payment.Decode(typ, stored)
		if err != nil {
			t.Fatalf("decode what was stored, %s: %v", stored, err)
		}
		restored, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored, restored) {
			t.Fatalf("stored %s, then %s", stored, restored)
		}
		_ = payment.Evolve(payment.State{}, e)
	})
}
