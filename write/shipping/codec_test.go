package shipping_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/shipping"
)

// stored pairs each event with its stored payload. The payloads are the
// stored format: a change that breaks one needs a new version and an
// upcast, not a new golden string.
var stored = []struct {
	event domain.Event
	json  string
}{
	{scheduled(),
		`{"v":1,"orderId":"o1","address":{"name":"Ada Lovelace","line1":"Hauptstraße 1","line2":"","city":"Berlin","postalCode":"10115","country":"DE"},"carrier":"dhl","scheduledAt":"2026-03-01T09:00:00Z"}`},
	{rejectedShipment(),
		`{"v":1,"orderId":"o1","address":{"name":"Ada Lovelace","line1":"Hauptstraße 1","line2":"","city":"Berlin","postalCode":"10115","country":"DE"},"carrier":"usps","reason":"usps does not deliver to DE","rejectedAt":"2026-03-01T09:00:00Z"}`},
	{cancelled(),
		`{"v":1,"orderId":"o1","reason":"payment failed","cancelledAt":"2026-03-01T09:00:00Z"}`},
	{dispatched(),
		`{"v":1,"orderId":"o1","trackingNumber":"JJD000390007","dispatchedAt":"2026-03-01T09:00:00Z"}`},
	{delivered(),
		`{"v":1,"orderId":"o1","deliveredAt":"2026-03-01T09:00:00Z"}`},
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
			got, err := shipping.Decode(tc.event.EventType(), []byte(tc.json))
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
	types := shipping.EventTypes()
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
		{"unknown type", "shipping.shipment_lost", `{"v":1}`, shipping.ErrUnknownEventType},
		{"another context's type", "inventory.stock_added", `{"v":1}`, shipping.ErrUnknownEventType},
		{"newer version", shipping.TypeShipmentDispatched, `{"v":2,"orderId":"o1"}`, shipping.ErrUnsupportedVersion},
		{"version zero", shipping.TypeShipmentDispatched, `{"v":0,"orderId":"o1"}`, shipping.ErrUnsupportedVersion},
		{"negative version", shipping.TypeShipmentDispatched, `{"v":-1}`, shipping.ErrUnsupportedVersion},
		{"no version", shipping.TypeShipmentDispatched, `{"orderId":"o1"}`, shipping.ErrUnsupportedVersion},
		{"null", shipping.TypeShipmentDelivered, `null`, shipping.ErrUnsupportedVersion},
		{"version as a string", shipping.TypeShipmentDispatched, `{"v":"1"}`, shipping.ErrMalformedEvent},
		{"version as a fraction", shipping.TypeShipmentDispatched, `{"v":1.5}`, shipping.ErrMalformedEvent},
		{"not JSON", shipping.TypeShipmentDispatched, `v=1`, shipping.ErrMalformedEvent},
		{"empty", shipping.TypeShipmentDispatched, ``, shipping.ErrMalformedEvent},
		{"an array", shipping.TypeShipmentDispatched, `[1]`, shipping.ErrMalformedEvent},
		{"trailing data", shipping.TypeShipmentDispatched, `{"v":1} {}`, shipping.ErrMalformedEvent},
		{"tracking number as a number", shipping.TypeShipmentDispatched, `{"v":1,"trackingNumber":7}`, shipping.ErrMalformedEvent},
		{"bad time", shipping.TypeShipmentDelivered, `{"v":1,"deliveredAt":"yesterday"}`, shipping.ErrMalformedEvent},
		{"address as a string", shipping.TypeShipmentScheduled, `{"v":1,"address":"Berlin"}`, shipping.ErrMalformedEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := shipping.Decode(tc.typ, []byte(tc.data))
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
	f.Add(shipping.TypeShipmentDispatched, []byte(`{"v":2}`))
	f.Add(shipping.TypeShipmentDelivered, []byte(`{"v":1,"deliveredAt":"2026-03-01T10:00:00+01:00"}`))
	f.Add(shipping.TypeShipmentCancelled, []byte(`{"v":1,"reason":"\u00ff\xff"}`))
	f.Add("inventory.stock_added", []byte(`{"v":1}`))
	f.Add(shipping.TypeShipmentScheduled, []byte(`null`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := shipping.Decode(typ, data)
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
		again, err := shipping.Decode(typ, first)
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
