package order_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

// now is the time every test decides at; it is not in UTC, so that tests
// see Decide stamp events in UTC.
var now = time.Date(2026, 11, 25, 13, 30, 0, 0, time.FixedZone("CET", 3600))

func eur(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

func address() order.Address {
	return order.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", City: "London", PostalCode: "N1 9GU", Country: "GB"}
}

// place returns a valid placement of order "o-1": 2 × SKU-1 at 19.99 and
// 1 × SKU-2 at 5.00, total 44.98 EUR. The catalog holds one more product.
func place() order.Place {
	return order.Place{
		OrderID:         "o-1",
		CustomerID:      "c-1",
		Lines:           []order.LineRequest{{SKU: "SKU-1", Quantity: 2}, {SKU: "SKU-2", Quantity: 1}},
		ShippingAddress: address(),
		Prices:          map[string]money.Money{"SKU-1": eur(1999), "SKU-2": eur(500), "SKU-3": eur(100)},
	}
}

var total = eur(4498)

// Events of order "o-1" through its life, as stored.
var (
	t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

	placed = order.Placed{
		V:          order.PlacedVersion,
		OrderID:    "o-1",
		CustomerID: "c-1",
		Lines: []order.Line{
			{SKU: "SKU-1", Quantity: 2, UnitPrice: eur(1999)},
			{SKU: "SKU-2", Quantity: 1, UnitPrice: eur(500)},
		},
		Total:           total,
		ShippingAddress: address(),
		Channel:         order.ChannelAPI,
		PlacedAt:        t0,
	}
	confirmed = order.Confirmed{V: order.ConfirmedVersion, ConfirmedAt: t0.Add(time.Minute)}
	paid      = order.Paid{V: order.PaidVersion, ChargeID: "ch_1", Amount: total, PaidAt: t0.Add(2 * time.Minute)}
	shipped   = order.Shipped{V: order.ShippedVersion, TrackingNumber: "TRK-1", ShippedAt: t0.Add(time.Hour)}
	delivered = order.Delivered{V: order.DeliveredVersion, DeliveredAt: t0.Add(48 * time.Hour)}
	cancelled = order.Cancelled{V: order.CancelledVersion, Reason: "changed my mind", ByCustomer: true, CancelledAt: t0.Add(3 * time.Minute)}
)

// fold returns the state the events leave, starting from no order.
func fold(events ...domain.Event) order.State {
	var s order.State
	for _, e := range events {
		s = order.Evolve(s, e)
	}
	return s
}

// histories holds one history per status an order can be in.
var histories = []struct {
	name    string
	history []domain.Event
}{
	{"none", nil},
	{"pending", []domain.Event{placed}},
	{"confirmed", []domain.Event{placed, confirmed}},
	{"paid", []domain.Event{placed, confirmed, paid}},
	{"shipped", []domain.Event{placed, confirmed, paid, shipped}},
	{"delivered", []domain.Event{placed, confirmed, paid, shipped, delivered}},
	{"cancelled", []domain.Event{placed, cancelled}},
}

// checkErr fails t unless err is want (nil for none) and, when want is a
// domain error, of want's kind.
func checkErr(t testing.TB, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var de, wantDE *domain.Error
	if errors.As(want, &wantDE) {
		if !errors.As(err, &de) || de.Code != wantDE.Code || !errors.Is(err, wantDE.Kind) {
			t.Fatalf("error %v is not a %q domain error of kind %v", err, wantDE.Code, wantDE.Kind)
		}
	}
}

// longString returns n copies of r.
func longString(r rune, n int) string { return strings.Repeat(string(r), n) }
