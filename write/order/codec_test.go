package order_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// allEvents holds one event of every type, every optional field set.
var allEvents = []domain.Event{placed, confirmed, paid, shipped, delivered, cancelled}

// TestStoredFormat pins the stored JSON of each event: changing it breaks
// every stream already written, so a change here needs a new schema
// version and an upcast in Decode.
func TestStoredFormat(t *testing.T) {
	tests := []struct {
		name  string
		event domain.Event
		want  string
	}{
		{"placed", placed, `{"v":2,"orderId":"o-1","customerId":"c-1","lines":[` +
			`{"sku":"SKU-1","quantity":2,"unitPrice":{"amount":1999,"currency":"EUR"}},` +
			`{"sku":"SKU-2","quantity":1,"unitPrice":{"amount":500,"currency":"EUR"}}],` +
			`"total":{"amount":4498,"currency":"EUR"},` +
			`"shippingAddress":{"name":"Ada Lovelace","line1":"12 Analytical Row","city":"London","postalCode":"N1 9GU","country":"GB"},` +
			`"channel":"api","placedAt":"2026-11-01T09:00:00Z"}`},
		{"confirmed", confirmed, `{"v":1,"confirmedAt":"2026-11-01T09:01:00Z"}`},
		{"paid", paid, `{"v":1,"chargeId":"ch_1","amount":{"amount":4498,"currency":"EUR"},"paidAt":"2026-11-01T09:02:00Z"}`},
		{"paid without charge id", order.Paid{V: 1, Amount: total, PaidAt: t0}, `{"v":1,"amount":{"amount":4498,"currency":"EUR"},"paidAt":"2026-11-01T09:00:00Z"}`},
		{"shipped", shipped, `{"v":1,"trackingNumber":"TRK-1","shippedAt":"2026-11-01T10:00:00Z"}`},
		{"shipped without tracking number", order.Shipped{V: 1, ShippedAt: t0}, `{"v":1,"shippedAt":"2026-11-01T09:00:00Z"}`},
		{"delivered", delivered, `{"v":1,"deliveredAt":"2026-11-03T09:00:00Z"}`},
		{"cancelled", cancelled, `{"v":1,"reason":"changed my mind","byCustomer":true,"cancelledAt":"2026-11-01T09:03:00Z"}`},
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
			e, err := order.Decode(tc.event.EventType(), []byte(tc.want))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e, tc.event) {
				t.Fatalf("decoded %#v, want %#v", e, tc.event)
			}
		})
	}
}

// placedV1 is an order.placed of schema version 1, as it was stored
// before the sales channel was recorded.
const placedV1 = `{"v":1,"orderId":"o-1","customerId":"c-1","lines":[` +
	`{"sku":"SKU-1","quantity":2,"unitPrice":{"amount":1999,"currency":"EUR"}},` +
	`{"sku":"SKU-2","quantity":1,"unitPrice":{"amount":500,"currency":"EUR"}}],` +
	`"total":{"amount":4498,"currency":"EUR"},` +
	`"shippingAddress":{"name":"Ada Lovelace","line1":"12 Analytical Row","city":"London","postalCode":"N1 9GU","country":"GB"},` +
	`"placedAt":"2026-11-01T09:00:00Z"}`

// TestUpcastPlacedV1 reads an order.placed of version 1 as the current
// Placed, with ChannelOfV1 (api), and refuses a version 1 payload with a
// field version 1 did not have.
func TestUpcastPlacedV1(t *testing.T) {
	e, err := order.Decode(order.TypePlaced, []byte(placedV1))
	if err != nil {
		t.Fatal(err)
	}
	want := placed
	want.Channel = order.ChannelAPI
	if !reflect.DeepEqual(e, want) || order.ChannelOfV1 != order.ChannelAPI {
		t.Fatalf("decoded %#v, want %#v", e, want)
	}
	withChannel := strings.Replace(placedV1, `"placedAt"`, `"channel":"web","placedAt"`, 1)
	if e, err := order.Decode(order.TypePlaced, []byte(withChannel)); !errors.Is(err, order.ErrMalformedEvent) {
		t.Fatalf("decode a version 1 with a channel = %#v, %v; want a malformed event", e, err)
	}
}

func TestEventTypes(t *testing.T) {
	want := []string{"order.placed", "order.confirmed", "order.paid", "order.shipped", "order.delivered", "order.cancelled"}
	for i, e := range allEvents {
		if got := e.EventType(); got != want[i] {
			t.Errorf("%T.EventType() = %q, want %q", e, got, want[i])
		}
	}
}

