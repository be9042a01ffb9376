package order_test

import (
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// otherEvent is an event of some other context.
type otherEvent struct{}

func (otherEvent) EventType() string { return "inventory.stock_added" }

func TestEvolve(t *testing.T) {
	base := order.State{
		ID:              "o-1",
		CustomerID:      "c-1",
		Status:          order.StatusPending,
		Lines:           placed.Lines,
		Total:           total,
		ShippingAddress: address(),
		Channel:         order.ChannelAPI,
		PlacedAt:        placed.PlacedAt,
		Version:         1,
	}
	tests := []struct {
		name   string
		events []domain.Event
		want   func() order.State
	}{
		{"nothing", nil, func() order.State { return order.State{} }},
		{"placed", []domain.Event{placed}, func() order.State { return base }},
		{"confirmed", []domain.Event{placed, confirmed}, func() order.State {
			s := base
			s.Status, s.ConfirmedAt, s.Version = order.StatusConfirmed, confirmed.ConfirmedAt, 2
			return s
		}},
		{"delivered", []domain.Event{placed, confirmed, paid, shipped, delivered}, func() order.State {
			s := base
			s.Status = order.StatusDelivered
			s.ConfirmedAt = confirmed.ConfirmedAt
			s.ChargeID, s.PaidAmount, s.PaidAt = "ch_1", total, paid.PaidAt
			s.TrackingNumber, s.ShippedAt = "TRK-1", shipped.ShippedAt
			s.DeliveredAt = delivered.DeliveredAt
			s.Version = 5
			return s
		}},
		{"cancelled by the customer", []domain.Event{placed, cancelled}, func() order.State {
			s := base
			s.Status = order.StatusCancelled
			s.CancelReason, s.CancelledByCustomer, s.CancelledAt = "changed my mind", true, cancelled.CancelledAt
			s.Version = 2
			return s
		}},
		{"cancelled by the system after payment", []domain.Event{placed, confirmed, paid, order.Cancelled{V: 1, Reason: "refunded", CancelledAt: t0}}, func() order.State {
			s := base
			s.Status = order.StatusCancelled
			s.ConfirmedAt = confirmed.ConfirmedAt
			s.ChargeID, s.PaidAmount, s.PaidAt = "ch_1", total, paid.PaidAt
			s.CancelReason, s.CancelledAt = "refunded", t0
			s.Version = 4
			return s
		}},
		{"events of another context are ignored", []domain.Event{otherEvent{}, placed, otherEvent{}}, func() order.State { return base }},
		{"nil is ignored", []domain.Event{placed, nil}, func() order.State { return base }},
		{"pointers are ignored", []domain.Event{placed, &confirmed}, func() order.State { return base }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := fold(tc.events...), tc.want(); !reflect.DeepEqual(got, want) {
				t.Fatalf("state\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestEvolveSharesNoMemoryWithTheEvent(t *testing.T) {
	e := placed
	e.Lines = append([]order.Line(nil), placed.Lines...)
	s := order.Evolve(order.State{}, e)
	e.Lines[0].Quantity = 99
	if s.Lines[0].Quantity != 2 {
		t.Fatal("changing the event's lines changed the state")
	}
}

func TestEvolveDoesNotChangeItsInput(t *testing.T) {
	s := fold(placed)
	_ = order.Evolve(s, cancelled)
	if s.Status != order.StatusPending || s.Version != 1 {
		t.Fatalf("Evolve changed its input to %+v", s)
	}
}

func TestExists(t *testing.T) {
	if (order.State{}).Exists() {
		t.Fatal("the zero State exists")
	}
	if !fold(placed).Exists() {
		t.Fatal("a placed order does not exist")
	}
	if fold(otherEvent{}).Exists() {
		t.Fatal("an order of foreign events exists")
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[order.Status]string{
		0:                     "NONE",
		order.StatusPending:   "PENDING",
		order.StatusConfirmed: "CONFIRMED",
		order.StatusPaid:      "PAID",
		order.StatusShipped:   "SHIPPED",
		order.StatusDelivered: "DELIVERED",
		order.StatusCancelled: "CANCELLED",
		42:                    "Status(42)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestStreamID(t *testing.T) {
	if got := order.StreamID("7f3c"); got != "order-7f3c" {
		t.Fatalf("StreamID = %q", got)
	}
	if order.Category != "order" {
		t.Fatalf("Category = %q", order.Category)
	}
}
