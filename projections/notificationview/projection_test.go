package notificationview_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/projections/notificationview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/shipping"
)

// notificationRow is a row of readmodel.customer_notifications.
type notificationRow struct {
	EventID    uuid.UUID `db:"event_id"`
	CustomerID string    `db:"customer_id"`
	OrderID    string    `db:"order_id"`
	Kind       string    `db:"kind"`
	Message    string    `db:"message"`
	CreatedAt  time.Time `db:"created_at"`
}

func TestApply(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 100)
	m := e.Manager("a", notificationview.New())
	e.Run(m)

	// Each case runs commands on order id, placed by customer c-<id>, and
	// expects a notification for the events of the listed revisions of
	// its stream, with these words.
	type words struct {
		revision      int
		kind, message string
	}
	cases := []struct {
		name string
		run  func(e *readmodelstest.Env, id string)
		want []words
	}{{
		name: "placed",
		run:  func(e *readmodelstest.Env, id string) {},
	}, {
		name: "confirmed and paid",
		run: func(e *readmodelstest.Env, id string) {
			e.Order(id, order.Confirm{})
			e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(1999)})
		},
		want: []words{{1, "confirmed", "Your order confirmed-and-paid is confirmed."}},
	}, {
		name: "cancelled",
		run: func(e *readmodelstest.Env, id string) {
			e.Order(id, order.Cancel{Reason: "found it cheaper", ByCustomer: true})
		},
		want: []words{{1, "cancelled", "Your order cancelled was cancelled: found it cheaper"}},
	}, {
		name: "shipped with a tracking number, and delivered",
		run: func(e *readmodelstest.Env, id string) {
			e.Inventory("A", inventory.Reserve{OrderID: id, Quantity: 1})
			e.Order(id, order.Confirm{})
			e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(1999)})
			e.Shipment(id, shipping.Schedule{OrderID: id, Address: shipping.Address(readmodelstest.Address("DE")), Carrier: "DHL", ServedCountries: []string{"DE"}})
			e.Dispatched(id, "TRK-9")
			e.Delivered(id)
		},
		want: []words{
			{1, "confirmed", "Your order shipped-with-a-tracking-number-and-delivered is confirmed."},
			{3, "shipped", "Your order shipped-with-a-tracking-number-and-delivered is on its way (tracking number TRK-9)."},
			{4, "delivered", "Your order shipped-with-a-tracking-number-and-delivered was delivered."},
		},
	}, {
		name: "shipped without a tracking number",
		run: func(e *readmodelstest.Env, id string) {
			e.Order(id, order.Confirm{})
			e.Order(id, order.MarkPaid{Amount: readmodelstest.EUR(1999)})
			e.Order(id, order.MarkShipped{})
		},
		want: []words{
			{1, "confirmed", "Your order shipped-without-a-tracking-number is confirmed."},
			{3, "shipped", "Your order shipped-without-a-tracking-number is on its way."},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.For(t)
			id := strings.ReplaceAll(strings.ReplaceAll(c.name, ",", ""), " ", "-")
			customer := "c-" + id
			e.Place(id, customer, order.LineRequest{SKU: "A", Quantity: 1})
			c.run(e, id)
			events := e.Stream(order.StreamID(id))
			want := []notificationRow{}
			for _, w := range c.want {
				ev := events[w.revision]
				want = append(want, notificationRow{EventID: ev.ID, CustomerID: customer, OrderID: id, Kind: w.kind, Message: w.message,
					CreatedAt: ev.Recorded.UTC().Truncate(time.Microsecond)})
			}
			e.CaughtUp(notificationview.Name)
			got := readmodelstest.Select[notificationRow](t, e.Pool,
				`SELECT * FROM readmodel.customer_notifications WHERE customer_id = $1 ORDER BY created_at, event_id`, customer)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("notifications:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	if parked := e.Parked(m, notificationview.Name); len(parked) != 0 {
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
	m := e.Manager("a", notificationview.New())
	e.Run(m)
	e.Place("o-1", "c-1", order.LineRequest{SKU: "A", Quantity: 1})

	placed := `{"v":1,"orderId":"o-1","customerId":"c-2","lines":[{"sku":"A","quantity":1,"unitPrice":{"amount":5,"currency":"EUR"}}],` +
		`"total":{"amount":5,"currency":"EUR"},"shippingAddress":{"name":"n","line1":"l","city":"c","postalCode":"1","country":"DE"},"placedAt":"2025-03-01T09:00:00Z"}`
	refused := []struct {
		name, stream, typ, data, reason string
	}{
		{"about an order never placed", "order-ghost", order.TypeShipped, `{"v":1,"shippedAt":"2025-03-01T09:00:00Z"}`, "order.shipped of order ghost, which was never placed"},
		{"undecodable", "order-o-1", order.TypeConfirmed, `{"v":1,"confirmedAt":"yesterday"}`, "malformed event payload"},
		{"placed twice", "order-o-1", order.TypePlaced, placed, "duplicate key"},
		{"placed under another order", "order-o-2", order.TypePlaced, placed, `names order "o-1"`},
	}
	ids := make(map[string]uuid.UUID)
	for _, r := range refused {
		ids[r.name] = e.Raw(r.stream, r.typ, r.data)
	}
	e.Raw("order-o-1", order.TypePaid, `{"v":1,"amount":{"amount":1999,"currency":"EUR"},"paidAt":"2025-03-01T09:00:00Z"}`)
	e.Raw("order-o-1", "order.noted", `{"v":1}`)
	e.CaughtUp(notificationview.Name)

	parked := e.Parked(m, notificationview.Name)
	if len(parked) != len(refused) {
		t.Errorf("%d events parked, want %d: %v", len(parked), len(refused), parked)
	}
	for _, r := range refused {
		if reason := parked[ids[r.name]]; !strings.Contains(reason, r.reason) {
			t.Errorf("%s: parked for %q, want a reason containing %q", r.name, reason, r.reason)
		}
	}
	if got := readmodelstest.Select[notificationRow](t, e.Pool, `SELECT * FROM readmodel.customer_notifications`); len(got) != 0 {
		t.Fatalf("notifications = %+v, want none", got)
	}
}
