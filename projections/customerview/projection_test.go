package customerview_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/projections/customerview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
)

// customerRow is a row of readmodel.customers.
type customerRow struct {
	CustomerID   string    `db:"customer_id"`
	OrderCount   int64     `db:"order_count"`
	FirstOrderAt time.Time `db:"first_order_at"`
	LastOrderAt  time.Time `db:"last_order_at"`
}

// spendRow is a row of readmodel.customer_spend.
type spendRow struct {
	CustomerID string `db:"customer_id"`
	Currency   string `db:"currency"`
	Amount     int64  `db:"amount"`
}

// at returns the time minutes after 12:00 on 4 March 2025, UTC.
func at(minutes int) time.Time {
	return time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
}

// placeAt places an order of one A (19.99 EUR) for customer at time t and
// returns its id.
func placeAt(e *readmodelstest.Env, customer string, t time.Time, lines ...order.LineRequest) string {
	id := uuid.NewString()
	e.Clock.Set(t)
	if len(lines) == 0 {
		lines = []order.LineRequest{{SKU: "A", Quantity: 1}}
	}
	e.Place(id, customer, lines...)
	return id
}

// pay confirms order id and records it paid amount.
func pay(e *readmodelstest.Env, id string, amount money.Money) {
	e.Order(id, order.Confirm{})
	e.Payment(id, payment.Request{OrderID: id, Amount: amount})
	e.Payment(id, payment.Capture{ChargeID: "ch-" + id, Amount: amount})
	e.Order(id, order.MarkPaid{Amount: amount, ChargeID: "ch-" + id})
}

func TestApply(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 100)
	e.Product("U", "Umbrella", money.Money{Amount: 1250, Currency: "USD"}, 100)
	m := e.Manager("a", customerview.New())
	e.Run(m)

	cases := []struct {
		name      string
		run       func(e *readmodelstest.Env, customer string)
		customer  customerRow // without the customer id
		spendings []spendRow  // without the customer id
	}{{
		name:     "one order placed",
		run:      func(e *readmodelstest.Env, c string) { placeAt(e, c, at(0)) },
		customer: customerRow{OrderCount: 1, FirstOrderAt: at(0), LastOrderAt: at(0)},
	}, {
		name: "orders placed out of order",
		run: func(e *readmodelstest.Env, c string) {
			placeAt(e, c, at(5))
			placeAt(e, c, at(-5))
			placeAt(e, c, at(1))
		},
		customer: customerRow{OrderCount: 3, FirstOrderAt: at(-5), LastOrderAt: at(5)},
	}, {
		name: "paid",
		run: func(e *readmodelstest.Env, c string) {
			pay(e, placeAt(e, c, at(0), order.LineRequest{SKU: "A", Quantity: 2}), readmodelstest.EUR(3998))
			pay(e, placeAt(e, c, at(1)), readmodelstest.EUR(1999))
			placeAt(e, c, at(2)) // not paid
		},
		customer:  customerRow{OrderCount: 3, FirstOrderAt: at(0), LastOrderAt: at(2)},
		spendings: []spendRow{{Currency: "EUR", Amount: 5997}},
	}, {
		name: "paid, then refunded",
		run: func(e *readmodelstest.Env, c string) {
			kept := placeAt(e, c, at(0))
			pay(e, kept, readmodelstest.EUR(1999))
			refunded := placeAt(e, c, at(1), order.LineRequest{SKU: "A", Quantity: 3})
			pay(e, refunded, readmodelstest.EUR(5997))
			e.Payment(refunded, payment.Refund{RefundID: "re-1", Reason: "not shipped"})
			e.Order(refunded, order.Cancel{Reason: "not shipped"})
		},
		customer:  customerRow{OrderCount: 2, FirstOrderAt: at(0), LastOrderAt: at(1)},
		spendings: []spendRow{{Currency: "EUR", Amount: 1999}},
	}, {
		name: "refund of a charge the order never recorded as paid",
		run: func(e *readmodelstest.Env, c string) {
			id := placeAt(e, c, at(0))
			e.Order(id, order.Confirm{})
			e.Payment(id, payment.Request{OrderID: id, Amount: readmodelstest.EUR(1999)})
			e.Payment(id, payment.Capture{ChargeID: "ch-1", Amount: readmodelstest.EUR(1999)})
			e.Order(id, order.Cancel{Reason: "too slow", ByCustomer: true})
			e.Payment(id, payment.Refund{RefundID: "re-1", Reason: "cancelled"})
		},
		customer: customerRow{OrderCount: 1, FirstOrderAt: at(0), LastOrderAt: at(0)},
	}, {
		name: "two currencies",
		run: func(e *readmodelstest.Env, c string) {
			pay(e, placeAt(e, c, at(0)), readmodelstest.EUR(1999))
			pay(e, placeAt(e, c, at(3), order.LineRequest{SKU: "U", Quantity: 2}), money.Money{Amount: 2500, Currency: "USD"})
		},
		customer:  customerRow{OrderCount: 2, FirstOrderAt: at(0), LastOrderAt: at(3)},
		spendings: []spendRow{{Currency: "EUR", Amount: 1999}, {Currency: "USD", Amount: 2500}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.For(t)
			customer := "c-" + strings.ReplaceAll(c.name, " ", "-")
			c.run(e, customer)
			e.CaughtUp(customerview.Name)
			want := c.customer
			want.CustomerID = customer
			got := readmodelstest.Select[customerRow](t, e.Pool, `SELECT * FROM readmodel.customers WHERE customer_id = $1`, customer)
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("customers rows:\n got %+v\nwant %+v", got, want)
			}
			wantSpend := []spendRow{}
			for _, s := range c.spendings {
				s.CustomerID = customer
				wantSpend = append(wantSpend, s)
			}
			spend := readmodelstest.Select[spendRow](t, e.Pool, `SELECT * FROM readmodel.customer_spend WHERE customer_id = $1 ORDER BY currency`, customer)
			if !reflect.DeepEqual(spend, wantSpend) {
				t.Fatalf("customer_spend rows:\n got %+v\nwant %+v", spend, wantSpend)
			}
		})
	}
	if parked := e.Parked(m, customerview.Name); len(parked) != 0 {
		t.Fatalf("events parked: %v", parked)
	}
}

