package order_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

// TestDecideTransitions runs every command against an order in every
// status: the command either happens (one event of the given type), is a
// repeat (no events, no error), or is refused with the given error.
func TestDecideTransitions(t *testing.T) {
	otherPlacement := place()
	otherPlacement.CustomerID = "c-2"
	commands := []struct {
		name string
		cmd  order.Command
	}{
		{"place again", place()},
		{"place differently", otherPlacement},
		{"confirm", order.Confirm{}},
		{"mark paid", order.MarkPaid{Amount: total, ChargeID: "ch_1"}},
		{"mark shipped", order.MarkShipped{TrackingNumber: "TRK-1"}},
		{"mark delivered", order.MarkDelivered{}},
		{"cancel by customer", order.Cancel{Reason: "changed my mind", ByCustomer: true}},
		{"cancel by system", order.Cancel{Reason: "payment failed"}},
	}
	// An outcome is an event type, noop, or an error.
	const noop = "no-op"
	want := map[string][]any{
		//           place again         place differently   confirm                       mark paid                 mark shipped                mark delivered                cancel by customer            cancel by system
		"none":      {order.TypePlaced, order.TypePlaced, order.ErrOrderNotFound, order.ErrOrderNotFound, order.ErrOrderNotFound, order.ErrOrderNotFound, order.ErrOrderNotFound, order.ErrOrderNotFound},
		"pending":   {noop, order.ErrOrderExists, order.TypeConfirmed, order.ErrOrderNotPayable, order.ErrOrderNotShippable, order.ErrOrderNotDeliverable, order.TypeCancelled, order.TypeCancelled},
		"confirmed": {noop, order.ErrOrderExists, noop, order.TypePaid, order.ErrOrderNotShippable, order.ErrOrderNotDeliverable, order.TypeCancelled, order.TypeCancelled},
		"paid":      {noop, order.ErrOrderExists, order.ErrOrderNotConfirmable, noop, order.TypeShipped, order.ErrOrderNotDeliverable, order.ErrOrderNotCancellable, order.TypeCancelled},
		"shipped":   {noop, order.ErrOrderExists, order.ErrOrderNotConfirmable, order.ErrOrderNotPayable, noop, order.TypeDelivered, order.ErrOrderNotCancellable, order.ErrOrderNotCancellable},
		"delivered": {noop, order.ErrOrderExists, order.ErrOrderNotConfirmable, order.ErrOrderNotPayable, order.ErrOrderNotShippable, noop, order.ErrOrderNotCancellable, order.ErrOrderNotCancellable},
		"cancelled": {noop, order.ErrOrderExists, order.ErrOrderNotConfirmable, order.ErrOrderNotPayable, order.ErrOrderNotShippable, order.ErrOrderNotDeliverable, noop, noop},
	}
	for _, h := range histories {
		outcomes, ok := want[h.name]
		if !ok || len(outcomes) != len(commands) {
			t.Fatalf("no complete row of outcomes for status %q", h.name)
		}
		for i, c := range commands {
			t.Run(h.name+"/"+c.name, func(t *testing.T) {
				s := fold(h.history...)
				events, err := order.Decide(s, c.cmd, now)
				switch w := outcomes[i].(type) {
				case error:
					checkErr(t, err, w)
					if events != nil {
						t.Fatalf("refused, yet events %v", events)
					}
				case string:
					checkErr(t, err, nil)
					if w == noop {
						if len(events) != 0 {
							t.Fatalf("events %v, want none", events)
						}
						return
					}
					if len(events) != 1 || events[0].EventType() != w {
						t.Fatalf("events %v, want one %s", events, w)
					}
				}
			})
		}
	}
}

