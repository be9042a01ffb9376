package inventory_test

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
)

func TestEvolve(t *testing.T) {
	type want struct {
		onHand, reserved, available int64
		reservations                map[string]inventory.Reservation
		version                     int64
	}
	active := func(q int64) inventory.Reservation {
		return inventory.Reservation{Quantity: q, Status: inventory.StatusActive}
	}
	tests := []struct {
		name   string
		events []domain.Event
		want   want
	}{
		{"nothing", nil, want{}},
		{"registered", []domain.Event{registered()}, want{version: 1}},
		{"stock adds up", []domain.Event{registered(), added(3), added(4)},
			want{onHand: 7, available: 7, version: 3}},
		{"a reservation holds stock", []domain.Event{registered(), added(10), reserved("o1", 3)},
			want{onHand: 10, reserved: 3, available: 7, version: 3,
				reservations: map[string]inventory.Reservation{"o1": active(3)}}},
		{"a rejection holds nothing", []domain.Event{registered(), added(1), rejected("o1", 3, 1)},
			want{onHand: 1, available: 1, version: 3}},
		{"a release gives stock back", []domain.Event{registered(), added(10), reserved("o1", 3), reserved("o2", 2), released("o1", 3)},
			want{onHand: 10, reserved: 2, available: 8, version: 5,
				reservations: map[string]inventory.Reservation{
					"o1": {Quantity: 3, Status: inventory.StatusReleased}, "o2": active(2)}}},
		{"a shipment leaves the warehouse", []domain.Event{registered(), added(10), reserved("o1", 3), shipped("o1", 3)},
			want{onHand: 7, available: 7, version: 4,
				reservations: map[string]inventory.Reservation{"o1": {Quantity: 3, Status: inventory.StatusShipped}}}},
		{"a release without a reservation changes no stock", []domain.Event{registered(), added(10), released("o1", 3)},
			want{onHand: 10, available: 10, version: 3}},
		{"a shipment without a reservation changes no stock", []domain.Event{registered(), added(10), shipped("o1", 3)},
			want{onHand: 10, available: 10, version: 3}},
		{"a finished reservation is not released again", []domain.Event{registered(), added(10), reserved("o1", 3), shipped("o1", 3), released("o1", 3)},
			want{onHand: 7, available: 7, version: 5,
				reservations: map[string]inventory.Reservation{"o1": {Quantity: 3, Status: inventory.StatusShipped}}}},
		{"a second reservation for an order replaces the first", []domain.Event{registered(), added(10), reserved("o1", 3), reserved("o1", 5)},
			want{onHand: 10, reserved: 5, available: 5, version: 4,
				reservations: map[string]inventory.Reservation{"o1": active(5)}}},
		{"other events are ignored", []domain.Event{registered(), otherEvent{}},
			want{version: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := given(tc.events...)
			got := want{s.OnHand, s.Reserved, s.Available(), s.Reservations, s.Version}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("state\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestEvolveCatalog(t *testing.T) {
	s := given(registered(), inventory.PriceChanged{V: 1, SKU: "mug-1", Price: eur(1500), ChangedAt: t0})
	if !s.Registered || s.SKU != "mug-1" || s.Name != "Mug" || s.Price != eur(1500) {
		t.Fatalf("catalog entry = %+v", s)
	}
	if given().Registered {
		t.Fatal("zero state is registered")
	}
}

func TestClone(t *testing.T) {
	s := given(registered(), added(10), reserved("o1", 3))
	c := s.Clone()
	_ = inventory.Evolve(s, shipped("o1", 3)) // may write to s.Reservations
	if c.Reservations["o1"].Status != inventory.StatusActive || c.OnHand != 10 {
		t.Fatalf("clone changed with the original: %+v", c)
	}
}

func TestReservationStatusString(t *testing.T) {
	for st, want := range map[inventory.ReservationStatus]string{
		inventory.StatusActive: "active", inventory.StatusReleased: "released",
		inventory.StatusShipped: "shipped", 0: "ReservationStatus(0)",
	} {
		if got := st.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", st, got, want)
		}
	}
}

// TestInvariants runs random commands through Decide and Evolve and checks
// after each that stock never goes negative and Reserved is the sum of the
// active reservations, never more than OnHand.
func TestInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 200; run++ {
		s := given(registered())
		at := t0
		for step := 0; step < 100; step++ {
			order := "o" + strconv.Itoa(rng.IntN(8))
			var cmd inventory.Command
			switch rng.IntN(5) {
			case 0:
				cmd = inventory.AddStock{Quantity: 1 + rng.Int64N(5)}
			case 1, 2:
				cmd = inventory.Reserve{OrderID: order, Quantity: 1 + rng.Int64N(6)}
			case 3:
				cmd = inventory.Release{OrderID: order, Reason: "cancelled"}
			case 4:
				cmd = inventory.Ship{OrderID: order}
			}
			at = at.Add(time.Second)
			events, err := inventory.Decide(s, cmd, at)
			if err != nil {
				continue // a rule said no; the state must still hold
			}
			for _, e := range events {
				s = inventory.Evolve(s, e)
			}
			var sum int64
			for _, r := range s.Reservations {
				if r.Status == inventory.StatusActive {
					sum += r.Quantity
				}
			}
			if s.OnHand < 0 || s.Reserved < 0 || s.Reserved > s.OnHand || s.Reserved != sum {
				t.Fatalf("run %d step %d after %#v: OnHand %d Reserved %d (active sum %d)",
					run, step, cmd, s.OnHand, s.Reserved, sum)
			}
		}
	}
}

// otherEvent belongs to no inventory stream.
type otherEvent struct{}

func (otherEvent) EventType() string { return "order.placed" }
