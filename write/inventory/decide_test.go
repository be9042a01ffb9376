package inventory_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
)

// given folds events into a fresh State.
func given(events ...domain.Event) inventory.State {
	var s inventory.State
	for _, e := range events {
		s = inventory.Evolve(s, e)
	}
	return s
}

type decideCase struct {
	name    string
	given   []domain.Event
	cmd     inventory.Command
	want    []domain.Event // nil: no events
	wantErr error          // the package error the result must match
}

func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := given(tc.given...)
			before := s.Clone()
			got, err := inventory.Decide(s, tc.cmd, now)
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
			if !reflect.DeepEqual(s, before) {
				t.Errorf("Decide changed its state:\n got %#v\nwant %#v", s, before)
			}
		})
	}
}

func TestDecideRegisterProduct(t *testing.T) {
	register := func(sku, name string, price money.Money) inventory.RegisterProduct {
		return inventory.RegisterProduct{SKU: sku, Name: name, Price: price}
	}
	sku64 := strings.Repeat("a", 64)
	name200 := strings.Repeat("é", 200)
	runDecide(t, []decideCase{
		{name: "registers a new product",
			cmd:  register("mug-1", "Mug", eur(1250)),
			want: []domain.Event{inventory.ProductRegistered{V: 1, SKU: "mug-1", Name: "Mug", Price: eur(1250), RegisteredAt: now}}},
		{name: "longest SKU and name",
			cmd:  register(sku64, name200, eur(1)),
			want: []domain.Event{inventory.ProductRegistered{V: 1, SKU: sku64, Name: name200, Price: eur(1), RegisteredAt: now}}},
		{name: "every SKU character",
			cmd:  register("AZaz09-_.", "Mug", eur(1)),
			want: []domain.Event{inventory.ProductRegistered{V: 1, SKU: "AZaz09-_.", Name: "Mug", Price: eur(1), RegisteredAt: now}}},
		{name: "identical repeat does nothing",
			given: []domain.Event{registered()},
			cmd:   register("mug-1", "Mug", eur(1250))},
		{name: "repeat with another name",
			given:   []domain.Event{registered()},
			cmd:     register("mug-1", "Cup", eur(1250)),
			wantErr: inventory.ErrProductAlreadyRegistered},
		{name: "repeat with another price",
			given:   []domain.Event{registered()},
			cmd:     register("mug-1", "Mug", eur(999)),
			wantErr: inventory.ErrProductAlreadyRegistered},
		{name: "repeat with another SKU on the same stream",
			given:   []domain.Event{registered()},
			cmd:     register("mug-2", "Mug", eur(1250)),
			wantErr: inventory.ErrProductAlreadyRegistered},
		{name: "repeat with the original price after a price change",
			given:   []domain.Event{registered(), inventory.PriceChanged{V: 1, SKU: "mug-1", Price: eur(1500), ChangedAt: t0}},
			cmd:     register("mug-1", "Mug", eur(1250)),
			wantErr: inventory.ErrProductAlreadyRegistered},
		{name: "empty SKU", cmd: register("", "Mug", eur(1)), wantErr: inventory.ErrInvalidSKU},
		{name: "SKU too long", cmd: register(sku64+"a", "Mug", eur(1)), wantErr: inventory.ErrInvalidSKU},
		{name: "SKU with a space", cmd: register("mug 1", "Mug", eur(1)), wantErr: inventory.ErrInvalidSKU},
		{name: "SKU with a slash", cmd: register("mug/1", "Mug", eur(1)), wantErr: inventory.ErrInvalidSKU},
		{name: "SKU with a non-ASCII letter", cmd: register("müg", "Mug", eur(1)), wantErr: inventory.ErrInvalidSKU},
		{name: "empty name", cmd: register("mug-1", "", eur(1)), wantErr: inventory.ErrInvalidName},
		{name: "blank name", cmd: register("mug-1", " \t ", eur(1)), wantErr: inventory.ErrInvalidName},
		{name: "name too long", cmd: register("mug-1", name200+"x", eur(1)), wantErr: inventory.ErrInvalidName},
		{name: "name with a newline", cmd: register("mug-1", "Mug\nCup", eur(1)), wantErr: inventory.ErrInvalidName},
		{name: "name not UTF-8", cmd: register("mug-1", "Mug\xff", eur(1)), wantErr: inventory.ErrInvalidName},
		{name: "zero price", cmd: register("mug-1", "Mug", eur(0)), wantErr: inventory.ErrInvalidPrice},
		{name: "negative price", cmd: register("mug-1", "Mug", eur(-1)), wantErr: inventory.ErrInvalidPrice},
		{name: "no currency", cmd: register("mug-1", "Mug", money.Money{Amount: 1}), wantErr: inventory.ErrInvalidPrice},
		{name: "lower-case currency", cmd: register("mug-1", "Mug", money.Money{Amount: 1, Currency: "eur"}), wantErr: inventory.ErrInvalidPrice},
	})
}