func TestDecideEvents(t *testing.T) {
	utc := now.UTC()
	tests := []struct {
		name    string
		history []domain.Event
		cmd     order.Command
		want    domain.Event
	}{
		{"place", nil, place(), order.Placed{
			V: order.PlacedVersion, OrderID: "o-1", CustomerID: "c-1",
			Lines:           []order.Line{{SKU: "SKU-1", Quantity: 2, UnitPrice: eur(1999)}, {SKU: "SKU-2", Quantity: 1, UnitPrice: eur(500)}},
			Total:           eur(4498),
			ShippingAddress: address(),
			Channel:         order.ChannelAPI,
			PlacedAt:        utc,
		}},
		{"place through the mobile app", nil, func() order.Place { p := place(); p.Channel = order.ChannelMobile; return p }(), order.Placed{
			V: order.PlacedVersion, OrderID: "o-1", CustomerID: "c-1",
			Lines:           []order.Line{{SKU: "SKU-1", Quantity: 2, UnitPrice: eur(1999)}, {SKU: "SKU-2", Quantity: 1, UnitPrice: eur(500)}},
			Total:           eur(4498),
			ShippingAddress: address(),
			Channel:         order.ChannelMobile,
			PlacedAt:        utc,
		}},
		{"confirm", []domain.Event{placed}, order.Confirm{}, order.Confirmed{V: order.ConfirmedVersion, ConfirmedAt: utc}},
		{"mark paid", []domain.Event{placed, confirmed}, order.MarkPaid{Amount: total, ChargeID: "ch_9"},
			order.Paid{V: order.PaidVersion, ChargeID: "ch_9", Amount: total, PaidAt: utc}},
		{"mark paid without a charge id", []domain.Event{placed, confirmed}, order.MarkPaid{Amount: total},
			order.Paid{V: order.PaidVersion, Amount: total, PaidAt: utc}},
		{"mark shipped", []domain.Event{placed, confirmed, paid}, order.MarkShipped{TrackingNumber: "TRK-9"},
			order.Shipped{V: order.ShippedVersion, TrackingNumber: "TRK-9", ShippedAt: utc}},
		{"mark shipped without a tracking number", []domain.Event{placed, confirmed, paid}, order.MarkShipped{},
			order.Shipped{V: order.ShippedVersion, ShippedAt: utc}},
		{"mark delivered", []domain.Event{placed, confirmed, paid, shipped}, order.MarkDelivered{},
			order.Delivered{V: order.DeliveredVersion, DeliveredAt: utc}},
		{"customer cancels a pending order", []domain.Event{placed}, order.Cancel{Reason: "too slow", ByCustomer: true},
			order.Cancelled{V: order.CancelledVersion, Reason: "too slow", ByCustomer: true, CancelledAt: utc}},
		{"customer cancels a confirmed order", []domain.Event{placed, confirmed}, order.Cancel{Reason: "too slow", ByCustomer: true},
			order.Cancelled{V: order.CancelledVersion, Reason: "too slow", ByCustomer: true, CancelledAt: utc}},
		{"system cancels a paid order", []domain.Event{placed, confirmed, paid}, order.Cancel{Reason: "no shipment possible\nrefunded"},
			order.Cancelled{V: order.CancelledVersion, Reason: "no shipment possible\nrefunded", CancelledAt: utc}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := order.Decide(fold(tc.history...), tc.cmd, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := []domain.Event{tc.want}; !reflect.DeepEqual(events, want) {
				t.Fatalf("events\n%#v\nwant\n%#v", events, want)
			}
		})
	}
}