// TestRefused appends events the projection must refuse, and events it
// must ignore: the refused ones are parked with a reason that says why
// and change nothing.
func TestRefused(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 10)
	m := e.Manager("a", customerview.New())
	e.Run(m)
	e.Place("o-1", "c-1", order.LineRequest{SKU: "A", Quantity: 1})

	refused := []struct {
		name, stream, typ, data, reason string
	}{
		{"paid, never placed", "order-ghost", order.TypePaid, `{"v":1,"amount":{"amount":5,"currency":"EUR"},"paidAt":"2025-03-01T09:00:00Z"}`,
			"order.paid of order ghost, which was never placed"},
		{"refunded, never placed", "payment-ghost", payment.TypeRefunded,
			`{"v":1,"refundId":"r","amount":{"amount":5,"currency":"EUR"},"reason":"x","refundedAt":"2025-03-01T09:00:00Z"}`,
			"payment.refunded of order ghost, which was never placed"},
		{"undecodable refund", "payment-o-1", payment.TypeRefunded, `{"v":1,"amount":5}`, "malformed event payload"},
		{"undecodable placement", "order-o-2", order.TypePlaced, `{"v":1,"customerId":["c-1"]}`, "malformed event payload"},
	}
	ids := make(map[string]uuid.UUID)
	for _, r := range refused {
		ids[r.name] = e.Raw(r.stream, r.typ, r.data)
	}
	e.Raw("payment-o-1", payment.TypeFailed, `{"v":1,"reason":"declined","code":"card_declined","failedAt":"2025-03-01T09:00:00Z"}`)
	e.Raw("order-o-1", "order.noted", `{"v":1}`)
	e.CaughtUp(customerview.Name)

	parked := e.Parked(m, customerview.Name)
	if len(parked) != len(refused) {
		t.Errorf("%d events parked, want %d: %v", len(parked), len(refused), parked)
	}
	for _, r := range refused {
		if reason := parked[ids[r.name]]; !strings.Contains(reason, r.reason) {
			t.Errorf("%s: parked for %q, want a reason containing %q", r.name, reason, r.reason)
		}
	}
	if got := readmodelstest.Select[customerRow](t, e.Pool, `SELECT * FROM readmodel.customers`); len(got) != 1 || got[0].OrderCount != 1 {
		t.Fatalf("customers = %+v, want c-1 with one order", got)
	}
	if got := readmodelstest.Select[spendRow](t, e.Pool, `SELECT * FROM readmodel.customer_spend`); len(got) != 0 {
		t.Fatalf("customer_spend = %+v, want none", got)
	}
}
