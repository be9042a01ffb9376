package shipping_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/shipping"
)

// given folds events into a fresh State.
func given(events ...domain.Event) shipping.State {
	var s shipping.State
	for _, e := range events {
		s = shipping.Evolve(s, e)
	}
	return s
}

type decideCase struct {
	name    string
	given   []domain.Event
	cmd     shipping.Command
	want    []domain.Event // nil: no events
	wantErr error          // the package error the result must match
}

func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := given(tc.given...)
			before := s
			got, err := shipping.Decide(s, tc.cmd, now)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Decide(%#v) error = %v, want %v", tc.cmd, err, tc.wantErr)
				}
				if got != nil {
					t.Errorf("Decide(%#v) returned events %v with an error", tc.cmd, got)
				}
			} else if err != nil {
				t.Fatalf("Decide(%#v): %v", tc.cmd, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decide(%#v)\n got %#v\nwant %#v", tc.cmd, got, tc.want)
			}
			if s != before {
				t.Errorf("Decide changed its state: %#v, was %#v", s, before)
			}
		})
	}
}

func TestDecideSchedule(t *testing.T) {
	sched := func(a shipping.Address, carrier string, served ...string) shipping.Schedule {
		return shipping.Schedule{OrderID: "o1", Address: a, Carrier: carrier, ServedCountries: served}
	}
	with := func(change func(*shipping.Address)) shipping.Address {
		a := home
		change(&a)
		return a
	}
	shipmentScheduled := func(a shipping.Address) shipping.ShipmentScheduled {
		return shipping.ShipmentScheduled{V: 1, OrderID: "o1", Address: a, Carrier: "dhl", ScheduledAt: now}
	}
	minimal := shipping.Address{Name: "A", Line1: "1", City: "Hong Kong", Country: "HK"}
	full := with(func(a *shipping.Address) {
		a.Name = strings.Repeat("n", shipping.MaxAddressFieldLength)
		a.Line2 = "Hinterhaus"
		a.PostalCode = strings.Repeat("9", shipping.MaxPostalCodeLength)
	})
	runDecide(t, []decideCase{
		{name: "schedules to a served country",
			cmd:  sched(home, "dhl", "AT", "DE"),
			want: []domain.Event{shipmentScheduled(home)}},
		{name: "line2 and postal code are optional",
			cmd:  sched(minimal, "dhl", "HK"),
			want: []domain.Event{shipmentScheduled(minimal)}},
		{name: "longest fields",
			cmd:  sched(full, "dhl", "DE"),
			want: []domain.Event{shipmentScheduled(full)}},
		{name: "a country the carrier does not serve is a rejection event",
			cmd: sched(home, "usps", "US", "CA"),
			want: []domain.Event{shipping.ShipmentRejected{V: 1, OrderID: "o1", Address: home, Carrier: "usps",
				Reason: "usps does not deliver to DE", RejectedAt: now}}},
		{name: "scheduling again does nothing",
			given: []domain.Event{scheduled()},
			cmd:   sched(home, "dhl", "DE")},
		{name: "scheduling again with another coverage does nothing",
			given: []domain.Event{scheduled()},
			cmd:   sched(home, "dhl", "FR")},
		{name: "scheduling a rejected shipment again does nothing",
			given: []domain.Event{rejectedShipment()},
			cmd:   sched(home, "usps", "US")},
		{name: "scheduling again after dispatch does nothing",
			given: []domain.Event{scheduled(), dispatched()},
			cmd:   sched(home, "dhl", "DE")},
		{name: "scheduling again after delivery does nothing",
			given: []domain.Event{scheduled(), dispatched(), delivered()},
			cmd:   sched(home, "dhl", "DE")},
		{name: "scheduling again after cancellation does nothing",
			given: []domain.Event{scheduled(), cancelled()},
			cmd:   sched(home, "dhl", "DE")},
		{name: "scheduling again to another address",
			given:   []domain.Event{scheduled()},
			cmd:     sched(with(func(a *shipping.Address) { a.City = "Hamburg" }), "dhl", "DE"),
			wantErr: shipping.ErrScheduleConflict},
		{name: "scheduling again with another carrier",
			given:   []domain.Event{scheduled()},
			cmd:     sched(home, "ups", "DE"),
			wantErr: shipping.ErrScheduleConflict},
		{name: "a rejected shipment with another carrier",
			given:   []domain.Event{rejectedShipment()},
			cmd:     sched(home, "dhl", "DE"),
			wantErr: shipping.ErrScheduleConflict},
		{name: "another order on the same stream",
			given:   []domain.Event{scheduled()},
			cmd:     shipping.Schedule{OrderID: "o2", Address: home, Carrier: "dhl", ServedCountries: []string{"DE"}},
			wantErr: shipping.ErrScheduleConflict},
		{name: "empty order id",
			cmd:     shipping.Schedule{Address: home, Carrier: "dhl", ServedCountries: []string{"DE"}},
			wantErr: shipping.ErrInvalidOrderID},
		{name: "order id with a slash",
			cmd:     shipping.Schedule{OrderID: "o/1", Address: home, Carrier: "dhl", ServedCountries: []string{"DE"}},
			wantErr: shipping.ErrInvalidOrderID},
		{name: "order id too long",
			cmd:     shipping.Schedule{OrderID: strings.Repeat("o", 65), Address: home, Carrier: "dhl", ServedCountries: []string{"DE"}},
			wantErr: shipping.ErrInvalidOrderID},
		{name: "no name",
			cmd:     sched(with(func(a *shipping.Address) { a.Name = "" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "blank first line",
			cmd:     sched(with(func(a *shipping.Address) { a.Line1 = "  " }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "no city",
			cmd:     sched(with(func(a *shipping.Address) { a.City = "" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "blank second line",
			cmd:     sched(with(func(a *shipping.Address) { a.Line2 = " " }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "name too long",
			cmd:     sched(with(func(a *shipping.Address) { a.Name = strings.Repeat("n", shipping.MaxAddressFieldLength+1) }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "postal code too long",
			cmd:     sched(with(func(a *shipping.Address) { a.PostalCode = strings.Repeat("9", shipping.MaxPostalCodeLength+1) }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "control character in a line",
			cmd:     sched(with(func(a *shipping.Address) { a.Line1 = "Hauptstraße 1\r\nX" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "city not UTF-8",
			cmd:     sched(with(func(a *shipping.Address) { a.City = "Berlin\xff" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "no country",
			cmd:     sched(with(func(a *shipping.Address) { a.Country = "" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "lower-case country",
			cmd:     sched(with(func(a *shipping.Address) { a.Country = "de" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "three-letter country",
			cmd:     sched(with(func(a *shipping.Address) { a.Country = "DEU" }), "dhl", "DE"),
			wantErr: shipping.ErrInvalidAddress},
		{name: "no carrier",
			cmd:     sched(home, "", "DE"),
			wantErr: shipping.ErrInvalidCarrier},
		{name: "carrier too long",
			cmd:     sched(home, strings.Repeat("c", shipping.MaxCarrierLength+1), "DE"),
			wantErr: shipping.ErrInvalidCarrier},
		{name: "no served countries",
			cmd:     sched(home, "dhl"),
			wantErr: shipping.ErrInvalidServedCountries},
		{name: "a malformed served country",
			cmd:     sched(home, "dhl", "DE", "germany"),
			wantErr: shipping.ErrInvalidServedCountries},
	})
}

func TestDecideCancel(t *testing.T) {
	cancel := shipping.Cancel{Reason: "payment failed"}
	runDecide(t, []decideCase{
		{name: "cancels a scheduled shipment",
			given: []domain.Event{scheduled()},
			cmd:   cancel,
			want:  []domain.Event{shipping.ShipmentCancelled{V: 1, OrderID: "o1", Reason: "payment failed", CancelledAt: now}}},
		{name: "cancelling twice does nothing",
			given: []domain.Event{scheduled(), cancelled()},
			cmd:   cancel},
		{name: "cancelling a rejected shipment does nothing",
			given: []domain.Event{rejectedShipment()},
			cmd:   cancel},
		{name: "never scheduled",
			cmd:     cancel,
			wantErr: shipping.ErrShipmentNotFound},
		{name: "dispatched",
			given:   []domain.Event{scheduled(), dispatched()},
			cmd:     cancel,
			wantErr: shipping.ErrAlreadyDispatched},
		{name: "delivered",
			given:   []domain.Event{scheduled(), dispatched(), delivered()},
			cmd:     cancel,
			wantErr: shipping.ErrAlreadyDelivered},
		{name: "no reason",
			given:   []domain.Event{scheduled()},
			cmd:     shipping.Cancel{},
			wantErr: shipping.ErrInvalidReason},
		{name: "reason too long",
			given:   []domain.Event{scheduled()},
			cmd:     shipping.Cancel{Reason: strings.Repeat("r", shipping.MaxReasonLength+1)},
			wantErr: shipping.ErrInvalidReason},
	})
}

func TestDecideDispatch(t *testing.T) {
	dispatch := shipping.Dispatch{TrackingNumber: "JJD000390007"}
	runDecide(t, []decideCase{
		{name: "dispatches a scheduled shipment",
			given: []domain.Event{scheduled()},
			cmd:   dispatch,
			want:  []domain.Event{shipping.ShipmentDispatched{V: 1, OrderID: "o1", TrackingNumber: "JJD000390007", DispatchedAt: now}}},
		{name: "dispatching again does nothing",
			given: []domain.Event{scheduled(), dispatched()},
			cmd:   dispatch},
		{name: "dispatching a delivered shipment again does nothing",
			given: []domain.Event{scheduled(), dispatched(), delivered()},
			cmd:   dispatch},
		{name: "dispatching again with another tracking number",
			given:   []domain.Event{scheduled(), dispatched()},
			cmd:     shipping.Dispatch{TrackingNumber: "1Z999AA10123456784"},
			wantErr: shipping.ErrAlreadyDispatched},
		{name: "never scheduled",
			cmd:     dispatch,
			wantErr: shipping.ErrShipmentNotFound},
		{name: "rejected",
			given:   []domain.Event{rejectedShipment()},
			cmd:     dispatch,
			wantErr: shipping.ErrShipmentRejected},
		{name: "cancelled",
			given:   []domain.Event{scheduled(), cancelled()},
			cmd:     dispatch,
			wantErr: shipping.ErrShipmentCancelled},
		{name: "no tracking number",
			given:   []domain.Event{scheduled()},
			cmd:     shipping.Dispatch{},
			wantErr: shipping.ErrInvalidTrackingNumber},
		{name: "tracking number too long",
			given:   []domain.Event{scheduled()},
			cmd:     shipping.Dispatch{TrackingNumber: strings.Repeat("1", shipping.MaxTrackingNumberLength+1)},
			wantErr: shipping.ErrInvalidTrackingNumber},
	})
}

func TestDecideDeliver(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "delivers a dispatched shipment",
			given: []domain.Event{scheduled(), dispatched()},
			cmd:   shipping.Deliver{},
			want:  []domain.Event{shipping.ShipmentDelivered{V: 1, OrderID: "o1", DeliveredAt: now}}},
		{name: "delivering twice does nothing",
			given: []domain.Event{scheduled(), dispatched(), delivered()},
			cmd:   shipping.Deliver{}},
		{name: "never scheduled",
			cmd:     shipping.Deliver{},
			wantErr: shipping.ErrShipmentNotFound},
		{name: "not dispatched yet",
			given:   []domain.Event{scheduled()},
			cmd:     shipping.Deliver{},
			wantErr: shipping.ErrNotDispatched},
		{name: "rejected",
			given:   []domain.Event{rejectedShipment()},
			cmd:     shipping.Deliver{},
			wantErr: shipping.ErrShipmentRejected},
		{name: "cancelled",
			given:   []domain.Event{scheduled(), cancelled()},
			cmd:     shipping.Deliver{},
			wantErr: shipping.ErrShipmentCancelled},
	})
}

func TestDecideUnknownCommand(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "nil", given: []domain.Event{scheduled()}, cmd: nil, wantErr: shipping.ErrUnknownCommand},
		{name: "pointer", given: []domain.Event{scheduled()}, cmd: &shipping.Deliver{}, wantErr: shipping.ErrUnknownCommand},
	})
}

func TestDecideStampsUTC(t *testing.T) {
	local := now.In(time.FixedZone("CET", 3600))
	got, err := shipping.Decide(given(scheduled()), shipping.Dispatch{TrackingNumber: "T1"}, local)
	if err != nil {
		t.Fatal(err)
	}
	at := got[0].(shipping.ShipmentDispatched).DispatchedAt
	if at.Location() != time.UTC || !at.Equal(now) {
		t.Fatalf("DispatchedAt = %v, want %v in UTC", at, now)
	}
}