func TestDecideChangePrice(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "changes the price",
			given: []domain.Event{registered()},
			cmd:   inventory.ChangePrice{Price: eur(1500)},
			want:  []domain.Event{inventory.PriceChanged{V: 1, SKU: "mug-1", Price: eur(1500), ChangedAt: now}}},
		{name: "the same price does nothing",
			given: []domain.Event{registered()},
			cmd:   inventory.ChangePrice{Price: eur(1250)}},
		{name: "unknown product",
			cmd:     inventory.ChangePrice{Price: eur(1500)},
			wantErr: inventory.ErrProductNotFound},
		{name: "another currency",
			given:   []domain.Event{registered()},
			cmd:     inventory.ChangePrice{Price: money.Money{Amount: 1500, Currency: "USD"}},
			wantErr: inventory.ErrCurrencyChange},
		{name: "zero price",
			given:   []domain.Event{registered()},
			cmd:     inventory.ChangePrice{Price: eur(0)},
			wantErr: inventory.ErrInvalidPrice},
		{name: "bad currency",
			given:   []domain.Event{registered()},
			cmd:     inventory.ChangePrice{Price: money.Money{Amount: 1, Currency: "EURO"}},
			wantErr: inventory.ErrInvalidPrice},
	})
}

func TestDecideAddStock(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "adds stock",
			given: []domain.Event{registered()},
			cmd:   inventory.AddStock{Quantity: 5},
			want:  []domain.Event{inventory.StockAdded{V: 1, SKU: "mug-1", Quantity: 5, AddedAt: now}}},
		{name: "largest quantity",
			given: []domain.Event{registered(), added(3)},
			cmd:   inventory.AddStock{Quantity: inventory.MaxQuantity},
			want:  []domain.Event{inventory.StockAdded{V: 1, SKU: "mug-1", Quantity: inventory.MaxQuantity, AddedAt: now}}},
		{name: "zero quantity",
			given:   []domain.Event{registered()},
			cmd:     inventory.AddStock{Quantity: 0},
			wantErr: inventory.ErrInvalidQuantity},
		{name: "negative quantity",
			given:   []domain.Event{registered()},
			cmd:     inventory.AddStock{Quantity: -3},
			wantErr: inventory.ErrInvalidQuantity},
		{name: "quantity too large",
			given:   []domain.Event{registered()},
			cmd:     inventory.AddStock{Quantity: inventory.MaxQuantity + 1},
			wantErr: inventory.ErrInvalidQuantity},
		{name: "unknown product",
			cmd:     inventory.AddStock{Quantity: 5},
			wantErr: inventory.ErrProductNotFound},
		{name: "stock would overflow",
			given:   []domain.Event{registered(), added(1<<63 - 10)},
			cmd:     inventory.AddStock{Quantity: 10},
			wantErr: inventory.ErrStockOverflow},
	})
}

