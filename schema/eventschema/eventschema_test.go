package eventschema_test

import (
	"errors"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/schema/eventschema"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// TestDecode decodes events by their stream's category: a context's event
// with its codec, a snapshot when it carries a schema version, and
// nothing of a category no context owns.
func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name         string
		stream, typ  string
		data         string
		want         error // nil: decodes
		wantAnyEvent bool
	}{
		{"an order event", "order-1", order.TypeConfirmed, `{"v":1,"confirmedAt":"2025-03-01T09:00:00Z"}`, nil, true},
		{"an order.placed of version 1", "order-1", order.TypePlaced, `{"v":1,"orderId":"1","customerId":"c","lines":[],"total":{"amount":0,"currency":"EUR"},"shippingAddress":{"name":"","line1":"","city":"","postalCode":"","country":""},"placedAt":"2025-03-01T09:00:00Z"}`, nil, true},
		{"an order event in another context's stream", "payment-1", order.TypeConfirmed, `{"v":1}`, domain.ErrUnknownEventType, false},
		{"a snapshot", "snapshot-inventory-A", command.SnapshotEventType, `{"v":1,"revision":1000,"state":{}}`, nil, false},
		{"a snapshot of an older version", "snapshot-inventory-A", command.SnapshotEventType, `{"v":0,"revision":1000}`, nil, false},
		{"a snapshot without a version", "snapshot-inventory-A", command.SnapshotEventType, `{"revision":1000}`, domain.ErrUnsupportedVersion, false},
		{"another type in a snapshot stream", "snapshot-inventory-A", "order.placed", `{"v":1}`, domain.ErrUnknownEventType, false},
		{"a category no context owns", "audit-1", "audit.login", `{"v":1}`, eventschema.ErrUnknownCategory, false},
		{"the event store's identity", eventstore.IdentityStream, eventstore.IdentityType, `{"id":"0d6f3a52-3c4b-4f0e-9b8e-2f61d7a4c913","created":"2026-12-07T07:40:00Z"}`, nil, false},
		{"a broken identity", eventstore.IdentityStream, eventstore.IdentityType, `{"id":"0d6f3a52-3c4b-4f0e-9b8e-2f61d7a4c913"}`, domain.ErrMalformedEvent, false},
		{"something else in the identity stream", eventstore.IdentityStream, "audit.login", `{"v":1}`, domain.ErrMalformedEvent, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := eventschema.Decode(eventstore.RecordedEvent{Stream: tc.stream, Type: tc.typ, Data: []byte(tc.data)})
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) || (ev != nil) != tc.wantAnyEvent {
				t.Fatalf("Decode = %v, %v; want an event %v, error %v", ev, err, tc.wantAnyEvent, tc.want)
			}
		})
	}
}