func TestDecidePlace(t *testing.T) {
	with := func(change func(*order.Place)) order.Place {
		p := place()
		change(&p)
		return p
	}
	withAddress := func(change func(*order.Address)) order.Place {
		return with(func(p *order.Place) { change(&p.ShippingAddress) })
	}
	// manyLines returns n lines of distinct products, each priced 1.00.
	manyLines := func(n int) order.Place {
		return with(func(p *order.Place) {
			p.Lines = nil
			for i := range n {
				sku := fmt.Sprintf("SKU-%d", i)
				p.Lines = append(p.Lines, order.LineRequest{SKU: sku, Quantity: 1})
				p.Prices[sku] = eur(100)
			}
		})
	}
	tests := []struct {
		name string
		cmd  order.Place
		want error
	}{
		{"valid", place(), nil},

		{"order id empty", with(func(p *order.Place) { p.OrderID = "" }), order.ErrInvalidOrderID},
		{"order id 64 characters", with(func(p *order.Place) { p.OrderID = longString('a', 64) }), nil},
		{"order id 65 characters", with(func(p *order.Place) { p.OrderID = longString('a', 65) }), order.ErrInvalidOrderID},
		{"order id with all allowed characters", with(func(p *order.Place) { p.OrderID = "azAZ09_.-" }), nil},
		{"order id with a space", with(func(p *order.Place) { p.OrderID = "o 1" }), order.ErrInvalidOrderID},
		{"order id with a colon", with(func(p *order.Place) { p.OrderID = "o:1" }), order.ErrInvalidOrderID},
		{"order id with a slash", with(func(p *order.Place) { p.OrderID = "o/1" }), order.ErrInvalidOrderID},
		{"order id not ASCII", with(func(p *order.Place) { p.OrderID = "ö" }), order.ErrInvalidOrderID},

		{"customer id empty", with(func(p *order.Place) { p.CustomerID = "" }), order.ErrInvalidCustomerID},
		{"customer id blank", with(func(p *order.Place) { p.CustomerID = "  " }), order.ErrInvalidCustomerID},
		{"customer id 100 characters", with(func(p *order.Place) { p.CustomerID = longString('é', 100) }), nil},
		{"customer id 101 characters", with(func(p *order.Place) { p.CustomerID = longString('a', 101) }), order.ErrInvalidCustomerID},
		{"customer id with a control character", with(func(p *order.Place) { p.CustomerID = "c\x00" }), order.ErrInvalidCustomerID},
		{"customer id not UTF-8", with(func(p *order.Place) { p.CustomerID = "c\xff" }), order.ErrInvalidCustomerID},

		{"no lines", with(func(p *order.Place) { p.Lines = nil }), order.ErrNoLines},
		{"100 lines", manyLines(100), nil},
		{"101 lines", manyLines(101), order.ErrTooManyLines},
		{"sku empty", with(func(p *order.Place) { p.Lines[0].SKU = "" }), order.ErrInvalidSKU},
		{"sku with a space", with(func(p *order.Place) { p.Lines[0].SKU = "SKU 1" }), order.ErrInvalidSKU},
		{"sku 65 characters", with(func(p *order.Place) { p.Lines[0].SKU = longString('S', 65) }), order.ErrInvalidSKU},
		{"sku with an at sign", with(func(p *order.Place) { p.Lines[0].SKU = "SKU@1" }), order.ErrInvalidSKU},
		{"sku 64 characters", with(func(p *order.Place) {
			sku := longString('S', 64)
			p.Lines[0].SKU, p.Prices[sku] = sku, eur(1)
		}), nil},
		{"same sku twice", with(func(p *order.Place) { p.Lines[1].SKU = "SKU-1" }), order.ErrDuplicateSKU},
		{"quantity 0", with(func(p *order.Place) { p.Lines[0].Quantity = 0 }), order.ErrInvalidQuantity},
		{"quantity negative", with(func(p *order.Place) { p.Lines[0].Quantity = -1 }), order.ErrInvalidQuantity},
		{"quantity 1000", with(func(p *order.Place) { p.Lines[0].Quantity = 1000 }), nil},
		{"quantity 1001", with(func(p *order.Place) { p.Lines[0].Quantity = 1001 }), order.ErrInvalidQuantity},

		{"sku not in the catalog", with(func(p *order.Place) { p.Lines[1].SKU = "SKU-404" }), order.ErrUnknownSKU},
		{"no catalog prices", with(func(p *order.Place) { p.Prices = nil }), order.ErrUnknownSKU},
		{"price zero", with(func(p *order.Place) { p.Prices["SKU-2"] = eur(0) }), order.ErrInvalidPrice},
		{"price negative", with(func(p *order.Place) { p.Prices["SKU-2"] = eur(-1) }), order.ErrInvalidPrice},
		{"price without currency", with(func(p *order.Place) { p.Prices["SKU-2"] = money.Money{Amount: 500} }), order.ErrInvalidPrice},
		{"prices in two currencies", with(func(p *order.Place) { p.Prices["SKU-2"] = money.Money{Amount: 500, Currency: "USD"} }), order.ErrMixedCurrencies},
		{"unordered product in another currency", with(func(p *order.Place) { p.Prices["SKU-3"] = money.Money{Amount: 1, Currency: "USD"} }), nil},
		{"line total overflows", with(func(p *order.Place) { p.Prices["SKU-1"] = eur(math.MaxInt64 / 2) }), order.ErrTotalTooLarge},
		{"order total overflows", with(func(p *order.Place) {
			p.Lines[0].Quantity = 1
			p.Prices["SKU-1"] = eur(math.MaxInt64 - 100)
		}), order.ErrTotalTooLarge},

		{"marketplace channel", with(func(p *order.Place) { p.Channel = order.ChannelMarketplace }), nil},
		{"unknown channel", with(func(p *order.Place) { p.Channel = "fax" }), order.ErrInvalidChannel},
		{"channel in upper case", with(func(p *order.Place) { p.Channel = "WEB" }), order.ErrInvalidChannel},

		{"address without name", withAddress(func(a *order.Address) { a.Name = "" }), order.ErrInvalidAddress},
		{"address without line1", withAddress(func(a *order.Address) { a.Line1 = " " }), order.ErrInvalidAddress},
		{"address with line2", withAddress(func(a *order.Address) { a.Line2 = "Flat 3" }), nil},
		{"address without city", withAddress(func(a *order.Address) { a.City = "" }), order.ErrInvalidAddress},
		{"address without postal code", withAddress(func(a *order.Address) { a.PostalCode = "" }), order.ErrInvalidAddress},
		{"address without country", withAddress(func(a *order.Address) { a.Country = "" }), order.ErrInvalidAddress},
		{"address name 200 characters", withAddress(func(a *order.Address) { a.Name = longString('ß', 200) }), nil},
		{"address name 201 characters", withAddress(func(a *order.Address) { a.Name = longString('a', 201) }), order.ErrInvalidAddress},
		{"address line1 201 characters", withAddress(func(a *order.Address) { a.Line1 = longString('a', 201) }), order.ErrInvalidAddress},
		{"address line2 201 characters", withAddress(func(a *order.Address) { a.Line2 = longString('a', 201) }), order.ErrInvalidAddress},
		{"address city 201 characters", withAddress(func(a *order.Address) { a.City = longString('a', 201) }), order.ErrInvalidAddress},
		{"address postal code 21 characters", withAddress(func(a *order.Address) { a.PostalCode = longString('1', 21) }), order.ErrInvalidAddress},
		{"address city with a line break", withAddress(func(a *order.Address) { a.City = "Lon\ndon" }), order.ErrInvalidAddress},
		{"address country lower case", withAddress(func(a *order.Address) { a.Country = "gb" }), order.ErrInvalidAddress},
		{"address country three letters", withAddress(func(a *order.Address) { a.Country = "GBR" }), order.ErrInvalidAddress},
		{"address country with a digit", withAddress(func(a *order.Address) { a.Country = "G1" }), order.ErrInvalidAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := order.Decide(order.State{}, tc.cmd, now)
			checkErr(t, err, tc.want)
			if tc.want != nil {
				return
			}
			if len(events) != 1 {
				t.Fatalf("events %v, want one", events)
			}
			p, ok := events[0].(order.Placed)
			if !ok || p.OrderID != tc.cmd.OrderID || len(p.Lines) != len(tc.cmd.Lines) {
				t.Fatalf("event %#v does not place %#v", events[0], tc.cmd)
			}
		})
	}
}