func TestDecideReserve(t *testing.T) {
	res := func(order string, q int64) inventory.Reserve { return inventory.Reserve{OrderID: order, Quantity: q} }
	stockReserved := func(order string, q int64) inventory.StockReserved {
		return inventory.StockReserved{V: 1, SKU: "mug-1", OrderID: order, Quantity: q, ReservedAt: now}
	}
	stockRejected := func(order string, requested, available int64) inventory.StockReservationRejected {
		return inventory.StockReservationRejected{V: 1, SKU: "mug-1", OrderID: order, Requested: requested, Available: available, RejectedAt: now}
	}
	runDecide(t, []decideCase{
		{name: "reserves available stock",
			given: []domain.Event{registered(), added(10)},
			cmd:   res("o1", 3),
			want:  []domain.Event{stockReserved("o1", 3)}},
		{name: "reserves exactly what is available",
			given: []domain.Event{registered(), added(10), reserved("o1", 4)},
			cmd:   res("o2", 6),
			want:  []domain.Event{stockReserved("o2", 6)}},
		{name: "too little stock is a rejection event",
			given: []domain.Event{registered(), added(2)},
			cmd:   res("o1", 3),
			want:  []domain.Event{stockRejected("o1", 3, 2)}},
		{name: "other reservations make too little available",
			given: []domain.Event{registered(), added(10), reserved("o1", 8)},
			cmd:   res("o2", 3),
			want:  []domain.Event{stockRejected("o2", 3, 2)}},
		{name: "no stock at all",
			given: []domain.Event{registered()},
			cmd:   res("o1", 1),
			want:  []domain.Event{stockRejected("o1", 1, 0)}},
		{name: "shipped stock is gone",
			given: []domain.Event{registered(), added(5), reserved("o1", 5), shipped("o1", 5)},
			cmd:   res("o2", 1),
			want:  []domain.Event{stockRejected("o2", 1, 0)}},
		{name: "released stock is available again",
			given: []domain.Event{registered(), added(5), reserved("o1", 5), released("o1", 5)},
			cmd:   res("o2", 5),
			want:  []domain.Event{stockReserved("o2", 5)}},
		{name: "same reservation again does nothing",
			given: []domain.Event{registered(), added(10), reserved("o1", 3)},
			cmd:   res("o1", 3)},
		{name: "same order with another quantity",
			given:   []domain.Event{registered(), added(10), reserved("o1", 3)},
			cmd:     res("o1", 4),
			wantErr: inventory.ErrReservationConflict},
		{name: "a rejected order may try again",
			given: []domain.Event{registered(), added(1), rejected("o1", 3, 1), added(5)},
			cmd:   res("o1", 3),
			want:  []domain.Event{stockReserved("o1", 3)}},
		{name: "a rejected order is rejected again while stock is short",
			given: []domain.Event{registered(), added(1), rejected("o1", 3, 1)},
			cmd:   res("o1", 3),
			want:  []domain.Event{stockRejected("o1", 3, 1)}},
		{name: "released reservation cannot be reserved again",
			given:   []domain.Event{registered(), added(10), reserved("o1", 3), released("o1", 3)},
			cmd:     res("o1", 3),
			wantErr: inventory.ErrReservationReleased},
		{name: "shipped reservation cannot be reserved again",
			given:   []domain.Event{registered(), added(10), reserved("o1", 3), shipped("o1", 3)},
			cmd:     res("o1", 3),
			wantErr: inventory.ErrReservationShipped},
		{name: "unknown product",
			cmd:     res("o1", 1),
			wantErr: inventory.ErrProductNotFound},
		{name: "zero quantity",
			given:   []domain.Event{registered(), added(10)},
			cmd:     res("o1", 0),
			wantErr: inventory.ErrInvalidQuantity},
		{name: "negative quantity",
			given:   []domain.Event{registered(), added(10)},
			cmd:     res("o1", -1),
			wantErr: inventory.ErrInvalidQuantity},
		{name: "quantity too large",
			given:   []domain.Event{registered(), added(10)},
			cmd:     res("o1", inventory.MaxQuantity+1),
			wantErr: inventory.ErrInvalidQuantity},
		{name: "empty order id",
			given:   []domain.Event{registered(), added(10)},
			cmd:     res("", 1),
			wantErr: inventory.ErrInvalidOrderID},
		{name: "order id with a space",
			given:   []domain.Event{registered(), added(10)},
			cmd:     res("o 1", 1),
			wantErr: inventory.ErrInvalidOrderID},
		{name: "order id too long",
			given:   []domain.Event{registered(), added(10)},
			cmd:     res(strings.Repeat("o", 65), 1),
			wantErr: inventory.ErrInvalidOrderID},
	})
}

