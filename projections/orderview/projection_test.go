package orderview_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/shipping"
)

// orderRow is a row of readmodel.orders.
type orderRow struct {
	OrderID        string             `db:"order_id"`
	CustomerID     string             `db:"customer_id"`
	Status         string             `db:"status"`
	Revision       int64              `db:"revision"`
	TotalAmount    int64              `db:"total_amount"`
	TotalCurrency  string             `db:"total_currency"`
	LineCount      int32              `db:"line_count"`
	PlacedAt       time.Time          `db:"placed_at"`
	ConfirmedAt    pgtype.Timestamptz `db:"confirmed_at"`
	PaidAt         pgtype.Timestamptz `db:"paid_at"`
	ShippedAt      pgtype.Timestamptz `db:"shipped_at"`
	DeliveredAt    pgtype.Timestamptz `db:"delivered_at"`
	CancelledAt    pgtype.Timestamptz `db:"cancelled_at"`
	CancelReason   pgtype.Text        `db:"cancel_reason"`
	TrackingNumber pgtype.Text        `db:"tracking_number"`
	UpdatedAt      time.Time          `db:"updated_at"`
	CommitPos      int64              `db:"commit_pos"`
	PreparePos     int64              `db:"prepare_pos"`
	Channel        string             `db:"channel"`
}

// lineRow is a row of readmodel.order_lines.
type lineRow struct {
	OrderID      string `db:"order_id"`
	LineNo       int32  `db:"line_no"`
	SKU          string `db:"sku"`
	Quantity     int32  `db:"quantity"`
	UnitAmount   int64  `db:"unit_amount"`
	UnitCurrency string `db:"unit_currency"`
}