func TestDecidePlaceNamesTheUnknownSKU(t *testing.T) {
	p := place()
	p.Lines[1].SKU = "SKU-404"
	_, err := order.Decide(order.State{}, p, now)
	if err == nil || !strings.Contains(err.Error(), `"SKU-404"`) {
		t.Fatalf("error %v does not name the SKU", err)
	}
}

func TestDecidePlaceExisting(t *testing.T) {
	with := func(change func(*order.Place)) order.Place {
		p := place()
		change(&p)
		return p
	}
	tests := []struct {
		name string
		cmd  order.Place
		want error // nil: a no-op
	}{
		{"identical", place(), nil},
		{"identical after a price change", with(func(p *order.Place) { p.Prices["SKU-1"] = eur(2999) }), nil},
		{"identical but a product left the catalog", with(func(p *order.Place) { delete(p.Prices, "SKU-2") }), nil},
		{"another customer", with(func(p *order.Place) { p.CustomerID = "c-2" }), order.ErrOrderExists},
		{"another quantity", with(func(p *order.Place) { p.Lines[0].Quantity = 3 }), order.ErrOrderExists},
		{"another product", with(func(p *order.Place) { p.Lines[1].SKU = "SKU-3" }), order.ErrOrderExists},
		{"fewer lines", with(func(p *order.Place) { p.Lines = p.Lines[:1] }), order.ErrOrderExists},
		{"lines in another order", with(func(p *order.Place) { p.Lines[0], p.Lines[1] = p.Lines[1], p.Lines[0] }), order.ErrOrderExists},
		{"another address", with(func(p *order.Place) { p.ShippingAddress.Line2 = "Flat 3" }), order.ErrOrderExists},
		{"the channel named, the same", with(func(p *order.Place) { p.Channel = order.ChannelAPI }), nil},
		{"another channel", with(func(p *order.Place) { p.Channel = order.ChannelWeb }), order.ErrOrderExists},
		{"invalid", with(func(p *order.Place) { p.Lines = nil }), order.ErrNoLines},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := order.Decide(fold(placed), tc.cmd, now)
			checkErr(t, err, tc.want)
			if len(events) != 0 {
				t.Fatalf("events %v, want none", events)
			}
		})
	}
}

