package inventory_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
)

// stored pairs each event with its stored payload. The payloads are the
// stored format: a change that breaks one needs a new version and an
// upcast, not a new golden string.
var stored = []struct {
	event domain.Event
	json  string
}{
	{inventory.ProductRegistered{V: 1, SKU: "mug-1", Name: "Mug", Price: eur(1250), RegisteredAt: t0},
		`{"v":1,"sku":"mug-1","name":"Mug","price":{"amount":1250,"currency":"EUR"},"registeredAt":"2026-03-01T09:00:00Z"}`},
	{inventory.PriceChanged{V: 1, SKU: "mug-1", Price: eur(1500), ChangedAt: t0},
		`{"v":1,"sku":"mug-1","price":{"amount":1500,"currency":"EUR"},"changedAt":"2026-03-01T09:00:00Z"}`},
	{added(7),
		`{"v":1,"sku":"mug-1","quantity":7,"addedAt":"2026-03-01T09:00:00Z"}`},
	{reserved("o1", 3),
		`{"v":1,"sku":"mug-1","orderId":"o1","quantity":3,"reservedAt":"2026-03-01T09:00:00Z"}`},
	{rejected("o1", 3, 1),
		`{"v":1,"sku":"mug-1","orderId":"o1","requested":3,"available":1,"rejectedAt":"2026-03-01T09:00:00Z"}`},
	{released("o1", 3),
		`{"v":1,"sku":"mug-1","orderId":"o1","quantity":3,"reason":"payment failed","releasedAt":"2026-03-01T09:00:00Z"}`},
	{shipped("o1", 3),
		`{"v":1,"sku":"mug-1","orderId":"o1","quantity":3,"shippedAt":"2026-03-01T09:00:00Z"}`},
}

func TestCodecRoundTrip(t *testing.T) {
	for _, tc := range stored {
		t.Run(tc.event.EventType(), func(t *testing.T) {
			data, err := json.Marshal(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.json {
				t.Errorf("encoded\n got %s\nwant %s", data, tc.json)
			}
			got, err := inventory.Decode(tc.event.EventType(), []byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.event) {
				t.Errorf("decoded\n got %#v\nwant %#v", got, tc.event)
			}
		})
	}
}

func TestEventTypesAllCovered(t *testing.T) {
	var covered []string
	for _, tc := range stored {
		covered = append(covered, tc.event.EventType())
	}
	types := inventory.EventTypes()
	slices.Sort(types)
	slices.Sort(covered)
	if !slices.Equal(types, covered) {
		t.Fatalf("EventTypes() = %v, round-trip tests cover %v", types, covered)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		data string
		want error
	}{
		{"unknown type", "inventory.stock_stolen", `{"v":1}`, inventory.ErrUnknownEventType},
		{"another context's type", "order.placed", `{"v":1}`, inventory.ErrUnknownEventType},
		{"newer version", inventory.TypeStockAdded, `{"v":2,"sku":"mug-1","quantity":7}`, inventory.ErrUnsupportedVersion},
		{"version zero", inventory.TypeStockAdded, `{"v":0,"sku":"mug-1","quantity":7}`, inventory.ErrUnsupportedVersion},
		{"negative version", inventory.TypeStockAdded, `{"v":-1}`, inventory.ErrUnsupportedVersion},
		{"no version", inventory.TypeStockAdded, `{"sku":"mug-1","quantity":7}`, inventory.ErrUnsupportedVersion},
		{"null", inventory.TypeStockAdded, `null`, inventory.ErrUnsupportedVersion},
		{"version as a string", inventory.TypeStockAdded, `{"v":"1"}`, inventory.ErrMalformedEvent},
		{"version as a fraction", inventory.TypeStockAdded, `{"v":1.5}`, inventory.ErrMalformedEvent},
		{"not JSON", inventory.TypeStockAdded, `v=1`, inventory.ErrMalformedEvent},
		{"empty", inventory.TypeStockAdded, ``, inventory.ErrMalformedEvent},
		{"an array", inventory.TypeStockAdded, `[1]`, inventory.ErrMalformedEvent},
		{"trailing data", inventory.TypeStockAdded, `{"v":1} {}`, inventory.ErrMalformedEvent},
		{"quantity as a string", inventory.TypeStockAdded, `{"v":1,"quantity":"7"}`, inventory.ErrMalformedEvent},
		{"bad time", inventory.TypeStockAdded, `{"v":1,"addedAt":"yesterday"}`, inventory.ErrMalformedEvent},
		{"price as a number", inventory.TypeProductRegistered, `{"v":1,"price":12.5}`, inventory.ErrMalformedEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := inventory.Decode(tc.typ, []byte(tc.data))
			if !errors.Is(err, tc.want) || e != nil {
				t.Fatalf("Decode(%q, %s) = %#v, %v; want %v", tc.typ, tc.data, e, err, tc.want)
			}
		})
	}
}

// FuzzDecode checks that Decode never panics, and that whatever it accepts
// is an event of the type asked for that encodes to a payload Decode reads
// back to the same encoding.
func FuzzDecode(f *testing.F) {
	for _, tc := range stored {
		f.Add(tc.event.EventType(), []byte(tc.json))
	}
	f.Add(inventory.TypeStockAdded, []byte(`{"v":2}`))
	f.Add(inventory.TypeStockAdded, []byte(`{"v":1,"addedAt":"2026-03-01T10:00:00+01:00"}`))
	f.Add(inventory.TypeReservationReleased, []byte(`{"v":1,"reason":"\u00ff\xff"}`))
	f.Add("order.placed", []byte(`{"v":1}`))
	f.Add(inventory.TypeStockShipped, []byte(`null`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := inventory.Decode(typ, data)
		if err != nil {
			if e != nil {
				t.Fatalf("Decode returned %#v with error %v", e, err)
			}
			return
		}
		if e.EventType() != typ {
			t.Fatalf("Decode(%q) returned a %s", typ, e.EventType())
		}
		first, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("encode decoded %#v: %v", e, err)
		}
		again, err := inventory.Decode(typ, first)
		if err != nil {
			t.Fatalf("decode re-encoded %s: %v", first, err)
		}
		second, err := json.Marshal(again)
		if err != nil {
			t.Fatalf("encode %#v: %v", again, err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("round trip changed the payload:\n%s\n%s", first, second)
		}
	})
}