// at returns the time minutes after 10:00 on 2 March 2025, UTC.
func at(minutes int) time.Time {
	return time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

// last returns the last event of order id's stream: where its row's
// revision, updated_at and position come from.
func last(e *readmodelstest.Env, id string) eventstore.RecordedEvent {
	events := e.Stream(order.StreamID(id))
	return events[len(events)-1]
}

// withLast fills in what the last event of the order's stream says.
func withLast(e *readmodelstest.Env, r orderRow) orderRow {
	l := last(e, r.OrderID)
	r.Revision, r.UpdatedAt = int64(l.Revision), l.Recorded.UTC().Truncate(time.Microsecond)
	r.CommitPos, r.PreparePos = int64(l.Position.Commit), int64(l.Position.Prepare)
	return r
}

func TestApply(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 100)
	e.Product("B", "Bolt", readmodelstest.EUR(500), 100)
	m := e.Manager("a", orderview.New())
	e.Run(m)

	// each case runs commands at known times on order id and returns the
	// rows it expects.
	cases := []struct {
		name string
		run  func(e *readmodelstest.Env, id string) (orderRow, []lineRow)
	}{{
		name: "placed",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			e.Place(id, "c-1", order.LineRequest{SKU: "A", Quantity: 2}, order.LineRequest{SKU: "B", Quantity: 1})
			return orderRow{OrderID: id, CustomerID: "c-1", Status: "PENDING", TotalAmount: 4498, TotalCurrency: "EUR", LineCount: 2, Channel: "api", PlacedAt: at(0)},
				[]lineRow{{id, 0, "A", 2, 1999, "EUR"}, {id, 1, "B", 1, 500, "EUR"}}
		},
	}, {
		name: "placed by phone",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			res, err := e.Service.PlaceOrder(e.Ctx(), readmodelstest.Meta(), order.Place{OrderID: id, CustomerID: "c-5",
				Lines: []order.LineRequest{{SKU: "B", Quantity: 1}}, ShippingAddress: readmodelstest.Address("DE"), Channel: order.ChannelPhone})
			if err != nil {
				e.T.Fatal(err)
			}
			e.Wrote(res.Position)
			return orderRow{OrderID: id, CustomerID: "c-5", Status: "PENDING", TotalAmount: 500, TotalCurrency: "EUR", LineCount: 1, Channel: "phone", PlacedAt: at(0)},
				[]lineRow{{id, 0, "B", 1, 500, "EUR"}}
		},
	}, {
		name: "confirmed",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			e.Place(id, "c-2", order.LineRequest{SKU: "B", Quantity: 3})
			e.Clock.Set(at(1))
			e.Order(id, order.Confirm{})
			return orderRow{OrderID: id, CustomerID: "c-2", Status: "CONFIRMED", TotalAmount: 1500, TotalCurrency: "EUR", LineCount: 1, Channel: "api",
					PlacedAt: at(0), ConfirmedAt: readmodelstest.Time(at(1))},
				[]lineRow{{id, 0, "B", 3, 500, "EUR"}}
		},
	}, {
		name: "delivered, through every step",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			e.Place(id, "c-1", order.LineRequest{SKU: "A", Quantity: 1})
			e.Inventory("A", inventory.Reserve{OrderID: id, Quantity: 1})
			e.Clock.Set(at(1))
			e.Order(id, order.Confirm{})
			e.Clock.Set(at(2))
			e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(1999), ChargeID: "ch_1"})
			e.Shipment(id, shipping.Schedule{OrderID: id, Address: shipping.Address(readmodelstest.Address("DE")), Carrier: "DHL", ServedCountries: []string{"DE"}})
			e.Clock.Set(at(3))
			e.Dispatched(id, "TRK-1")
			e.Clock.Set(at(4))
			e.Delivered(id)
			return orderRow{OrderID: id, CustomerID: "c-1", Status: "DELIVERED", TotalAmount: 1999, TotalCurrency: "EUR", LineCount: 1, Channel: "api",
					PlacedAt: at(0), ConfirmedAt: readmodelstest.Time(at(1)), PaidAt: readmodelstest.Time(at(2)),
					ShippedAt: readmodelstest.Time(at(3)), DeliveredAt: readmodelstest.Time(at(4)), TrackingNumber: readmodelstest.Text("TRK-1")},
				[]lineRow{{id, 0, "A", 1, 1999, "EUR"}}
		},
	}, {
		name: "shipped without a tracking number",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			e.Place(id, "c-3", order.LineRequest{SKU: "B", Quantity: 1})
			e.Order(id, order.Confirm{})
			e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(500)})
			e.Clock.Set(at(5))
			e.Order(id, order.MarkShipped{})
			return orderRow{OrderID: id, CustomerID: "c-3", Status: "SHIPPED", TotalAmount: 500, TotalCurrency: "EUR", LineCount: 1, Channel: "api",
					PlacedAt: at(0), ConfirmedAt: readmodelstest.Time(at(0)), PaidAt: readmodelstest.Time(at(0)), ShippedAt: readmodelstest.Time(at(5))},
				[]lineRow{{id, 0, "B", 1, 500, "EUR"}}
		},
	}, {
		name: "cancelled by the customer",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			e.Place(id, "c-1", order.LineRequest{SKU: "A", Quantity: 1}, order.LineRequest{SKU: "B", Quantity: 2})
			e.Clock.Set(at(7))
			e.Order(id, order.Cancel{Reason: "changed my mind", ByCustomer: true})
			return orderRow{OrderID: id, CustomerID: "c-1", Status: "CANCELLED", TotalAmount: 2999, TotalCurrency: "EUR", LineCount: 2, Channel: "api",
					PlacedAt: at(0), CancelledAt: readmodelstest.Time(at(7)), CancelReason: readmodelstest.Text("changed my mind")},
				[]lineRow{{id, 0, "A", 1, 1999, "EUR"}, {id, 1, "B", 2, 500, "EUR"}}
		},
	}, {
		name: "paid, then cancelled by the system",
		run: func(e *readmodelstest.Env, id string) (orderRow, []lineRow) {
			e.Clock.Set(at(0))
			e.Place(id, "c-4", order.LineRequest{SKU: "B", Quantity: 2})
			e.Clock.Set(at(1))
			e.Order(id, order.Confirm{})
			e.Clock.Set(at(2))
			e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(1000), ChargeID: "ch_2"})
			e.Clock.Set(at(3))
			e.Order(id, order.Cancel{Reason: "shipment rejected"})
			return orderRow{OrderID: id, CustomerID: "c-4", Status: "CANCELLED", TotalAmount: 1000, TotalCurrency: "EUR", LineCount: 1, Channel: "api",
					PlacedAt: at(0), ConfirmedAt: readmodelstest.Time(at(1)), PaidAt: readmodelstest.Time(at(2)),
					CancelledAt: readmodelstest.Time(at(3)), CancelReason: readmodelstest.Text("shipment rejected")},
				[]lineRow{{id, 0, "B", 2, 500, "EUR"}}
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := "o-" + strings.ReplaceAll(c.name, " ", "-")
			id = strings.NewReplacer(",", "").Replace(id)
			e := e.For(t)
			want, wantLines := c.run(e, id)
			want = withLast(e, want)
			e.CaughtUp(orderview.Name)
			got := readmodelstest.Select[orderRow](t, e.Pool, `SELECT * FROM readmodel.orders WHERE order_id = $1`, id)
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("orders rows:\n got %+v\nwant %+v", got, want)
			}
			lines := readmodelstest.Select[lineRow](t, e.Pool, `SELECT * FROM readmodel.order_lines WHERE order_id = $1 ORDER BY line_no`, id)
			if !reflect.DeepEqual(lines, wantLines) {
				t.Fatalf("order_lines rows:\n got %+v\nwant %+v", lines, wantLines)
			}
		})
	}
	if parked := e.Parked(m, orderview.Name); len(parked) != 0 {
		t.Fatalf("events parked: %v", parked)
	}
}