func TestDecideRules(t *testing.T) {
	pending := []domain.Event{placed}
	conf := []domain.Event{placed, confirmed}
	pd := []domain.Event{placed, confirmed, paid}
	shp := []domain.Event{placed, confirmed, paid, shipped}
	tests := []struct {
		name    string
		history []domain.Event
		cmd     order.Command
		want    error // nil: a no-op
	}{
		{"mark paid less than the total", conf, order.MarkPaid{Amount: eur(4497)}, order.ErrAmountMismatch},
		{"mark paid more than the total", conf, order.MarkPaid{Amount: eur(4499)}, order.ErrAmountMismatch},
		{"mark paid in another currency", conf, order.MarkPaid{Amount: money.Money{Amount: 4498, Currency: "USD"}}, order.ErrAmountMismatch},
		{"mark paid again, same charge", pd, order.MarkPaid{Amount: total, ChargeID: "ch_1"}, nil},
		{"mark paid again, another charge", pd, order.MarkPaid{Amount: total, ChargeID: "ch_2"}, order.ErrAlreadyPaid},
		{"mark paid again, no charge", pd, order.MarkPaid{Amount: total}, order.ErrAlreadyPaid},
		{"mark paid again, another amount", pd, order.MarkPaid{Amount: eur(1), ChargeID: "ch_1"}, order.ErrAlreadyPaid},
		{"mark paid a pending order", pending, order.MarkPaid{Amount: total}, order.ErrOrderNotPayable},
		{"mark shipped again, same tracking number", shp, order.MarkShipped{TrackingNumber: "TRK-1"}, nil},
		{"mark shipped again, another tracking number", shp, order.MarkShipped{TrackingNumber: "TRK-2"}, order.ErrAlreadyShipped},
		{"mark shipped again, no tracking number", shp, order.MarkShipped{}, order.ErrAlreadyShipped},
		{"customer cancels a paid order", pd, order.Cancel{Reason: "too slow", ByCustomer: true}, order.ErrOrderNotCancellable},
		{"cancel a cancelled order for another reason", []domain.Event{placed, cancelled}, order.Cancel{Reason: "other"}, nil},
		{"confirm a cancelled order that had been confirmed", []domain.Event{placed, confirmed, cancelled}, order.Confirm{}, order.ErrOrderNotConfirmable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := order.Decide(fold(tc.history...), tc.cmd, now)
			checkErr(t, err, tc.want)
			if len(events) != 0 {
				t.Fatalf("events %v, want none", events)
			}
		})
	}
}