func TestDecideRelease(t *testing.T) {
	rel := func(order string) inventory.Release {
		return inventory.Release{OrderID: order, Reason: "payment failed"}
	}
	runDecide(t, []decideCase{
		{name: "releases an active reservation",
			given: []domain.Event{registered(), added(10), reserved("o1", 3)},
			cmd:   rel("o1"),
			want: []domain.Event{inventory.ReservationReleased{
				V: 1, SKU: "mug-1", OrderID: "o1", Quantity: 3, Reason: "payment failed", ReleasedAt: now}}},
		{name: "no reservation does nothing",
			given: []domain.Event{registered(), added(10)},
			cmd:   rel("o1")},
		{name: "a rejected order has nothing to release",
			given: []domain.Event{registered(), rejected("o1", 3, 0)},
			cmd:   rel("o1")},
		{name: "released twice does nothing",
			given: []domain.Event{registered(), added(10), reserved("o1", 3), released("o1", 3)},
			cmd:   rel("o1")},
		{name: "shipped reservation does nothing",
			given: []domain.Event{registered(), added(10), reserved("o1", 3), shipped("o1", 3)},
			cmd:   rel("o1")},
		{name: "unknown product does nothing",
			cmd: rel("o1")},
		{name: "empty order id",
			given:   []domain.Event{registered()},
			cmd:     inventory.Release{Reason: "payment failed"},
			wantErr: inventory.ErrInvalidOrderID},
		{name: "empty reason",
			given:   []domain.Event{registered(), added(10), reserved("o1", 3)},
			cmd:     inventory.Release{OrderID: "o1"},
			wantErr: inventory.ErrInvalidReason},
		{name: "reason too long",
			given:   []domain.Event{registered(), added(10), reserved("o1", 3)},
			cmd:     inventory.Release{OrderID: "o1", Reason: strings.Repeat("r", inventory.MaxReasonLength+1)},
			wantErr: inventory.ErrInvalidReason},
	})
}

func TestDecideShip(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "ships an active reservation",
			given: []domain.Event{registered(), added(10), reserved("o1", 3)},
			cmd:   inventory.Ship{OrderID: "o1"},
			want:  []domain.Event{inventory.StockShipped{V: 1, SKU: "mug-1", OrderID: "o1", Quantity: 3, ShippedAt: now}}},
		{name: "shipping twice does nothing",
			given: []domain.Event{registered(), added(10), reserved("o1", 3), shipped("o1", 3)},
			cmd:   inventory.Ship{OrderID: "o1"}},
		{name: "nothing reserved",
			given:   []domain.Event{registered(), added(10)},
			cmd:     inventory.Ship{OrderID: "o1"},
			wantErr: inventory.ErrNotReserved},
		{name: "only a rejected reservation",
			given:   []domain.Event{registered(), rejected("o1", 3, 0)},
			cmd:     inventory.Ship{OrderID: "o1"},
			wantErr: inventory.ErrNotReserved},
		{name: "released reservation",
			given:   []domain.Event{registered(), added(10), reserved("o1", 3), released("o1", 3)},
			cmd:     inventory.Ship{OrderID: "o1"},
			wantErr: inventory.ErrReservationReleased},
		{name: "unknown product",
			cmd:     inventory.Ship{OrderID: "o1"},
			wantErr: inventory.ErrProductNotFound},
		{name: "a damaged history never takes stock below zero",
			given:   []domain.Event{registered(), reserved("o1", 3)},
			cmd:     inventory.Ship{OrderID: "o1"},
			wantErr: inventory.ErrInsufficientStock},
		{name: "empty order id",
			given:   []domain.Event{registered()},
			cmd:     inventory.Ship{},
			wantErr: inventory.ErrInvalidOrderID},
	})
}

func TestDecideUnknownCommand(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "nil", given: []domain.Event{registered()}, cmd: nil, wantErr: inventory.ErrUnknownCommand},
		{name: "pointer", given: []domain.Event{registered()}, cmd: &inventory.AddStock{Quantity: 1}, wantErr: inventory.ErrUnknownCommand},
	})
}

func TestDecideStampsUTC(t *testing.T) {
	local := now.In(time.FixedZone("CET", 3600))
	got, err := inventory.Decide(given(registered()), inventory.AddStock{Quantity: 1}, local)
	if err != nil {
		t.Fatal(err)
	}
	at := got[0].(inventory.StockAdded).AddedAt
	if at.Location() != time.UTC || !at.Equal(now) {
		t.Fatalf("AddedAt = %v, want %v in UTC", at, now)
	}
}