// TestRefused appends events the projection must refuse, and events it
// must ignore: the refused ones are parked with a reason that says why
// and leave no rows; the others change nothing.
func TestRefused(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 10)
	m := e.Manager("a", orderview.New())
	e.Run(m)
	e.Place("o-1", "c-1", order.LineRequest{SKU: "A", Quantity: 1})

	placed := func(id string) string {
		return `{"v":1,"orderId":"` + id + `","customerId":"c-1","lines":[{"sku":"A","quantity":1,"unitPrice":{"amount":5,"currency":"EUR"}}],` +
			`"total":{"amount":5,"currency":"EUR"},"shippingAddress":{"name":"n","line1":"l","city":"c","postalCode":"1","country":"DE"},"placedAt":"2025-03-01T09:00:00Z"}`
	}
	refused := []struct {
		name, stream, typ, data, reason string
	}{
		{"confirmed, never placed", "order-ghost", order.TypeConfirmed, `{"v":1,"confirmedAt":"2025-03-01T09:00:00Z"}`, "order.confirmed of order ghost, which was never placed"},
		{"undecodable", "order-bad", order.TypePlaced, `{"v":1,"orderId":5}`, "malformed event payload"},
		{"unknown field", "order-o-1", order.TypeConfirmed, `{"v":1,"confirmedAt":"2025-03-01T09:00:00Z","extra":1}`, "malformed event payload"},
		{"version from the future", "order-o-1", order.TypeConfirmed, `{"v":9,"confirmedAt":"2025-03-01T09:00:00Z"}`, "unsupported event schema version"},
		{"placed names another order", "order-o-2", order.TypePlaced, placed("o-3"), `names order "o-3"`},
		{"placed twice", "order-o-1", order.TypePlaced, placed("o-1"), "not the first event of its stream"},
	}
	ids := make(map[uuid.UUID]string)
	for _, r := range refused {
		ids[e.Raw(r.stream, r.typ, r.data)] = r.name
	}
	e.Raw("order-o-1", "order.noted", `{"v":1}`)
	e.Raw("inventory-A", "inventory.audited", `{"v":1}`)
	e.Raw("something-1", "something.happened", `[1, 2]`)
	e.CaughtUp(orderview.Name)

	parked := e.Parked(m, orderview.Name)
	if len(parked) != len(refused) {
		t.Errorf("%d events parked, want %d: %v", len(parked), len(refused), parked)
	}
	for _, r := range refused {
		var reason string
		for id, name := range ids {
			if name == r.name {
				reason = parked[id]
			}
		}
		if !strings.Contains(reason, r.reason) {
			t.Errorf("%s: parked for %q, want a reason containing %q", r.name, reason, r.reason)
		}
	}
	got := readmodelstest.Select[orderRow](t, e.Pool, `SELECT * FROM readmodel.orders ORDER BY order_id`)
	if len(got) != 1 || got[0].OrderID != "o-1" || got[0].Status != "PENDING" || got[0].Revision != 0 {
		t.Fatalf("orders = %+v, want o-1 alone, pending at revision 0", got)
	}
	if lines := readmodelstest.Select[lineRow](t, e.Pool, `SELECT * FROM readmodel.order_lines ORDER BY order_id, line_no`); len(lines) != 1 {
		t.Fatalf("order_lines = %+v, want o-1's one line", lines)
	}
}