// TestDecideInvalidCommands checks commands that are malformed whatever
// the order's state, and that this is said before whether the order exists.
func TestDecideInvalidCommands(t *testing.T) {
	tests := []struct {
		name string
		cmd  order.Command
		want error
	}{
		{"nil command", nil, order.ErrUnknownCommand},
		{"command by pointer", &order.Confirm{}, order.ErrUnknownCommand},
		{"mark paid zero", order.MarkPaid{Amount: eur(0)}, order.ErrInvalidAmount},
		{"mark paid negative", order.MarkPaid{Amount: eur(-4498)}, order.ErrInvalidAmount},
		{"mark paid without currency", order.MarkPaid{Amount: money.Money{Amount: 4498}}, order.ErrInvalidAmount},
		{"mark paid in a lower-case currency", order.MarkPaid{Amount: money.Money{Amount: 4498, Currency: "eur"}}, order.ErrInvalidAmount},
		{"charge id 201 characters", order.MarkPaid{Amount: total, ChargeID: longString('c', 201)}, order.ErrInvalidChargeID},
		{"charge id with a control character", order.MarkPaid{Amount: total, ChargeID: "ch\t1"}, order.ErrInvalidChargeID},
		{"tracking number 101 characters", order.MarkShipped{TrackingNumber: longString('T', 101)}, order.ErrInvalidTrackingNumber},
		{"tracking number with a line break", order.MarkShipped{TrackingNumber: "T\n1"}, order.ErrInvalidTrackingNumber},
		{"cancel without reason", order.Cancel{ByCustomer: true}, order.ErrInvalidReason},
		{"cancel with a blank reason", order.Cancel{Reason: " \n\t"}, order.ErrInvalidReason},
		{"cancel with a 501 character reason", order.Cancel{Reason: longString('r', 501)}, order.ErrInvalidReason},
		{"cancel with a reason holding a control character", order.Cancel{Reason: "why\x07"}, order.ErrInvalidReason},
	}
	for _, tc := range tests {
		for _, h := range histories {
			t.Run(tc.name+"/"+h.name, func(t *testing.T) {
				events, err := order.Decide(fold(h.history...), tc.cmd, now)
				checkErr(t, err, tc.want)
				if !errors.Is(err, domain.ErrInvalid) || events != nil {
					t.Fatalf("events %v, error %v: want an invalid-command error", events, err)
				}
			})
		}
	}
}

func TestDecideLimits(t *testing.T) {
	tests := []struct {
		name    string
		history []domain.Event
		cmd     order.Command
	}{
		{"charge id 200 characters", []domain.Event{placed, confirmed}, order.MarkPaid{Amount: total, ChargeID: longString('c', 200)}},
		{"tracking number 100 characters", []domain.Event{placed, confirmed, paid}, order.MarkShipped{TrackingNumber: longString('T', 100)}},
		{"reason 500 characters", []domain.Event{placed}, order.Cancel{Reason: longString('ü', 500)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := order.Decide(fold(tc.history...), tc.cmd, now)
			if err != nil || len(events) != 1 {
				t.Fatalf("events %v, error %v; want one event", events, err)
			}
		})
	}
}

// TestDecideDoesNotChangeItsInput checks that the state and command passed
// in are left as they were.
func TestDecideDoesNotChangeItsInput(t *testing.T) {
	s := fold(placed)
	before := fold(placed)
	cmd := place()
	if _, err := order.Decide(order.State{}, cmd, now); err != nil {
		t.Fatal(err)
	}
	if _, err := order.Decide(s, order.Confirm{}, now); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, before) || !reflect.DeepEqual(cmd, place()) {
		t.Fatal("Decide changed its input")
	}
}
