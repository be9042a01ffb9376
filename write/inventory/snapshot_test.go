package inventory_test

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
)

func TestSnapshotRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		events []domain.Event
	}{
		{"nothing", nil},
		{"registered", []domain.Event{registered(), added(10)}},
		{"active and finished", []domain.Event{registered(), added(10), reserved("o1", 3), reserved("o2", 2), reserved("o3", 1), released("o1", 3), shipped("o2", 2)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := given(tc.events...)
			data, err := inventory.EncodeSnapshot(s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := inventory.DecodeSnapshot(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, s) {
				t.Fatalf("round trip\n got %#v\nwant %#v", got, s)
			}
			// The decoded state goes on deciding as the original does.
			for _, cmd := range []inventory.Command{inventory.Reserve{OrderID: "o1", Quantity: 3}, inventory.Ship{OrderID: "o2"}, inventory.Ship{OrderID: "o3"}} {
				want, wantErr := inventory.Decide(s, cmd, now)
				have, haveErr := inventory.Decide(got, cmd, now)
				if !reflect.DeepEqual(have, want) || (haveErr == nil) != (wantErr == nil) {
					t.Fatalf("%#v: decoded state decides %v, %v; original %v, %v", cmd, have, haveErr, want, wantErr)
				}
			}
		})
	}
	if _, err := inventory.DecodeSnapshot([]byte(`{"sku":"a","extra":1}`)); err == nil {
		t.Fatal("a snapshot with an unknown field was read")
	}
}

// TestStateIsBounded finishes many more reservations than FinishedWindow:
// the state keeps the active ones and the most recent finished ones only,
// and its snapshot stays the same size.
func TestStateIsBounded(t *testing.T) {
	s := given(registered(), added(1_000_000))
	const orders = 3 * inventory.FinishedWindow
	for i := range orders {
		id := "o" + strconv.Itoa(i)
		s = inventory.Evolve(s, reserved(id, 1))
		if i%2 == 0 {
			s = inventory.Evolve(s, shipped(id, 1))
		} else {
			s = inventory.Evolve(s, released(id, 1))
		}
	}
	s = inventory.Evolve(s, reserved("open", 2))
	if len(s.Reservations) != inventory.FinishedWindow+1 {
		t.Fatalf("%d reservations kept, want %d finished + 1 active", len(s.Reservations), inventory.FinishedWindow)
	}
	if s.OnHand != 1_000_000-orders/2 || s.Reserved != 2 {
		t.Fatalf("OnHand %d Reserved %d", s.OnHand, s.Reserved)
	}
	last := "o" + strconv.Itoa(orders-1) // released
	if _, err := inventory.Decide(s, inventory.Reserve{OrderID: last, Quantity: 1}, now); err == nil {
		t.Fatal("a recently released order reserved again")
	}
	// The oldest finished order is forgotten: a retry of its reservation
	// is decided again (the event store recognises its event ids).
	events, err := inventory.Decide(s, inventory.Reserve{OrderID: "o1", Quantity: 1}, now)
	if err != nil || len(events) != 1 {
		t.Fatalf("forgotten order: %v, %v", events, err)
	}
}