// TestDecodeWhatDecideDecides runs an order through its life, storing and
// decoding every event Decide returns, and checks that the decoded history
// folds to the same state as the original.
func TestDecodeWhatDecideDecides(t *testing.T) {
	var direct, decoded order.State
	for _, cmd := range []order.Command{
		place(), order.Confirm{}, order.MarkPaid{Amount: total, ChargeID: "ch_1"},
		order.MarkShipped{TrackingNumber: "TRK-1"}, order.MarkDelivered{},
	} {
		events, err := order.Decide(direct, cmd, now)
		if err != nil || len(events) != 1 {
			t.Fatalf("%T: events %v, error %v", cmd, events, err)
		}
		data, err := json.Marshal(events[0])
		if err != nil {
			t.Fatal(err)
		}
		e, err := order.Decode(events[0].EventType(), data)
		if err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		direct = order.Evolve(direct, events[0])
		decoded = order.Evolve(decoded, e)
	}
	if !reflect.DeepEqual(direct, decoded) {
		t.Fatalf("decoded history folds to\n%+v\nwant\n%+v", decoded, direct)
	}
	if direct.Status != order.StatusDelivered || direct.Version != 5 {
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
		{"unknown type", "order.lost", `{"v":1}`, order.ErrUnknownEventType},
		{"another context's type", "payment.requested", `{"v":1}`, order.ErrUnknownEventType},
		{"empty type", "", `{"v":1}`, order.ErrUnknownEventType},
		{"no version", order.TypeConfirmed, `{"confirmedAt":"2026-11-01T09:01:00Z"}`, order.ErrUnsupportedVersion},
		{"version 0", order.TypeConfirmed, `{"v":0,"confirmedAt":"2026-11-01T09:01:00Z"}`, order.ErrUnsupportedVersion},
		{"negative version", order.TypeConfirmed, `{"v":-1}`, order.ErrUnsupportedVersion},
		{"newer version", order.TypePlaced, `{"v":3,"orderId":"o-1"}`, order.ErrUnsupportedVersion},
		{"null", order.TypeDelivered, `null`, order.ErrUnsupportedVersion},
		{"empty", order.TypeDelivered, ``, order.ErrMalformedEvent},
		{"not JSON", order.TypeDelivered, `v=1`, order.ErrMalformedEvent},
		{"array", order.TypeDelivered, `[1]`, order.ErrMalformedEvent},
		{"version not a number", order.TypeDelivered, `{"v":"1"}`, order.ErrMalformedEvent},
		{"version fractional", order.TypeDelivered, `{"v":1.5}`, order.ErrMalformedEvent},
		{"unknown field", order.TypeDelivered, `{"v":1,"deliveredAt":"2026-11-03T09:00:00Z","by":"drone"}`, order.ErrMalformedEvent},
		{"field of the wrong type", order.TypeCancelled, `{"v":1,"reason":"x","byCustomer":"yes"}`, order.ErrMalformedEvent},
		{"bad time", order.TypeConfirmed, `{"v":1,"confirmedAt":"yesterday"}`, order.ErrMalformedEvent},
		{"trailing data", order.TypeDelivered, `{"v":1} {}`, order.ErrMalformedEvent},
		{"truncated", order.TypePaid, `{"v":1,"amount":{"amount":1`, order.ErrMalformedEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := order.Decode(tc.typ, []byte(tc.data))
			if err == nil || e != nil {
				t.Fatalf("Decode = %#v, %v; want an error", e, err)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
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
	f.Add(order.TypePlaced, []byte(`{"v":1,"lines":null,"total":{}}`))
	f.Add(order.TypePlaced, []byte(`{"v":2}`))
	f.Add(order.TypePlaced, []byte(placedV1))
	f.Add(order.TypePlaced, []byte(`{"v":3}`))
	f.Add(order.TypePaid, []byte(`{"v":1,"amount":{"amount":-9223372036854775808,"currency":"EUR"}}`))
	f.Add(order.TypeCancelled, []byte(`{"v":1,"reason":"\u0000","byCustomer":false,"cancelledAt":"2026-11-01T09:03:00+14:00"}`))
	f.Add(order.TypeShipped, []byte(`{"v":1,"V":2}`))
	f.Add("order.unknown", []byte(`{"v":1}`))
	f.Add(order.TypeConfirmed, []byte(`null`))
	f.Add(order.TypeConfirmed, []byte(``))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := order.Decode(typ, data)
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
		current, _ := order.Codec().Current(typ)
		if v := reflect.ValueOf(e).FieldByName("V").Int(); v != int64(current) {
			t.Fatalf("decoded version %d, want %d", v, current)
		}
		stored, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("store %#v: %v", e, err)
		}
		again, err := order.Decode(typ, stored)
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
		_ = order.Evolve(order.State{}, e)
	})
}
