package shipping_test

import (
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/shipping"
)

func TestEvolve(t *testing.T) {
	tests := []struct {
		name   string
		events []domain.Event
		want   shipping.State
	}{
		{"nothing", nil, shipping.State{}},
		{"scheduled", []domain.Event{scheduled()},
			shipping.State{OrderID: "o1", Status: shipping.StatusScheduled, Address: home, Carrier: "dhl", Version: 1}},
		{"rejected", []domain.Event{rejectedShipment()},
			shipping.State{OrderID: "o1", Status: shipping.StatusRejected, Address: home, Carrier: "usps",
				Reason: "usps does not deliver to DE", Version: 1}},
		{"cancelled", []domain.Event{scheduled(), cancelled()},
			shipping.State{OrderID: "o1", Status: shipping.StatusCancelled, Address: home, Carrier: "dhl",
				Reason: "payment failed", Version: 2}},
		{"dispatched", []domain.Event{scheduled(), dispatched()},
			shipping.State{OrderID: "o1", Status: shipping.StatusDispatched, Address: home, Carrier: "dhl",
				TrackingNumber: "JJD000390007", Version: 2}},
		{"delivered", []domain.Event{scheduled(), dispatched(), delivered()},
			shipping.State{OrderID: "o1", Status: shipping.StatusDelivered, Address: home, Carrier: "dhl",
				TrackingNumber: "JJD000390007", Version: 3}},
		{"other events are ignored", []domain.Event{scheduled(), otherEvent{}},
			shipping.State{OrderID: "o1", Status: shipping.StatusScheduled, Address: home, Carrier: "dhl", Version: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := given(tc.events...); got != tc.want {
				t.Errorf("state\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestStatusString(t *testing.T) {
	for st, want := range map[shipping.Status]string{
		shipping.StatusNone: "none", shipping.StatusScheduled: "scheduled", shipping.StatusRejected: "rejected",
		shipping.StatusCancelled: "cancelled", shipping.StatusDispatched: "dispatched",
		shipping.StatusDelivered: "delivered", 42: "Status(42)",
	} {
		if got := st.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", st, got, want)
		}
	}
}

// otherEvent belongs to no shipment stream.
type otherEvent struct{}

func (otherEvent) EventType() string { return "order.placed" }
