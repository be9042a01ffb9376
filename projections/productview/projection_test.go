package productview_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/projections/productview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/inventory"
)

// productRow is a row of readmodel.products.
type productRow struct {
	SKU           string    `db:"sku"`
	Name          string    `db:"name"`
	PriceAmount   int64     `db:"price_amount"`
	PriceCurrency string    `db:"price_currency"`
	OnHand        int64     `db:"on_hand"`
	Reserved      int64     `db:"reserved"`
	Available     int64     `db:"available"`
	RegisteredAt  time.Time `db:"registered_at"`
	UpdatedAt     time.Time `db:"updated_at"`
	Revision      int64     `db:"revision"`
}

// at returns the time minutes after 8:00 on 3 March 2025, UTC.
func at(minutes int) time.Time {
	return time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

func TestApply(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	m := e.Manager("a", productview.New())
	e.Run(m)

	// each case registers sku at at(0) and runs commands on it; it returns
	// the row it expects, save for updated_at and revision, which come
	// from the stream's last event.
	cases := []struct {
		name string
		run  func(e *readmodelstest.Env, sku string) productRow
	}{{
		name: "registered",
		run: func(e *readmodelstest.Env, sku string) productRow {
			e.Product(sku, "Plane", readmodelstest.EUR(1299), 0)
			return productRow{SKU: sku, Name: "Plane", PriceAmount: 1299, PriceCurrency: "EUR"}
		},
	}, {
		name: "stock added",
		run: func(e *readmodelstest.Env, sku string) productRow {
			e.Product(sku, "Saw", readmodelstest.EUR(2500), 7)
			e.Clock.Set(at(1))
			e.Inventory(sku, inventory.AddStock{Quantity: 5})
			return productRow{SKU: sku, Name: "Saw", PriceAmount: 2500, PriceCurrency: "EUR", OnHand: 12, Available: 12}
		},
	}, {
		name: "reserved, released and shipped",
		run: func(e *readmodelstest.Env, sku string) productRow {
			e.Product(sku, "Drill", readmodelstest.EUR(8900), 10)
			e.Inventory(sku, inventory.Reserve{OrderID: "o-1", Quantity: 3})
			e.Inventory(sku, inventory.Reserve{OrderID: "o-2", Quantity: 2})
			e.Inventory(sku, inventory.Reserve{OrderID: "o-3", Quantity: 4})
			e.Inventory(sku, inventory.Release{OrderID: "o-1", Reason: "cancelled"})
			e.Inventory(sku, inventory.Ship{OrderID: "o-2"})
			return productRow{SKU: sku, Name: "Drill", PriceAmount: 8900, PriceCurrency: "EUR", OnHand: 8, Reserved: 4, Available: 4}
		},
	}, {
		name: "reservation rejected",
		run: func(e *readmodelstest.Env, sku string) productRow {
			e.Product(sku, "Vice", readmodelstest.EUR(4000), 2)
			e.Inventory(sku, inventory.Reserve{OrderID: "o-1", Quantity: 1})
			e.Inventory(sku, inventory.Reserve{OrderID: "o-2", Quantity: 5})
			return productRow{SKU: sku, Name: "Vice", PriceAmount: 4000, PriceCurrency: "EUR", OnHand: 2, Reserved: 1, Available: 1}
		},
	}, {
		name: "price changed",
		run: func(e *readmodelstest.Env, sku string) productRow {
			e.Product(sku, "File", readmodelstest.EUR(300), 0)
			e.Clock.Set(at(9))
			e.Inventory(sku, inventory.ChangePrice{Price: readmodelstest.EUR(350)})
			e.Inventory(sku, inventory.ChangePrice{Price: readmodelstest.EUR(325)})
			return productRow{SKU: sku, Name: "File", PriceAmount: 325, PriceCurrency: "EUR"}
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.For(t)
			sku := strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(c.name, ",", ""), " ", "-"))
			e.Clock.Set(at(0))
			want := c.run(e, sku)
			want.RegisteredAt = at(0)
			events := e.Stream(inventory.StreamID(sku))
			last := events[len(events)-1]
			want.UpdatedAt, want.Revision = last.Recorded.UTC().Truncate(time.Microsecond), int64(last.Revision)
			e.CaughtUp(productview.Name)
			got := readmodelstest.Select[productRow](t, e.Pool, `SELECT * FROM readmodel.products WHERE sku = $1`, sku)
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("products rows:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	if parked := e.Parked(m, productview.Name); len(parked) != 0 {
		t.Fatalf("events parked: %v", parked)
	}
}

// TestRefused appends events the projection must refuse, and events it
// must ignore: the refused ones are parked with a reason that says why
// and change nothing.
func TestRefused(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	m := e.Manager("a", productview.New())
	e.Run(m)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 10)

	refused := []struct {
		name, stream, typ, data, reason string
	}{
		{"stock of a product never registered", "inventory-GHOST", inventory.TypeStockAdded,
			`{"v":1,"sku":"GHOST","quantity":1,"addedAt":"2025-03-01T09:00:00Z"}`, "inventory.stock_added of product GHOST, which was never registered"},
		{"undecodable", "inventory-A", inventory.TypeStockAdded, `{"v":1,"sku":"A","quantity":"lots"}`, "malformed event payload"},
		{"another product's SKU", "inventory-A", inventory.TypeStockAdded,
			`{"v":1,"sku":"B","quantity":1,"addedAt":"2025-03-01T09:00:00Z"}`, `names SKU "B"`},
		{"registered twice", "inventory-A", inventory.TypeProductRegistered,
			`{"v":1,"sku":"A","name":"Again","price":{"amount":1,"currency":"EUR"},"registeredAt":"2025-03-01T09:00:00Z"}`, "not the first event of its stream"},
	}
	ids := make(map[string]uuid.UUID)
	for _, r := range refused {
		ids[r.name] = e.Raw(r.stream, r.typ, r.data)
	}
	e.Raw("inventory-A", "inventory.audited", `{"v":1}`)
	e.Raw("order-1", "order.confirmed", `{"v":1}`)
	e.CaughtUp(productview.Name)

	parked := e.Parked(m, productview.Name)
	if len(parked) != len(refused) {
		t.Errorf("%d events parked, want %d: %v", len(parked), len(refused), parked)
	}
	for _, r := range refused {
		if reason := parked[ids[r.name]]; !strings.Contains(reason, r.reason) {
			t.Errorf("%s: parked for %q, want a reason containing %q", r.name, reason, r.reason)
		}
	}
	got := readmodelstest.Select[productRow](t, e.Pool, `SELECT * FROM readmodel.products ORDER BY sku`)
	if len(got) != 1 || got[0].SKU != "A" || got[0].Name != "Anvil" || got[0].OnHand != 10 || got[0].Revision != 1 {
		t.Fatalf("products = %+v, want A alone, as the write side left it", got)
	}
}
